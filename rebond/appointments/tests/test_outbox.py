"""The outbox of appointments: each message is sent once at a safe time, retried when refused,
and otherwise ends withdrawn, unsendable or failed where the clinician sees it; never dropped."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from rebond import access
from rebond.accounts.models import User
from rebond.appointments import outbox, recipients
from rebond.appointments.models import Appointment, AppointmentMessage
from rebond.appointments.outbox import BACKOFF_MINUTES, CLAIM_MINUTES, claim, send_due_messages
from rebond.audit.models import AuditEntry
from rebond.couples.models import ContactChannel, Couple
from rebond.lib import sms
from rebond.test import make_clinic, make_clinician, make_couple

from .helpers import channel, consultation_request, partners, schedule

pytestmark = pytest.mark.django_db

Status = AppointmentMessage.Status
REMINDER = AppointmentMessage.Purpose.REMINDER
# Monday 1 March 2027, 10:00 at a clinic on UTC (inside the default window 09:00-20:00).
AT = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
START = AT + timedelta(days=1)
EMAIL = "sam.private@example.test"
PHONE = "+44 7700 900123"


class Case:
    def __init__(self) -> None:
        self.clinic = make_clinic("Harbour Practice")
        self.therapist = make_clinician(self.clinic, "Dr Harbour")
        self.couple = make_couple(self.therapist, "Harbour case", partners=("Sam", "Alex"))
        self.a, self.b = partners(self.couple)
        self.appointment = schedule(self.therapist, self.couple, START, invited=[self.a])


@pytest.fixture
def case() -> Case:
    return Case()


def queue(case: Case, purpose: str = REMINDER, at: datetime = AT) -> list[AppointmentMessage]:
    return recipients.queue_partner_messages(case.appointment, purpose, at)


def only(purpose: str = REMINDER) -> AppointmentMessage:
    [message] = AppointmentMessage.objects.filter(purpose=purpose)
    return message


class RefusingSms(sms.BaseSmsBackend):
    status: int | None = 500

    def send(self, to: str, body: str) -> None:
        raise sms.SmsError(self.status)


class UnreachableSms(RefusingSms):
    status = None


class RefusingMail(BaseEmailBackend):
    """A mail server that refuses the recipient, quoting the address as SMTP servers do."""

    def send_messages(self, email_messages: Any) -> int:
        recipient = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({recipient: (550, f"{recipient} unknown".encode())})


def test_an_email_goes_once_in_the_neutral_wording_and_is_recorded(case: Case) -> None:
    channel(case.a, "email", EMAIL)
    queue(case)
    assert send_due_messages(AT) == 1
    [sent] = mail.outbox
    assert sent.to == [EMAIL]
    assert sent.subject == "Your appointment"
    assert sent.body == "Reminder. Your appointment on Tuesday 2 March 2027 at 10:00.\n"
    assert sent.extra_headers["Message-ID"] == f"<appointment-message-{only().pk}@rebond>"
    message = only()
    assert (message.status, message.sent_at, message.attempts) == (Status.SENT, AT, 0)
    assert message.next_attempt_at is None
    entry = AuditEntry.objects.get(action="appointments.message.sent")
    assert entry.object_id == str(message.pk)
    assert EMAIL not in f"{entry.reason}{entry.fields}"
    # Sent once: later sweeps find nothing.
    assert send_due_messages(AT + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_a_text_goes_through_the_sms_backend(case: Case) -> None:
    channel(case.a, "text", PHONE, may_leave_message=True)
    queue(case)
    assert send_due_messages(AT) == 1
    assert sms.outbox == [
        sms.SmsMessage(PHONE, "Reminder. Your appointment on Tuesday 2 March 2027 at 10:00.")
    ]
    assert mail.outbox == []
    assert only().status == Status.SENT


def test_the_open_wording_only_for_a_recipient_who_allowed_it(case: Case) -> None:
    channel(case.a, "email", EMAIL, may_mention_therapy=True)
    case.clinic.reply_to_email = "front-desk@example.test"
    case.clinic.save(update_fields=["reply_to_email"])
    queue(case)
    send_due_messages(AT)
    [sent] = mail.outbox
    assert sent.body == (
        "Reminder. Your appointment with Harbour Practice on Tuesday 2 March 2027 at 10:00.\n"
    )
    assert sent.reply_to == ["front-desk@example.test"]


def test_a_refused_text_is_retried_with_growing_pauses_then_failed_and_audited(
    case: Case, settings: Any
) -> None:
    settings.SMS_BACKEND = f"{__name__}.RefusingSms"
    channel(case.a, "text", PHONE, may_leave_message=True)
    queue(case)
    moment = AT
    for attempt, pause in enumerate(BACKOFF_MINUTES, start=1):
        assert send_due_messages(moment) == 0
        message = only()
        assert (message.status, message.attempts) == (Status.PENDING, attempt)
        assert message.last_error == "SMS provider answered HTTP 500"
        assert message.next_attempt_at == moment + timedelta(minutes=pause)
        # Not before the pause is over.
        send_due_messages(moment + timedelta(minutes=pause) - timedelta(seconds=1))
        assert only().attempts == attempt
        moment += timedelta(minutes=pause)
    assert not AuditEntry.objects.filter(action="appointments.message.failed").exists()
    send_due_messages(moment)
    message = only()
    assert (message.status, message.attempts) == (Status.FAILED, 5)
    assert message.next_attempt_at is None
    entry = AuditEntry.objects.get(action="appointments.message.failed")
    assert entry.object_id == str(message.pk)
    assert entry.reason == "SMS provider answered HTTP 500"
    # Never a person: the number is nowhere in what was stored.
    digits = PHONE.replace(" ", "")
    for text in (message.last_error, entry.reason, str(entry.fields)):
        assert digits not in text.replace(" ", "")
    # Final: no more attempts, and the clinician sees it on the case.
    assert send_due_messages(moment + timedelta(days=1)) == 0
    assert list(access.undelivered_messages_for_case(case.therapist, case.couple)) == [message]


def test_a_refused_email_stores_the_error_class_never_the_address(
    case: Case, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMail"
    channel(case.a, "email", EMAIL)
    queue(case)
    send_due_messages(AT)
    message = only()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert message.last_error == "SMTPRecipientsRefused"


def test_an_unreachable_provider_costs_one_attempt_per_run_not_one_per_message(
    case: Case, settings: Any
) -> None:
    settings.SMS_BACKEND = f"{__name__}.UnreachableSms"
    channel(case.a, "text", PHONE, may_leave_message=True)
    channel(case.a, "text", "+44 7700 900456", may_leave_message=True)
    channel(case.a, "email", EMAIL)
    queue(case)
    assert send_due_messages(AT) == 1  # the e-mail still goes
    texts = AppointmentMessage.objects.filter(kind="text").order_by("attempts")
    assert [(m.status, m.attempts) for m in texts] == [(Status.PENDING, 0), (Status.PENDING, 1)]
    assert texts[1].last_error == "SMS provider could not be reached"
    assert texts[0].next_attempt_at is None  # untouched: tried on the next run


def test_without_an_sms_provider_a_text_is_unsendable_at_once(case: Case, settings: Any) -> None:
    settings.SMS_BACKEND = "rebond.lib.sms.DisabledBackend"
    channel(case.a, "text", PHONE, may_leave_message=True)
    queue(case)
    assert send_due_messages(AT) == 0
    message = only()
    assert (message.status, message.attempts) == (Status.UNSENDABLE, 0)
    assert message.last_error == "Text messages are not set up on this server."
    assert AuditEntry.objects.filter(action="appointments.message.unsendable").count() == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"safe_to_contact": False}, "The channel is no longer marked safe to contact."),
        ({"may_leave_message": False}, "No message may be left on this number any more."),
        ({"kind": "phone"}, "The channel changed kind."),
    ],
)
def test_a_channel_no_longer_safe_makes_the_message_unsendable(
    case: Case, change: dict[str, Any], reason: str
) -> None:
    text = channel(case.a, "text", PHONE, may_leave_message=True)
    queue(case)
    ContactChannel.objects.filter(pk=text.pk).update(**change)
    assert send_due_messages(AT) == 0
    assert sms.outbox == []
    message = only()
    assert (message.status, message.last_error) == (Status.UNSENDABLE, reason)
    entry = AuditEntry.objects.get(action="appointments.message.unsendable")
    assert entry.reason == reason
    assert list(access.undelivered_messages_for_case(case.therapist, case.couple)) == [message]


def test_a_removed_channel_makes_the_message_unsendable(case: Case) -> None:
    email = channel(case.a, "email", EMAIL)
    queue(case)
    email.delete()
    send_due_messages(AT)
    assert mail.outbox == []
    assert (only().status, only().last_error) == (Status.UNSENDABLE, "The channel was removed.")


def test_outside_the_safe_window_it_waits_for_the_window(case: Case) -> None:
    email = channel(case.a, "email", EMAIL, safe_from=time(18, 0), safe_until=time(20, 0))
    queue(case)
    evening = AT.replace(hour=18)
    assert only().send_after == evening
    assert send_due_messages(AT) == 0
    # The person moved their window after the message was queued: it waits for the new one.
    ContactChannel.objects.filter(pk=email.pk).update(safe_from=time(19, 0))
    assert send_due_messages(evening) == 0
    message = only()
    assert (message.status, message.attempts) == (Status.PENDING, 0)
    assert message.send_after == AT.replace(hour=19)
    assert message.next_attempt_at is None
    assert mail.outbox == []
    assert send_due_messages(AT.replace(hour=19)) == 1
    assert only().sent_at == AT.replace(hour=19)


def test_a_window_that_opens_only_after_the_start_makes_it_unsendable(case: Case) -> None:
    email = channel(case.a, "email", EMAIL)
    Appointment.objects.filter(pk=case.appointment.pk).update(
        starts_at=AT + timedelta(hours=2), ends_at=AT + timedelta(hours=3)
    )
    case.appointment.refresh_from_db()
    queue(case)
    # After queueing, the person's window became the evening, after the 12:00 appointment.
    ContactChannel.objects.filter(pk=email.pk).update(safe_from=time(18), safe_until=time(20))
    send_due_messages(AT)
    assert mail.outbox == []
    assert (only().status, only().last_error) == (Status.UNSENDABLE, outbox.NO_SAFE_TIME)


def test_a_message_still_waiting_when_the_appointment_starts_is_unsendable(case: Case) -> None:
    channel(case.a, "email", EMAIL)
    queue(case)
    send_due_messages(START)
    assert mail.outbox == []
    assert (only().status, only().last_error) == (Status.UNSENDABLE, outbox.NO_SAFE_TIME)


@pytest.mark.parametrize(
    "purpose",
    [
        AppointmentMessage.Purpose.REMINDER,
        AppointmentMessage.Purpose.CONFIRMATION,
        AppointmentMessage.Purpose.CHANGE,
    ],
)
def test_a_message_about_a_cancelled_appointment_is_withdrawn_not_sent(
    case: Case, purpose: str
) -> None:
    channel(case.a, "email", EMAIL)
    queue(case, purpose)
    Appointment.objects.filter(pk=case.appointment.pk).update(status=Appointment.Status.CANCELLED)
    queue(case, AppointmentMessage.Purpose.CANCELLATION)
    assert send_due_messages(AT) == 1
    [sent] = mail.outbox
    assert sent.body.startswith("Cancelled. ")
    withdrawn = only(purpose)
    assert withdrawn.status == Status.WITHDRAWN
    assert AuditEntry.objects.filter(action="appointments.message.withdrawn").count() == 1
    # Not a failure: nothing to tell the clinician.
    assert not access.undelivered_messages_for_case(case.therapist, case.couple).exists()


def test_a_partner_no_longer_invited_is_not_reminded(case: Case) -> None:
    channel(case.a, "email", EMAIL)
    queue(case)
    case.appointment.invited.set([case.b])
    send_due_messages(AT)
    assert mail.outbox == []
    assert (only().status, only().last_error) == (
        Status.WITHDRAWN,
        "The partner is no longer invited.",
    )


def test_a_requester_gets_their_message_by_the_method_they_chose(case: Case) -> None:
    request = consultation_request(case.clinic, contact_value="asker@example.test")
    consultation = schedule(
        case.therapist,
        None,
        START + timedelta(hours=2),
        kind="consultation",
        request=request,
    )
    recipients.queue_requester_message(
        consultation, request, AppointmentMessage.Purpose.CONFIRMATION, AT
    )
    assert send_due_messages(AT) == 1
    [sent] = mail.outbox
    assert sent.to == ["asker@example.test"]
    assert sent.body == "Confirmed. Your appointment on Tuesday 2 March 2027 at 12:00.\n"


def test_a_requester_who_now_asks_for_a_call_gets_no_message(case: Case) -> None:
    request = consultation_request(case.clinic)
    consultation = schedule(
        case.therapist, None, START + timedelta(hours=2), kind="consultation", request=request
    )
    recipients.queue_requester_message(
        consultation, request, AppointmentMessage.Purpose.CONFIRMATION, AT
    )
    request.contact_method = "phone"
    request.save(update_fields=["contact_method"])
    send_due_messages(AT)
    assert mail.outbox == []
    message = only(AppointmentMessage.Purpose.CONFIRMATION)
    assert message.status == Status.UNSENDABLE


def test_a_sweep_starting_while_another_is_sending_sends_nothing_twice(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel(case.a, "email", EMAIL)
    channel(case.a, "text", PHONE, may_leave_message=True)
    queue(case)
    deliver = outbox.deliver
    second_run: list[int] = []
    started: list[bool] = []

    def deliver_while_another_sweep_runs(message: AppointmentMessage) -> None:
        if not started:
            started.append(True)
            # The second sweep starts while the first holds its claim and is sending.
            second_run.append(send_due_messages(AT))
        deliver(message)

    monkeypatch.setattr(outbox, "deliver", deliver_while_another_sweep_runs)
    # Each sweep sent one: the second took the message the first had not claimed yet, and
    # the first then found it taken.
    assert send_due_messages(AT) == 1
    assert second_run == [1]
    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1
    assert AuditEntry.objects.filter(action="appointments.message.sent").count() == 2


def test_a_claim_is_held_until_its_lease_runs_out(case: Case) -> None:
    channel(case.a, "email", EMAIL)
    queue(case)
    message_id = only().pk
    assert claim(message_id, AT) == AT + timedelta(minutes=CLAIM_MINUTES)
    assert claim(message_id, AT) is None
    # A sweep killed after claiming: another sends the message once the lease is over.
    assert send_due_messages(AT + timedelta(minutes=CLAIM_MINUTES - 1)) == 0
    assert send_due_messages(AT + timedelta(minutes=CLAIM_MINUTES)) == 1
    assert len(mail.outbox) == 1


def test_undelivered_messages_are_shown_only_to_who_may_open_the_case(
    case: Case, alice: User, bob: User, charlie: User
) -> None:
    channel(case.a, "email", EMAIL, safe=False)
    queue(case)  # no safe channel: one UNSENDABLE reminder at once
    [message] = access.undelivered_messages_for_case(case.therapist, case.couple)
    assert message.status == Status.UNSENDABLE
    colleague = make_clinician(case.clinic, "Colleague")
    outsider_case: Couple = make_couple(alice)
    for user in (colleague, alice, bob, charlie):
        assert not access.undelivered_messages_for_case(user, case.couple).exists()
    assert not access.undelivered_messages_for_case(case.therapist, outsider_case).exists()
