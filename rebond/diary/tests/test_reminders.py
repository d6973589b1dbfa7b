"""Diary reminders: per the case's cadence, at most one a partner a day, only by a safe e-mail
address inside its window, neutral words and a fresh link, never while the case is paused for
safety or inactive, never when the diary is not offered (issue 19 item 1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.actions import ChannelDraft
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.diary import actions
from rebond.diary.models import DiaryPlan, DiaryPrompt
from rebond.diary.reminders import send_due_diary_reminders
from rebond.diary.tests.conftest import draft
from rebond.lib.neutral import therapy_words
from rebond.portal.models import PrivateLink, hash_token
from rebond.test import make_clinic, make_clinician, make_couple

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
TOKEN_RE = re.compile(r"/p/([A-Za-z0-9_-]+)/")
# Monday 7 December 2026, noon in London (UTC+0 in winter): inside the default 09:00-20:00.
MONDAY_NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def therapist() -> User:
    clinic = make_clinic("Harbour Practice", timezone="Europe/London")
    return make_clinician(clinic, "Dr Same")


def build(therapist: User, prompt: str = DiaryPlan.Prompt.DAILY, **channel: Any) -> Couple:
    couple = make_couple(
        therapist, partners=("Robin", "Sasha"), status=Couple.Status.CONJOINT_ACTIVE
    )
    DiaryPlan.objects.create(couple=couple, offered=True, prompt=prompt, updated_by=therapist)
    for partner, address in zip(
        couple.partners.order_by("role"), ("a@example.test", "b@example.test"), strict=True
    ):
        fields = {"safe_to_contact": True, **channel}
        couple_actions.add_contact_channel(
            therapist, partner.id, ChannelDraft(kind="email", value=address, **fields)
        )
    mail.outbox.clear()
    return couple


def sweep(capture: CommitCapture, monkeypatch: pytest.MonkeyPatch, at: datetime) -> int:
    """Run the sweep at `at`, and its delivery tasks as if they ran at that moment too."""
    monkeypatch.setattr("rebond.diary.tasks.now", lambda: at)
    with capture(execute=True):
        return send_due_diary_reminders(at)


def test_daily_sends_each_partner_one_neutral_reminder_a_day(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    couple = build(therapist)
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.test", "b@example.test"]
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert therapy_words(text) == []
        for word in ("Robin", "Sasha", "diary", "Dr Same", "Harbour"):
            assert word not in text
        token = TOKEN_RE.search(str(message.body)).group(1)  # type: ignore[union-attr]
        link = PrivateLink.objects.get(token_hash=hash_token(token))
        assert link.purpose == PrivateLink.Purpose.DIARY
        # The link leads to the diary.
        response = Client().get(f"/p/{token}/")
        assert response["Location"] == "/me/diary/"
    assert DiaryPrompt.objects.filter(sent_at__isnull=False).count() == 2
    assert AuditEntry.objects.filter(action="diary.reminder.send").count() == 2
    # Never twice a day, however often the sweep runs.
    for later in (MONDAY_NOON + timedelta(minutes=1), MONDAY_NOON + timedelta(hours=7)):
        assert sweep(django_capture_on_commit_callbacks, monkeypatch, later) == 0
    assert len(mail.outbox) == 2
    # The next day, again.
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON + DAY) == 2
    assert DiaryPrompt.objects.filter(partner__couple=couple).count() == 4


@pytest.mark.parametrize(
    ("prompt", "days"),
    [
        (DiaryPlan.Prompt.WEEKLY, [0]),
        (DiaryPlan.Prompt.TWICE_WEEKLY, [0, 3]),
        (DiaryPlan.Prompt.DAILY, [0, 1, 2, 3, 4, 5, 6]),
        (DiaryPlan.Prompt.NEVER, []),
    ],
)
def test_the_cadence_picks_the_days(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
    prompt: str,
    days: list[int],
) -> None:
    build(therapist, prompt)
    sent_on = [
        offset
        for offset in range(7)
        if sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON + offset * DAY)
    ]
    assert sent_on == days


def test_only_inside_the_channels_window_or_the_clinic_default(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(therapist, safe_from=time(18, 0), safe_until=time(20, 0))
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON) == 0
    assert not DiaryPrompt.objects.exists()
    evening = MONDAY_NOON.replace(hour=18, minute=30)
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, evening) == 2


def test_the_clinic_default_window_keeps_the_night_quiet(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(therapist)
    early = MONDAY_NOON.replace(hour=7)
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, early) == 0
    assert mail.outbox == []


def test_a_window_closed_by_delivery_time_sends_nothing(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(therapist, safe_from=time(11, 0), safe_until=time(12, 5))
    monkeypatch.setattr("rebond.diary.tasks.now", lambda: MONDAY_NOON + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_diary_reminders(MONDAY_NOON) == 2
    assert mail.outbox == []


@pytest.mark.parametrize("change", ["unsafe", "phone_only"])
def test_no_safe_email_no_reminder(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    couple = build(therapist)
    channels = ContactChannel.objects.filter(partner__couple=couple)
    if change == "unsafe":
        channels.update(safe_to_contact=False)
    else:
        channels.update(kind=ContactChannel.Kind.TEXT, may_leave_message=True)
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON) == 0
    assert mail.outbox == []
    assert not DiaryPrompt.objects.exists()


@pytest.mark.parametrize("state", ["not_offered", "closed"])
def test_no_reminder_when_not_offered_or_inactive(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
    state: str,
) -> None:
    couple = build(therapist)
    if state == "not_offered":
        DiaryPlan.objects.filter(couple=couple).update(offered=False)
    else:
        Couple.objects.filter(pk=couple.pk).update(status=state)
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON) == 0
    assert mail.outbox == []


def test_a_case_paused_for_safety_keeps_both_partners_reminders(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A "not safe" answer pauses the case at once; the other partner's reminders must not
    stop because of it (DOMAIN 4.6 point 3)."""
    couple = build(therapist)
    Couple.objects.filter(pk=couple.pk).update(status=Couple.Status.PAUSED_SAFETY)
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON) == 2
    assert len(mail.outbox) == 2


