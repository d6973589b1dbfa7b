"""Reminders of sessions: at the clinic's lead time, once, to invited partners only, through
their own safe channels, at safe hours (also across a daylight-saving change)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import translation

from rebond.accounts.models import Clinic
from rebond.appointments.models import Appointment, AppointmentMessage
from rebond.appointments.outbox import send_due_messages
from rebond.appointments.reminders import queue_due_reminders, queue_reminders
from rebond.couples.models import Couple, Partner
from rebond.lib import sms
from rebond.test import make_clinic, make_clinician, make_couple

from .helpers import appointment_settings, channel, partners, schedule

pytestmark = pytest.mark.django_db

Status = AppointmentMessage.Status
START = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)  # Tuesday, at a clinic on UTC
DUE = START - timedelta(hours=24)  # the default lead


class Case:
    def __init__(self, zone: str = "UTC") -> None:
        self.clinic = make_clinic("Harbour Practice", timezone=zone)
        self.therapist = make_clinician(self.clinic, "Dr Harbour")
        self.couple = make_couple(self.therapist, "Harbour case", partners=("Sam", "Alex"))
        self.a, self.b = partners(self.couple)


@pytest.fixture
def case() -> Case:
    return Case()


def reminders() -> list[AppointmentMessage]:
    return list(AppointmentMessage.objects.filter(purpose="reminder").order_by("created_at"))


def test_reminders_are_due_from_the_clinics_lead_time_until_the_start(case: Case) -> None:
    channel(case.a, "email", "sam@example.test")
    channel(case.b, "email", "alex@example.test")
    schedule(case.therapist, case.couple, START)
    assert queue_due_reminders(DUE - timedelta(seconds=1)) == 0
    assert queue_due_reminders(DUE) == 2
    assert {m.partner_id for m in reminders()} == {case.a.id, case.b.id}
    assert send_due_messages(DUE) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["alex@example.test", "sam@example.test"]
    # Once per partner: later sweeps store nothing more.
    assert queue_due_reminders(DUE + timedelta(hours=1)) == 0
    assert len(reminders()) == 2


def test_the_clinic_sets_the_lead_time(case: Case) -> None:
    appointment_settings(case.clinic, reminder_lead_hours=48)
    channel(case.a, "email", "sam@example.test")
    schedule(case.therapist, case.couple, START, invited=[case.a])
    assert queue_due_reminders(START - timedelta(hours=48, seconds=1)) == 0
    assert queue_due_reminders(START - timedelta(hours=48)) == 1


def test_no_reminder_once_the_session_started_or_for_other_statuses(case: Case) -> None:
    channel(case.a, "email", "sam@example.test")
    schedule(case.therapist, case.couple, START, invited=[case.a])
    statuses = ("requested", "cancelled", "late_cancelled", "attended", "no_show", "released")
    for hours, status in enumerate(statuses, start=1):
        schedule(case.therapist, case.couple, START - timedelta(hours=hours), status=status)
    assert Appointment.objects.count() == 7
    assert queue_due_reminders(START) == 0
    assert queue_due_reminders(START - timedelta(hours=7)) == 1
    assert {m.appointment.status for m in reminders()} == {"scheduled"}


def test_a_closed_case_gets_no_reminder(case: Case) -> None:
    channel(case.a, "email", "sam@example.test")
    schedule(case.therapist, case.couple, START)
    Couple.objects.filter(pk=case.couple.pk).update(status=Couple.Status.CLOSED)
    assert queue_due_reminders(DUE) == 0


def test_an_individual_session_reminds_only_its_partner(case: Case) -> None:
    channel(case.a, "email", "sam@example.test")
    channel(case.b, "email", "alex@example.test")
    schedule(case.therapist, case.couple, START, kind="individual", invited=[case.b])
    assert queue_due_reminders(DUE) == 1
    send_due_messages(DUE)
    assert [m.to for m in mail.outbox] == [["alex@example.test"]]


def test_only_safe_channels_and_texts_only_where_a_message_may_be_left(case: Case) -> None:
    channel(case.a, "email", "unsafe@example.test", safe=False)
    channel(case.a, "phone", "+44 7700 900001")  # a call is never automated
    channel(case.a, "text", "+44 7700 900002", may_leave_message=False)
    safe_text = channel(case.a, "text", "+44 7700 900003", may_leave_message=True)
    channel(case.b, "email", "alex-unsafe@example.test", safe=False)
    schedule(case.therapist, case.couple, START)
    assert queue_due_reminders(DUE) == 2
    by_partner = {m.partner_id: m for m in reminders()}
    assert by_partner[case.a.id].channel_id == safe_text.id
    # B has no safe way: one reminder the clinician sees, and nothing sent.
    assert by_partner[case.b.id].status == Status.UNSENDABLE
    assert by_partner[case.b.id].channel_id is None
    assert send_due_messages(DUE) == 1
    assert [m.to for m in sms.outbox] == ["+44 7700 900003"]
    assert mail.outbox == []
    # Overlapping or later sweeps never add a second unsendable reminder for B.
    assert queue_due_reminders(DUE + timedelta(minutes=1)) == 0
    assert len(reminders()) == 2


def test_a_partner_invited_later_is_reminded_and_no_one_twice(case: Case) -> None:
    channel(case.a, "email", "sam@example.test")
    channel(case.b, "email", "alex@example.test")
    appointment = schedule(case.therapist, case.couple, START, invited=[case.a])
    assert queue_due_reminders(DUE) == 1
    appointment.invited.add(case.b)
    assert queue_due_reminders(DUE + timedelta(minutes=1)) == 1
    assert sorted(str(m.partner_id) for m in reminders()) == sorted(
        [str(case.a.id), str(case.b.id)]
    )


def test_two_overlapping_sweeps_store_each_reminder_once(case: Case) -> None:
    channel(case.a, "email", "sam@example.test")
    appointment = schedule(case.therapist, case.couple, START)
    # Both sweeps found the appointment before either stored anything.
    assert queue_reminders(appointment, DUE) == 2  # A by e-mail, B unsendable
    assert queue_reminders(appointment, DUE) == 0
    assert len(reminders()) == 2


def test_a_reminder_waits_for_the_safe_hours_across_a_daylight_saving_change() -> None:
    # Madrid moves its clocks from 02:00 to 03:00 on Sunday 28 March 2027 (CET to CEST).
    case = Case("Europe/Madrid")
    appointment_settings(case.clinic, reminder_lead_hours=48)
    channel(case.a, "email", "sam@example.test", safe_from=time(8), safe_until=time(9))
    # Monday 29 March at 09:00 in Madrid (CEST, UTC+2).
    start = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    schedule(case.therapist, case.couple, start, invited=[case.a])
    saturday_evening = datetime(2027, 3, 27, 19, 30, tzinfo=UTC)  # 20:30 in Madrid (CET)
    assert queue_due_reminders(saturday_evening) == 1
    [message] = reminders()
    # 08:00 on Sunday in Madrid is 06:00 UTC after the change (07:00 UTC the day before).
    assert message.send_after == datetime(2027, 3, 28, 6, 0, tzinfo=UTC)
    assert send_due_messages(datetime(2027, 3, 28, 5, 59, tzinfo=UTC)) == 0
    assert send_due_messages(datetime(2027, 3, 28, 6, 0, tzinfo=UTC)) == 1
    [sent] = mail.outbox
    assert sent.body == "Reminder. Your appointment on Monday 29 March 2027 at 09:00.\n"


def test_no_safe_hour_before_the_session_leaves_a_reminder_the_clinician_sees(
    case: Case,
) -> None:
    channel(case.a, "email", "sam@example.test", safe_from=time(18), safe_until=time(20))
    schedule(case.therapist, case.couple, START, invited=[case.a])
    # Found at 21:00 the evening before: the next safe moment, 18:00 tomorrow, comes after
    # the 10:00 start.
    assert queue_due_reminders(DUE + timedelta(hours=11)) == 1
    [message] = reminders()
    assert message.status == Status.UNSENDABLE
    assert message.last_error == "No safe time to send before the appointment."


def test_each_partner_is_reminded_in_their_own_language(case: Case) -> None:
    # The two partners of one couple may read different languages (issue 20).
    Partner.objects.filter(pk=case.a.pk).update(language="es")
    channel(case.a, "email", "sam@example.test")
    channel(case.b, "email", "alex@example.test")
    schedule(case.therapist, case.couple, START)
    before = translation.get_language()
    assert queue_due_reminders(DUE) == 2
    assert send_due_messages(DUE) == 2
    sent = {message.to[0]: message for message in mail.outbox}
    spanish, english = sent["sam@example.test"], sent["alex@example.test"]
    assert (spanish.subject, spanish.body) == (
        "Su cita",
        "Recordatorio. Su cita del martes 2 de marzo de 2027 a las 10:00.\n",
    )
    assert (english.subject, english.body) == (
        "Your appointment",
        "Reminder. Your appointment on Tuesday 2 March 2027 at 10:00.\n",
    )
    # The sweep leaves no language behind it.
    assert translation.get_language() == before


@pytest.mark.parametrize(
    ("partner_language", "clinic_language", "body"),
    [
        # A language Rebond does not ship: the clinic's default.
        ("fr", "es", "Recordatorio. Su cita del martes 2 de marzo de 2027 a las 10:00.\n"),
        ("es", "en", "Recordatorio. Su cita del martes 2 de marzo de 2027 a las 10:00.\n"),
        ("", "en", "Reminder. Your appointment on Tuesday 2 March 2027 at 10:00.\n"),
    ],
)
def test_a_partner_without_a_shipped_language_reads_the_clinics(
    case: Case, partner_language: str, clinic_language: str, body: str
) -> None:
    Clinic.objects.filter(pk=case.clinic.pk).update(default_language=clinic_language)
    Partner.objects.filter(pk=case.a.pk).update(language=partner_language)
    channel(case.a, "email", "sam@example.test")
    schedule(case.therapist, case.couple, START, invited=[case.a])
    queue_due_reminders(DUE)
    assert send_due_messages(DUE) == 1
    [message] = mail.outbox
    assert message.body == body
