"""Reminders of open check-ins: neutral, to safe e-mail addresses only, each partner about
their own check-ins only, within the clinic's limit, and never twice (DOMAIN.md 7.5)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.assessments import actions
from rebond.assessments.models import Administration, CheckinReminder, ClinicCheckinSettings
from rebond.assessments.reminders import claim_reminder, due_reminders, send_due_reminders
from rebond.assessments.tasks import send_checkin_reminders
from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.actions import ChannelDraft
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.portal import actions as portal_actions
from rebond.portal.models import PrivateLink, hash_token
from rebond.portal.tasks import SUBJECT, invitation_body
from rebond.portal.tests.conftest import open_space
from rebond.test import make_clinic, make_clinician, make_couple

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
PHQ9_RISK = {1: 3, 2: 3, 3: 2, 4: 3, 5: 2, 6: 3, 7: 2, 8: 2, 9: 3}
TOKEN_RE = re.compile(r"/p/[A-Za-z0-9_-]+/")
DAY = timedelta(days=1)


@dataclass
class Case:
    therapist: User
    couple: Couple
    a: Partner
    b: Partner
    due: datetime
    phq: dict[Any, Administration]


def build(capture: CommitCapture, *, a_state: str = "not_started", overdue: bool = True) -> Case:
    clinic = make_clinic("Harbour Practice")
    therapist = make_clinician(clinic, "Dr Same")
    couple = make_couple(therapist, "Same couple", partners=("Partner One", "Partner Two"))
    a, b = couple.partners.get(role=Partner.Role.A), couple.partners.get(role=Partner.Role.B)
    for partner, address in ((a, "one@example.test"), (b, "two@example.test")):
        couple_actions.add_contact_channel(
            therapist, partner.id, ChannelDraft(kind="email", value=address, safe_to_contact=True)
        )
        couple_actions.add_contact_channel(
            therapist,
            partner.id,
            ChannelDraft(kind="phone", value="+44 7700 900000", safe_to_contact=True),
        )
    due = now() - 10 * DAY
    phq: dict[Any, Administration] = {}
    if overdue:
        phq = {
            x.partner_id: x
            for x in actions.schedule_instrument(therapist, couple.id, "PHQ-9", due_at=due)
        }
        actions.schedule_instrument(therapist, couple.id, "CSI-4", due_at=due)
    if a_state == "finished_with_risk":
        client = Client()
        open_space(client, a, therapist)
        data = {f"item-{n}": str(v) for n, v in PHQ9_RISK.items()}
        data["submission_key"] = str(phq[a.id].submission_key)
        url = reverse("checkin_submit", kwargs={"administration_id": phq[a.id].id})
        assert client.post(url, data).status_code == 302
    mail.outbox.clear()
    return Case(therapist, couple, a, b, due, phq)


def sweep(capture: CommitCapture, at: datetime) -> int:
    with capture(execute=True):
        return send_due_reminders(at)


def to(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def test_nothing_is_sent_before_the_clinics_delay(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = build(django_capture_on_commit_callbacks)
    assert sweep(django_capture_on_commit_callbacks, case.due + 3 * DAY - timedelta(seconds=1)) == 0
    assert mail.outbox == []
    assert not CheckinReminder.objects.exists()


def test_each_partner_gets_one_neutral_email_per_reminder_up_to_the_limit(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = build(django_capture_on_commit_callbacks)
    assert sweep(django_capture_on_commit_callbacks, case.due + 3 * DAY) == 2
    assert len(mail.outbox) == 2
    for address in ("one@example.test", "two@example.test"):
        [message] = to(address)
        assert message.subject == SUBJECT
        # Word for word the invitation: one neutral sentence and the link.
        neutral = TOKEN_RE.sub("/p/TOKEN/", invitation_body("sample"))
        assert TOKEN_RE.sub("/p/TOKEN/", message.body) == neutral
        for word in ("PHQ", "CSI", "Partner", "check", "questionnaire", "risk", "Same"):
            assert word.lower() not in message.body.lower()
    # Two check-ins each, both covered by their partner's one e-mail.
    assert CheckinReminder.objects.filter(number=1).count() == 4
    links = PrivateLink.objects.filter(purpose=PrivateLink.Purpose.REMINDER)
    assert links.count() == 2
    assert all(link.token_hash for link in links)
    for message in mail.outbox:
        found = TOKEN_RE.search(str(message.body))
        assert found is not None
        token = found.group(0)[3:-1]
        # A fresh link per e-mail, stored as its hash only.
        assert links.filter(token_hash=hash_token(token)).exists()
        assert not PrivateLink.objects.filter(token_hash__contains=token).exists()
    assert AuditEntry.objects.filter(action="assessments.reminder.send").count() == 2
    # The same sweep again, and any sweep before the gap: nothing more.
    assert sweep(django_capture_on_commit_callbacks, case.due + 3 * DAY) == 0
    assert sweep(django_capture_on_commit_callbacks, case.due + 5 * DAY) == 0
    assert sweep(django_capture_on_commit_callbacks, case.due + 6 * DAY) == 2
    assert CheckinReminder.objects.filter(number=2).count() == 4
    # The limit (2 by default) holds forever after.
    assert sweep(django_capture_on_commit_callbacks, case.due + 60 * DAY) == 0
    assert len(mail.outbox) == 4


def test_partner_bs_reminders_are_identical_whether_or_not_a_finished(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    seen = []
    for a_state in ("not_started", "finished_with_risk"):
        mail.outbox.clear()
        case = build(django_capture_on_commit_callbacks, a_state=a_state)
        for days in (3, 6, 9):
            sweep(django_capture_on_commit_callbacks, case.due + days * DAY)
        b_mail = [
            f"{m.to}|{m.subject}|{TOKEN_RE.sub('/p/T/', m.body)}" for m in to("two@example.test")
        ]
        seen.append((b_mail, len(to("one@example.test"))))
    (b_before, a_before), (b_after, a_after) = seen
    assert b_before == b_after
    assert len(b_before) == 2
    # A, who finished only one of two, is still reminded of the other: as often as before.
    assert a_before == a_after == 2


def test_a_partner_who_finished_everything_is_not_reminded(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = build(django_capture_on_commit_callbacks)
    Administration.objects.filter(partner=case.a).update(status=Administration.Status.SUBMITTED)
    sweep(django_capture_on_commit_callbacks, case.due + 3 * DAY)
    assert to("one@example.test") == []
    assert len(to("two@example.test")) == 1


def test_no_reminder_reaches_a_channel_not_marked_safe(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = build(django_capture_on_commit_callbacks)
    ContactChannel.objects.filter(partner=case.a).update(safe_to_contact=False)
    unsafe_b = couple_actions.add_contact_channel(
        case.therapist,
        case.b.id,
        ChannelDraft(kind="email", value="shared@example.test", safe_to_contact=False),
    )
    assert not unsafe_b.safe_to_contact
    sweep(django_capture_on_commit_callbacks, case.due + 3 * DAY)
    assert [m.to for m in mail.outbox] == [["two@example.test"]]
    assert not CheckinReminder.objects.filter(administration__partner=case.a).exists()


def test_a_channel_withdrawn_after_the_claim_gets_nothing(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = build(django_capture_on_commit_callbacks)
    batches = due_reminders(case.due + 3 * DAY)
    link = claim_reminder(case.a.id, batches[case.a.id], case.due + 3 * DAY)
    assert link is not None
    channel = ContactChannel.objects.get(partner=case.a, kind="email")
    portal_actions.mark_channel_not_safe(case.a, channel.id)
    from rebond.portal.tasks import send_invitation

    assert send_invitation.call(str(link.id)) == 0
    assert mail.outbox == []


def test_two_sweeps_at_once_send_each_reminder_once(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = build(django_capture_on_commit_callbacks)
    at = case.due + 3 * DAY
    # Both sweeps read what is due before either claims anything.
    first, second = due_reminders(at), due_reminders(at)
    with django_capture_on_commit_callbacks(execute=True):
        won = [claim_reminder(pid, batch, at) for pid, batch in first.items()]
        lost = [claim_reminder(pid, batch, at) for pid, batch in second.items()]
    assert all(won)
    assert lost == [None, None]
    assert len(mail.outbox) == 2
    assert CheckinReminder.objects.count() == 4


def test_clinic_settings_change_the_delay_and_the_limit(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = build(django_capture_on_commit_callbacks)
    settings = ClinicCheckinSettings.objects.create(
        clinic=case.couple.clinic, remind_after_days=1, max_reminders=1
    )
    assert sweep(django_capture_on_commit_callbacks, case.due + 1 * DAY) == 2
    assert sweep(django_capture_on_commit_callbacks, case.due + 9 * DAY) == 0
    settings.max_reminders = 0
    settings.save(update_fields=["max_reminders"])
    CheckinReminder.objects.all().delete()
    assert sweep(django_capture_on_commit_callbacks, case.due + 9 * DAY) == 0


def test_closed_cases_and_cancelled_check_ins_get_no_reminder(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = build(django_capture_on_commit_callbacks)
    Couple.objects.filter(id=case.couple.id).update(status=Couple.Status.CLOSED)
    assert sweep(django_capture_on_commit_callbacks, case.due + 3 * DAY) == 0
    Couple.objects.filter(id=case.couple.id).update(status=Couple.Status.ASSESSMENT)
    Administration.objects.update(status=Administration.Status.CANCELLED)
    assert sweep(django_capture_on_commit_callbacks, case.due + 3 * DAY) == 0


def test_the_command_and_the_task_run_the_sweep(
    django_capture_on_commit_callbacks: CommitCapture, capsys: pytest.CaptureFixture[str]
) -> None:
    build(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("checkin_reminders")
    assert "reminders queued 2" in capsys.readouterr().out
    assert send_checkin_reminders.enqueue().return_value == 0  # Nothing more is due.


def invite_then_schedule(capture: CommitCapture, *, invite_after: bool = False) -> Case:
    """Partner One is invited (a day before scheduling, or after it); Partner Two never is."""
    case = build(capture, overdue=False)
    with capture(execute=True):
        portal_actions.invite_partner(case.therapist, case.a.id)
    PrivateLink.objects.filter(partner=case.a).update(created_at=now() - DAY)
    actions.schedule_instrument(case.therapist, case.couple.id, "PHQ-9")
    actions.schedule_instrument(case.therapist, case.couple.id, "WHO-5")
    if invite_after:
        with capture(execute=True):
            portal_actions.invite_partner(case.therapist, case.a.id)
    mail.outbox.clear()
    return case


def test_a_partner_invited_earlier_is_told_when_a_new_check_in_falls_due(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = invite_then_schedule(django_capture_on_commit_callbacks)
    assert sweep(django_capture_on_commit_callbacks, now()) == 1
    [message] = mail.outbox
    assert message.to == ["one@example.test"]
    neutral = TOKEN_RE.sub("/p/TOKEN/", invitation_body("sample"))
    assert TOKEN_RE.sub("/p/TOKEN/", str(message.body)) == neutral
    notices = CheckinReminder.objects.filter(number=0)
    # One e-mail covers both new check-ins; the partner never invited is left to the clinician.
    assert {n.administration.partner_id for n in notices} == {case.a.id}
    assert notices.count() == 2
    # Told once: the next sweep sends nothing more, and the clinic's reminders still follow.
    assert sweep(django_capture_on_commit_callbacks, now()) == 0
    assert len(mail.outbox) == 1


def test_a_partner_invited_after_scheduling_gets_no_extra_notice(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    invite_then_schedule(django_capture_on_commit_callbacks, invite_after=True)
    assert sweep(django_capture_on_commit_callbacks, now()) == 0
    assert mail.outbox == []


def test_a_notice_waits_for_the_due_date_and_a_safe_channel(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case = invite_then_schedule(django_capture_on_commit_callbacks)
    Administration.objects.filter(couple=case.couple).update(due_at=now() + 2 * DAY)
    assert sweep(django_capture_on_commit_callbacks, now()) == 0
    # Due, before the clinic's first reminder (3 days after due): only the notice can go.
    ContactChannel.objects.filter(partner=case.a, kind="email").update(safe_to_contact=False)
    assert sweep(django_capture_on_commit_callbacks, now() + 3 * DAY) == 0
    ContactChannel.objects.filter(partner=case.a, kind="email").update(safe_to_contact=True)
    assert sweep(django_capture_on_commit_callbacks, now() + 3 * DAY) == 1
    assert [m.to for m in mail.outbox] == [["one@example.test"]]