def test_a_partner_who_wrote_today_is_not_reminded(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    couple = build(therapist)
    a = couple.partners.get(role=Partner.Role.A)
    entry = actions.write_entry(a, draft())
    type(entry).objects.filter(pk=entry.pk).update(written_at=MONDAY_NOON - timedelta(hours=2))
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON) == 1
    assert [m.to for m in mail.outbox] == [["b@example.test"]]


def test_an_address_that_may_name_the_therapy_is_told_what_it_is(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(therapist, may_mention_therapy=True)
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON) == 2
    for message in mail.outbox:
        assert "your diary" in message.body
        assert "Robin" not in message.body
        assert "Sasha" not in message.body


@pytest.mark.parametrize(
    ("may_mention_therapy", "spanish", "english"),
    [
        (
            False,
            "Un recordatorio con su enlace privado para hoy:",
            "A reminder with your private link for today:",
        ),
        (
            True,
            "Un recordatorio de su terapeuta: su diario está abierto para hoy.",
            "A reminder from your therapist: your diary is open for today.",
        ),
    ],
)
def test_each_partner_is_reminded_in_their_own_language(
    therapist: User,
    django_capture_on_commit_callbacks: CommitCapture,
    monkeypatch: pytest.MonkeyPatch,
    may_mention_therapy: bool,
    spanish: str,
    english: str,
) -> None:
    # The two partners of one couple may read different languages (issue 20).
    couple = build(therapist, may_mention_therapy=may_mention_therapy)
    a, b = couple.partners.order_by("role")
    Partner.objects.filter(pk=a.pk).update(language="es")
    Partner.objects.filter(pk=b.pk).update(language="en")
    assert sweep(django_capture_on_commit_callbacks, monkeypatch, MONDAY_NOON) == 2
    sent = {message.to[0]: str(message.body) for message in mail.outbox}
    assert sent["a@example.test"].startswith(f"{spanish}\n\n")
    assert sent["b@example.test"].startswith(f"{english}\n\n")
    # Each still carries its own working link.
    for body in sent.values():
        assert TOKEN_RE.search(body)
