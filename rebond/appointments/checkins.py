"""Check-ins sent a set number of hours before each conjoint session (issue 18, item 5).

A clinic that sets `AppointmentSettings.checkin_lead_hours` has the case's every-session set
(`Occasion.EVERY_SESSION`: CSI-4 and PHQ-9 unless the clinic or case chose others) scheduled
for both partners that many hours before each scheduled conjoint session of an active case,
so that both partners' scores are in when the session starts. Scheduling goes through
`assessments.actions.apply_schedule` as the session's clinician: the same checks, symmetry
(risk instruments for both partners at once) and audit entries as when they schedule it
themselves. The partners hear of it by the check-in notice of `rebond checkin_reminders`
(rebond/assessments/reminders.py, rule 6): a neutral e-mail with a fresh private link.

Each session is claimed first by a conditional UPDATE of `checkins_sent_at` in the transaction
that schedules the check-ins, so overlapping sweeps schedule them once: the second UPDATE
matches no row (PostgreSQL re-reads the row after the first commits; SQLite serialises the
writes). If scheduling is refused (the clinician no longer on the case, an empty set), the
claim stays, the refusal is audited and the sweep moves on: it is not retried every minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.http import Http404
from django.utils.timezone import now

from rebond import audit
from rebond.appointments.models import Appointment, AppointmentSettings
from rebond.assessments.actions import apply_schedule
from rebond.assessments.models import Occasion
from rebond.couples.models import Couple
from rebond.lib.errors import ActionError


def due_for_checkins(at: datetime) -> list[Appointment]:
    """Return the conjoint sessions whose check-ins are due at `at` and not yet sent."""
    leads = {
        row.clinic_id: timedelta(hours=row.checkin_lead_hours)
        for row in AppointmentSettings.objects.filter(checkin_lead_hours__isnull=False)
        if row.checkin_lead_hours is not None
    }
    if not leads:
        return []
    candidates = (
        Appointment.objects.filter(
            clinic_id__in=list(leads),
            kind=Appointment.Kind.CONJOINT,
            status=Appointment.Status.SCHEDULED,
            couple__isnull=False,
            checkins_sent_at=None,
            starts_at__gt=at,
            starts_at__lte=at + max(leads.values()),
        )
        .exclude(couple__status__in=Couple.INACTIVE_STATUSES)
        .select_related("clinician")
        .order_by("starts_at", "id")
    )
    return [a for a in candidates if a.starts_at - leads[a.clinic_id] <= at]


def send_checkins(appointment: Appointment, at: datetime) -> bool:
    """Schedule one session's check-ins unless another sweep did; return whether this one did."""
    couple_id = appointment.couple_id
    if couple_id is None:
        return False  # A consultation has no case, so no check-ins (the sweep never finds one).
    with transaction.atomic():
        claimed = Appointment.objects.filter(
            pk=appointment.pk,
            status=Appointment.Status.SCHEDULED,
            checkins_sent_at=None,
            starts_at__gt=at,
        ).update(checkins_sent_at=at)
        if claimed != 1:
            return False  # Sent by another sweep, or cancelled or moved since it was found.
        try:
            # A savepoint: a refusal undoes only what scheduling wrote, never the claim.
            with transaction.atomic():
                apply_schedule(
                    appointment.clinician,
                    couple_id,
                    Occasion.EVERY_SESSION,
                    due_at=at,
                )
        except (ActionError, Http404):
            audit.log(
                actor=None,
                action="appointments.appointment.checkins_refused",
                obj=appointment,
                clinic_id=appointment.clinic_id,
                fields=["checkins_sent_at"],
            )
            return False
        audit.log(
            actor=None,
            action="appointments.appointment.checkins_sent",
            obj=appointment,
            clinic_id=appointment.clinic_id,
            fields=["checkins_sent_at"],
        )
    return True


def send_session_checkins(at: datetime | None = None) -> int:
    """Schedule the check-ins of every conjoint session due at `at`; return how many sessions."""
    at = at or now()
    return sum(send_checkins(appointment, at) for appointment in due_for_checkins(at))
