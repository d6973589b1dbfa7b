"""Check-ins before conjoint sessions: the every-session set for both partners, a set number of
hours before each conjoint session, once, only where the clinic asked for it; the partners
are told by the check-in notice and can answer before the session starts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.appointments.checkins import due_for_checkins, send_checkins, send_session_checkins
from rebond.appointments.models import Appointment
from rebond.assessments.models import Administration, Submission
from rebond.assessments.reminders import send_due_reminders
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple
from rebond.portal import actions as portal_actions
from rebond.portal.models import PrivateLink
from rebond.portal.tasks import invitation_body
from rebond.portal.tests.conftest import LINK_RE, tokens_in_outbox
from rebond.test import make_clinic, make_clinician, make_couple

from .helpers import appointment_settings, channel, partners, schedule

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
START = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)
ANSWERS = {"CSI-4": {1: 3, 2: 3, 3: 3, 4: 3}, "PHQ-9": dict.fromkeys(range(1, 10), 0)}


class Case:
    def __init__(self, zone: str = "UTC", lead: int | None = 24) -> None:
        self.clinic = make_clinic("Harbour Practice", timezone=zone)
        self.therapist = make_clinician(self.clinic, "Dr Harbour")
        self.couple = make_couple(self.therapist, "Harbour case", partners=("Sam", "Alex"))
        self.a, self.b = partners(self.couple)
        if lead is not None:
            appointment_settings(self.clinic, checkin_lead_hours=lead)


@pytest.fixture
def case() -> Case:
    return Case()


def scheduled_checkins(couple: Couple) -> list[tuple[str, str]]:
    return sorted(
        (str(a.partner_id), a.instrument_code) for a in Administration.objects.filter(couple=couple)
    )


def test_both_partners_get_the_every_session_set_once_at_the_lead_time(case: Case) -> None:
    appointment = schedule(case.therapist, case.couple, START)
    due = START - timedelta(hours=24)
    assert send_session_checkins(due - timedelta(seconds=1)) == 0
    assert not Administration.objects.exists()
    assert send_session_checkins(due) == 1
    rows = Administration.objects.filter(couple=case.couple)
    assert scheduled_checkins(case.couple) == sorted(
        (str(p.id), code) for p in (case.a, case.b) for code in ("CSI-4", "PHQ-9")
    )
    assert {a.due_at for a in rows} == {due}
    assert {a.occasion for a in rows} == {"Every session"}
    # Scheduled as the session's clinician, through the same action and audit entries.
    assert {a.created_by_id for a in rows} == {case.therapist.id}
    assert AuditEntry.objects.filter(action="assessments.administration.schedule").count() == 4
    appointment.refresh_from_db()
    assert appointment.checkins_sent_at == due
    assert AuditEntry.objects.filter(action="appointments.appointment.checkins_sent").count() == 1
    # Never twice, whatever sweeps follow before the session.
    assert send_session_checkins(due + timedelta(hours=1)) == 0
    assert rows.count() == 4


def test_two_overlapping_sweeps_schedule_the_check_ins_once(case: Case) -> None:
    schedule(case.therapist, case.couple, START)
    due = START - timedelta(hours=24)
    # Both sweeps found the session before either claimed it.
    [first], [second] = due_for_checkins(due), due_for_checkins(due)
    assert send_checkins(first, due) is True
    assert send_checkins(second, due) is False
    assert Administration.objects.count() == 4


def test_only_conjoint_sessions(case: Case) -> None:
    schedule(case.therapist, case.couple, START, kind="individual", invited=[case.a])
    assert send_session_checkins(START - timedelta(hours=1)) == 0
    assert not Administration.objects.exists()


def test_only_where_the_clinic_set_a_lead_time() -> None:
    case = Case(lead=None)
    schedule(case.therapist, case.couple, START)
    assert send_session_checkins(START - timedelta(hours=1)) == 0
    other = Case(lead=None)
    appointment_settings(other.clinic, reminder_lead_hours=24)  # a row, still no lead
    schedule(other.therapist, other.couple, START)
    assert send_session_checkins(START - timedelta(hours=1)) == 0
    assert not Administration.objects.exists()


def test_not_after_the_start_nor_for_cancelled_sessions_or_closed_cases(case: Case) -> None:
    schedule(case.therapist, case.couple, START)
    assert send_session_checkins(START) == 0
    cancelled = Case()
    schedule(cancelled.therapist, cancelled.couple, START, status="cancelled")
    closed = Case()
    schedule(closed.therapist, closed.couple, START)
    Couple.objects.filter(pk=closed.couple.pk).update(status=Couple.Status.CLOSED)
    assert send_session_checkins(START - timedelta(hours=1)) == 1  # only `case`
    assert {a.couple_id for a in Administration.objects.all()} == {case.couple.id}


def test_a_refused_schedule_is_audited_and_not_retried(case: Case, bob: User) -> None:
    # The session's clinician is not on the case (say they left its team since).
    outsider = make_clinician(case.clinic, "Left the team")
    appointment = schedule(outsider, case.couple, START)
    assert send_session_checkins(START - timedelta(hours=1)) == 0
    assert not Administration.objects.exists()
    appointment.refresh_from_db()
    assert appointment.checkins_sent_at == START - timedelta(hours=1)
    entry = AuditEntry.objects.get(action="appointments.appointment.checkins_refused")
    assert entry.object_id == str(appointment.pk)
    assert send_session_checkins(START - timedelta(minutes=30)) == 0
    assert AuditEntry.objects.filter(action__endswith="checkins_refused").count() == 1


def test_the_lead_is_counted_in_hours_across_a_daylight_saving_change() -> None:
    # Sydney's clocks go back from 03:00 to 02:00 on Sunday 4 April 2027 (AEDT to AEST).
    case = Case("Australia/Sydney", lead=48)
    start = datetime(2027, 4, 5, 0, 0, tzinfo=UTC)  # Monday 10:00 in Sydney (AEST)
    schedule(case.therapist, case.couple, start)
    # 48 hours before is Saturday 11:00 in Sydney (AEDT), not 10:00 on the wall clock.
    saturday_eleven = datetime(2027, 4, 3, 0, 0, tzinfo=UTC)
    assert send_session_checkins(saturday_eleven - timedelta(seconds=1)) == 0
    assert send_session_checkins(saturday_eleven) == 1


def test_each_partner_is_told_and_both_scores_are_in_before_the_session(
    case: Case, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    channel(case.a, "email", "sam@example.test")
    channel(case.b, "email", "alex@example.test")
    channel(case.b, "email", "alex-unsafe@example.test", safe=False)
    with django_capture_on_commit_callbacks(execute=True):
        for partner in (case.a, case.b):
            portal_actions.invite_partner(case.therapist, partner.id)
    PrivateLink.objects.update(created_at=now() - timedelta(days=7))
    mail.outbox.clear()
    at = now()
    appointment = schedule(case.therapist, case.couple, at + timedelta(hours=24))
    assert send_session_checkins(at) == 1
    # The check-in reminders' sweep tells each partner, through their safe address only.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(at) == 2
    assert sorted(m.to for m in mail.outbox) == [["alex@example.test"], ["sam@example.test"]]
    for message in mail.outbox:
        assert LINK_RE.sub("LINK", str(message.body)) == LINK_RE.sub(
            "LINK", invitation_body("sample")
        )
    # Each partner follows their own link and answers before the session starts.
    for partner, address in ((case.a, "sam@example.test"), (case.b, "alex@example.test")):
        [token] = tokens_in_outbox(address)
        client = Client()
        opened = client.get(f"/p/{token}/")
        assert opened.status_code == 302
        assert opened["Location"] == reverse("checkin_list")
        for administration in Administration.objects.filter(partner=partner):
            data = {f"item-{n}": str(v) for n, v in ANSWERS[administration.instrument_code].items()}
            data["submission_key"] = str(administration.submission_key)
            url = reverse("checkin_submit", kwargs={"administration_id": administration.id})
            assert client.post(url, data).status_code == 302
    submissions = Submission.objects.filter(administration__couple=case.couple)
    assert sorted(
        (str(s.administration.partner_id), s.administration.instrument_code) for s in submissions
    ) == scheduled_checkins(case.couple)
    assert all(s.submitted_at < appointment.starts_at for s in submissions)
    # Told once: the next sweep sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(at + timedelta(minutes=15)) == 0
    assert Appointment.objects.get(pk=appointment.pk).checkins_sent_at == at
