"""Sending the outbox of appointments: each message once, at a safe time, or shown as not sent.

`send_due_messages` takes every PENDING message whose time has come and ends each in one of
four states the clinician can see (rebond/access/outbox.py puts the last two on the case page):

- SENT: the e-mail or text went out.
- WITHDRAWN: it no longer applies (a reminder, confirmation or change of an appointment that
  was cancelled or has happened; a partner no longer invited). Nobody needs telling.
- UNSENDABLE: there is no longer a safe way or a safe time to send it before the appointment
  (the channel was withdrawn or no message may be left any more, the safe window opens only
  after the start, the server has no SMS provider).
- FAILED: the mail server or SMS provider refused it MAX_ATTEMPTS times, with growing pauses
  (BACKOFF_MINUTES); `last_error` names the error class or the provider's HTTP status, never
  a person, and the failure is audited.

Until then a message stays PENDING: waiting for its safe window (`send_after`, moved when the
window moved), or for its next attempt (`next_attempt_at`).

What is checked again just before sending, because it may have changed since the message was
queued: the appointment is still upcoming, the partner still invited, the channel (or the
requester's contact method) still safe for this kind of message, and the moment still inside
the recipient's safe window. The text is rendered only now (wording.message_text), in the
recipient's language (a partner's own, else the clinic's default): the table never holds it.
The reasons stored in `last_error` are English, marked with gettext_noop; the pages that show
them translate them for their reader.

Two sweeps at once never send a message twice: each message is claimed by a conditional
UPDATE of `next_attempt_at` to a lease (CLAIM_MINUTES ahead) before anything is sent, and only
the sweep whose UPDATE matched sends it. No database lock is held while the mail server or the
SMS provider is talking: on SQLite a transaction holds the whole database's write lock, so
every other writer would wait for the network. The one window left open is a sweep killed
after sending and before recording it: after the lease the message is sent again (the e-mail
with the same Message-ID); marking it sent first would lose it instead.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond import audit
from rebond.accounts.mail import client_email
from rebond.appointments import recipients, wording
from rebond.appointments.models import AppointmentMessage
from rebond.couples.models import ContactChannel
from rebond.intake.models import ConsultationRequest
from rebond.lib import sms
from rebond.lib.clinic_time import clinic_zone
from rebond.lib.language import first_supported

logger = logging.getLogger(__name__)

Status = AppointmentMessage.Status
Purpose = AppointmentMessage.Purpose

# The pause after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final.
BACKOFF_MINUTES = (5, 15, 60, 240)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
# How long a sweep holds a message it claimed. Longer than one send can take (EMAIL_TIMEOUT and
# SMS_TIMEOUT are seconds), so only a sweep killed mid-send lets another take the message over.
CLAIM_MINUTES = 10
# Messages taken per sweep; the rest wait for the next one.
BATCH = 200
# Messages that tell of an appointment still to come: pointless once it is cancelled or over.
ABOUT_UPCOMING = (Purpose.REMINDER, Purpose.CONFIRMATION, Purpose.CHANGE)
# Failures that say the mail server itself is down, not this message: the sweep stops sending
# e-mail until its next run, so a hung server costs one timeout per run, not one per message.
MAIL_SERVER_DOWN = (
    TimeoutError,
    ConnectionError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)

NO_SAFE_TIME = gettext_noop("No safe time to send before the appointment.")


@dataclass(frozen=True)
class Decision:
    """What becomes of a claimed message that is not to be sent now."""

    status: str  # WITHDRAWN, UNSENDABLE, or PENDING (wait for the safe window)
    reason: str = ""
    send_after: datetime | None = None


def due_messages(at: datetime) -> QuerySet[AppointmentMessage]:
    """Return the PENDING messages whose safe time and next attempt have come at `at`."""
    return AppointmentMessage.objects.filter(
        Q(next_attempt_at=None) | Q(next_attempt_at__lte=at),
        status=Status.PENDING,
        send_after__lte=at,
    ).order_by("send_after", "created_at", "id")


def claim(message_id: uuid.UUID, at: datetime) -> datetime | None:
    """Claim one due message for this sweep; return the lease it holds, or None if taken."""
    lease = at + timedelta(minutes=CLAIM_MINUTES)
    claimed = due_messages(at).filter(pk=message_id).update(next_attempt_at=lease)
    return lease if claimed == 1 else None


def _window(message: AppointmentMessage) -> ContactChannel | ConsultationRequest:
    """Return the row holding the recipient's safe window and wishes (channel or request)."""
    window = message.request or message.channel
    if window is None:
        raise ValueError(f"Appointment message {message.pk} has no channel left to send to.")
    return window


