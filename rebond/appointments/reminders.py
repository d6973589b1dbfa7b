"""Reminders of appointments: one to each invited partner, at the clinic's lead time.

A scheduled session of an active case is due for reminders once it starts within the clinic's
`reminder_lead_hours` (AppointmentSettings). Each invited partner, and only they (an individual
session reminds its one partner), is reminded once, through each of their channels marked safe
for automated messages (`recipients.safe_channels`: e-mail, or a text where a message may be
left), inside their safe window; `recipients.queue_partner_messages` stores the messages and
`outbox.send_due_messages` sends them. A partner with no safe channel, or no safe moment
before the start, gets one UNSENDABLE reminder the clinician sees.

A partner who already has a reminder about this appointment (in any state) is not reminded
again. Overlapping sweeps: each appointment is locked while its reminders are stored (a row
lock on PostgreSQL; SQLite serialises every writing transaction), and the unique constraint
`appointment_reminder_once` refuses a second reminder through the same channel anyway.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.timezone import now

from rebond.appointments import recipients
from rebond.appointments.models import Appointment, AppointmentMessage
from rebond.couples.models import Couple

REMINDER = AppointmentMessage.Purpose.REMINDER
# The longest lead a clinic may set (AppointmentSettings.reminder_lead_hours' validator).
LONGEST_LEAD = timedelta(hours=24 * 7)


def due_for_reminders(at: datetime) -> list[Appointment]:
    """Return the scheduled sessions whose reminders are due at `at` and not all stored yet."""
    invited = Appointment.invited.through.objects.filter(appointment_id=OuterRef("pk"))
    reminded = AppointmentMessage.objects.filter(
        appointment_id=OuterRef("appointment_id"),
        partner_id=OuterRef("partner_id"),
        purpose=REMINDER,
    )
    candidates = (
        Appointment.objects.filter(
            status=Appointment.Status.SCHEDULED,
            couple__isnull=False,
            starts_at__gt=at,
            starts_at__lte=at + LONGEST_LEAD,
        )
        .exclude(couple__status__in=Couple.INACTIVE_STATUSES)
        # Someone invited has no reminder yet: the partners already reminded are done.
        .filter(Exists(invited.exclude(Exists(reminded))))
        .select_related("clinic")
        .order_by("starts_at", "id")
    )
    leads: dict[uuid.UUID, timedelta] = {}
    due = []
    for appointment in candidates:
        if appointment.clinic_id not in leads:
            settings = recipients.clinic_settings(appointment.clinic_id)
            leads[appointment.clinic_id] = timedelta(hours=settings.reminder_lead_hours)
        if appointment.starts_at - leads[appointment.clinic_id] <= at:
            due.append(appointment)
    return due


def queue_reminders(appointment: Appointment, at: datetime) -> int:
    """Store the reminders of one appointment for partners not yet reminded; return how many."""
    with transaction.atomic():
        # Overlapping sweeps store one appointment's reminders one after the other.
        locked = (
            Appointment.objects.select_for_update()
            .filter(pk=appointment.pk, status=Appointment.Status.SCHEDULED, starts_at__gt=at)
            .first()
        )
        if locked is None:
            return 0  # Cancelled or moved on since it was found.
        waiting = list(
            locked.invited.exclude(
                Exists(
                    AppointmentMessage.objects.filter(
                        appointment=locked, partner_id=OuterRef("pk"), purpose=REMINDER
                    )
                )
            )
        )
        if not waiting:
            return 0
        return len(recipients.queue_partner_messages(locked, REMINDER, at, partners=waiting))


def queue_due_reminders(at: datetime | None = None) -> int:
    """Store every reminder due at `at` (now by default); return how many messages were stored.

    Stored messages include the UNSENDABLE ones (no safe channel or time): they are the
    clinician's cue to tell the person another way.
    """
    at = at or now()
    return sum(queue_reminders(appointment, at) for appointment in due_for_reminders(at))
