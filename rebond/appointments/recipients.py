"""Who is told about an appointment, through which channel, and from when.

A message goes only through a channel its owner marked safe to contact (DOMAIN.md 7.5), and
a text message only where they also said a message may be left: a text sits on a lock screen.
A phone call is never automated. Each message waits for the recipient's safe window; when no
safe channel, or no safe moment before the appointment starts, exists, the message is stored
as UNSENDABLE so the clinician sees that this person was not told: nothing is dropped silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from rebond.appointments.models import Appointment, AppointmentMessage, AppointmentSettings
from rebond.couples.models import ContactChannel, Partner
from rebond.intake.models import ConsultationRequest
from rebond.lib.clinic_time import clinic_zone
from rebond.lib.safe_window import next_safe_moment

AUTOMATED_KINDS = (ContactChannel.Kind.EMAIL, ContactChannel.Kind.TEXT)


def clinic_settings(clinic_id: uuid.UUID) -> AppointmentSettings:
    """Return the clinic's appointment settings (the defaults when it has saved none)."""
    return AppointmentSettings.of_clinic(clinic_id)


def safe_channels(partner: Partner) -> list[ContactChannel]:
    """Return the partner's channels an automated message may use, oldest first."""
    return [
        channel
        for channel in partner.contact_channels.filter(
            safe_to_contact=True, kind__in=AUTOMATED_KINDS
        )
        if channel.kind == ContactChannel.Kind.EMAIL or channel.may_leave_message
    ]


def send_after(
    appointment: Appointment, settings: AppointmentSettings, window: object, at: datetime
) -> datetime:
    """Return the first safe moment at or after `at` for a recipient with this window."""
    start, end = settings.window_for(window)
    return next_safe_moment(at, clinic_zone(appointment.clinic), start, end)


def _store(message: AppointmentMessage, appointment: Appointment, at: datetime) -> bool:
    """Save one message; a purpose whose time would come after the start is UNSENDABLE."""
    is_late = message.purpose == AppointmentMessage.Purpose.REMINDER and (
        message.send_after >= appointment.starts_at
    )
    if is_late:
        message.status = AppointmentMessage.Status.UNSENDABLE
        message.last_error = gettext_noop("No safe time to send before the appointment.")
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return False  # This reminder was already stored by an overlapping sweep.
    return True


def queue_partner_messages(
    appointment: Appointment,
    purpose: str,
    at: datetime,
    *,
    partners: Iterable[Partner] | None = None,
) -> list[AppointmentMessage]:
    """Store one message per safe channel of each invited partner; return those stored.

    A partner with no safe channel gets one UNSENDABLE row, so the clinician sees it.
    `partners` narrows the invited partners to these (the reminder sweep skips partners
    already reminded).
    """
    settings = clinic_settings(appointment.clinic_id)
    stored = []
    for partner in appointment.invited.all() if partners is None else partners:
        channels = safe_channels(partner)
        if not channels:
            message = AppointmentMessage(
                appointment=appointment,
                purpose=purpose,
                partner=partner,
                kind="",
                status=AppointmentMessage.Status.UNSENDABLE,
                send_after=at,
                last_error=gettext_noop("No channel marked safe for automated messages."),
                created_at=at,
            )
            if _store(message, appointment, at):
                stored.append(message)
            continue
        for channel in channels:
            message = AppointmentMessage(
                appointment=appointment,
                purpose=purpose,
                partner=partner,
                channel=channel,
                kind=channel.kind,
                send_after=send_after(appointment, settings, channel, at),
                created_at=at,
            )
            if _store(message, appointment, at):
                stored.append(message)
    return stored


def queue_requester_message(
    appointment: Appointment, request: ConsultationRequest, purpose: str, at: datetime
) -> AppointmentMessage:
    """Store the message to a consultation's requester, through the method they chose.

    A requester who asked for a phone call cannot be sent anything automatically: the message
    is UNSENDABLE and the inbox asks the clinician to call at a safe time.
    """
    settings = clinic_settings(appointment.clinic_id)
    message = AppointmentMessage(
        appointment=appointment,
        purpose=purpose,
        request=request,
        kind=request.contact_method,
        send_after=send_after(appointment, settings, request, at),
        created_at=at,
    )
    is_automated = request.contact_method in AUTOMATED_KINDS and (
        request.contact_method == ContactChannel.Kind.EMAIL or request.may_leave_message
    )
    if not is_automated:
        message.status = AppointmentMessage.Status.UNSENDABLE
        message.last_error = gettext_noop(
            "Asked to be phoned, or no message may be left: call them."
        )
    _store(message, appointment, at)
    return message