def _unsafe_reason(message: AppointmentMessage) -> str:
    """Return why this message may no longer go to its recipient ("" when it may)."""
    if message.request is not None:
        request = message.request
        if request.contact_method != message.kind:
            return gettext_noop("The requester changed how to be contacted.")
        if message.kind == ContactChannel.Kind.TEXT and not request.may_leave_message:
            return gettext_noop("No message may be left for the requester any more.")
        return ""
    channel = message.channel
    if channel is None:
        return gettext_noop("The channel was removed.")
    if not channel.safe_to_contact:
        return gettext_noop("The channel is no longer marked safe to contact.")
    if channel.kind != message.kind:
        return gettext_noop("The channel changed kind.")
    if channel.kind == ContactChannel.Kind.TEXT and not channel.may_leave_message:
        return gettext_noop("No message may be left on this number any more.")
    return ""


def decide(message: AppointmentMessage, at: datetime) -> Decision | None:
    """Return why the claimed message must not be sent at `at`, or None to send it now."""
    appointment = message.appointment
    if message.purpose in ABOUT_UPCOMING and not appointment.is_upcoming:
        return Decision(Status.WITHDRAWN, gettext_noop("The appointment is no longer upcoming."))
    if (
        message.partner_id is not None
        and not appointment.invited.filter(pk=message.partner_id).exists()
    ):
        return Decision(Status.WITHDRAWN, gettext_noop("The partner is no longer invited."))
    reason = _unsafe_reason(message)
    if reason:
        return Decision(Status.UNSENDABLE, reason)
    if at >= appointment.starts_at:
        return Decision(Status.UNSENDABLE, NO_SAFE_TIME)
    settings = recipients.clinic_settings(appointment.clinic_id)
    moment = recipients.send_after(appointment, settings, _window(message), at)
    if moment > at:
        if moment >= appointment.starts_at:
            return Decision(Status.UNSENDABLE, NO_SAFE_TIME)
        return Decision(Status.PENDING, send_after=moment)
    return None


def language_of(message: AppointmentMessage) -> str:
    """Return the language the message is written in: the partner's own, else the clinic's.

    The two partners of one couple may read different languages; a requester has given none,
    so their message is in the clinic's default language.
    """
    clinic = message.appointment.clinic
    partner = message.partner
    return first_supported(partner.language if partner else None, clinic.default_language)


def render(message: AppointmentMessage) -> str:
    """Return the whole text of the message, worded for what its recipient allowed.

    Call it inside the recipient's language (`language_of`): `deliver` does.
    """
    appointment = message.appointment
    clinic = appointment.clinic
    return wording.message_text(
        recipients.clinic_settings(clinic.id),
        message.purpose,
        starts_at=appointment.starts_at,
        zone=clinic_zone(clinic),
        clinic_name=clinic.name,
        may_mention_therapy=_window(message).may_mention_therapy,
    )


def deliver(message: AppointmentMessage) -> None:
    """Send the message by e-mail or text, in its recipient's language; raise whatever the
    transport raised."""
    with translation.override(language_of(message)):
        text = render(message)
        subject = _(wording.SUBJECT)
    window = _window(message)
    # Encrypted values, read through the model.
    address = window.contact_value if isinstance(window, ConsultationRequest) else window.value
    if message.kind == ContactChannel.Kind.EMAIL:
        client_email(
            message.appointment.clinic,
            subject,
            f"{text}\n",
            [address],
            may_name_therapy=window.may_mention_therapy,
            headers={"Message-ID": f"<appointment-message-{message.pk}@rebond>"},
        ).send()
    else:
        sms.send_sms(address, text)


def error_text(error: Exception) -> str:
    """Return what to store of a failure: an SMS status, or the error's class; never a person.

    An SMTP error's text may quote the address, so only its class name is kept.
    """
    if isinstance(error, sms.SmsError):
        return str(error)  # SmsError's text is the provider's status only.
    return type(error).__name__


def _finish(message: AppointmentMessage, lease: datetime, **changes: object) -> bool:
    """Write the final state of a claimed message and audit it; False if the claim was lost."""
    with transaction.atomic():
        updated = AppointmentMessage.objects.filter(
            pk=message.pk, status=Status.PENDING, next_attempt_at=lease
        ).update(**changes)
        if updated != 1:
            # Another sweep took the message over after the lease ran out (this one hung).
            logger.warning("Appointment message %s: the claim ran out before the end.", message.pk)
            return False
        audit.log(
            actor=None,
            action=f"appointments.message.{changes['status']}",
            obj=message,
            clinic_id=message.appointment.clinic_id,
            fields=list(changes),
            reason=str(changes.get("last_error", "")),
        )
    return True


def _load(message_id: uuid.UUID) -> AppointmentMessage:
    return AppointmentMessage.objects.select_related(
        "appointment__clinic", "channel", "request", "partner"
    ).get(pk=message_id)


def send_due_messages(at: datetime | None = None) -> int:
    """Send every message due at `at` (now by default); return how many were sent."""
    at = at or now()
    sent = 0
    transport_down: set[str] = set()
    for message_id, kind in list(due_messages(at).values_list("id", "kind")[:BATCH]):
        if kind in transport_down:
            continue  # Its mail server or provider did not answer this run: next run.
        lease = claim(message_id, at)
        if lease is None:
            continue  # Another sweep claimed it first: it sends it.
        message = _load(message_id)
        decision = decide(message, at)
        if decision is not None:
            if decision.status == Status.PENDING:
                # Outside the recipient's safe window: wait for it (not an attempt).
                AppointmentMessage.objects.filter(
                    pk=message.pk, status=Status.PENDING, next_attempt_at=lease
                ).update(send_after=decision.send_after, next_attempt_at=None)
                continue
            _finish(
                message,
                lease,
                status=decision.status,
                last_error=decision.reason,
                next_attempt_at=None,
            )
            continue
        try:
            deliver(message)
        except sms.SmsNotConfigured as error:
            _finish(
                message,
                lease,
                status=Status.UNSENDABLE,
                last_error=f"{error}.",
                next_attempt_at=None,
            )
            continue
        except Exception as error:
            _record_failure(message, lease, at, error)
            if isinstance(error, MAIL_SERVER_DOWN) or (
                isinstance(error, sms.SmsError) and error.status is None
            ):
                transport_down.add(message.kind)
            continue
        if _finish(
            message,
            lease,
            status=Status.SENT,
            sent_at=at,
            next_attempt_at=None,
            last_error="",
        ):
            sent += 1
    return sent


def _record_failure(
    message: AppointmentMessage, lease: datetime, at: datetime, error: Exception
) -> None:
    """Count a failed attempt: retry after a pause, or FAILED (audited) after the last one."""
    attempts = message.attempts + 1
    last_error = error_text(error)
    logger.warning(
        "Appointment message %s not sent (attempt %d of %d): %s.",
        message.pk,
        attempts,
        MAX_ATTEMPTS,
        last_error,
    )
    if attempts >= MAX_ATTEMPTS:
        _finish(
            message,
            lease,
            status=Status.FAILED,
            attempts=attempts,
            last_error=last_error,
            next_attempt_at=None,
        )
        return
    AppointmentMessage.objects.filter(
        pk=message.pk, status=Status.PENDING, next_attempt_at=lease
    ).update(
        attempts=attempts,
        last_error=last_error,
        next_attempt_at=at + timedelta(minutes=BACKOFF_MINUTES[attempts - 1]),
    )
