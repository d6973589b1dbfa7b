"""Builders for the tests of reminders, the outbox and check-ins before sessions.

Appointments go through `booking.place` (the one writer of a time); settings, channels and
requests are rows created directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django.utils.timezone import now

from rebond.accounts.models import Clinic, User
from rebond.appointments.booking import place
from rebond.appointments.models import Appointment, AppointmentSettings, SessionType
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.intake.models import ConsultationRequest


def session_type(clinic: Clinic, kind: str = SessionType.Kind.CONJOINT) -> SessionType:
    found, _ = SessionType.objects.get_or_create(
        clinic=clinic, name=f"Type {kind}", defaults={"kind": kind, "duration_minutes": 50}
    )
    return found


def schedule(
    clinician: User,
    couple: Couple | None,
    starts_at: datetime,
    *,
    kind: str = SessionType.Kind.CONJOINT,
    invited: Iterable[Partner] | None = None,
    request: ConsultationRequest | None = None,
    status: str = Appointment.Status.SCHEDULED,
) -> Appointment:
    """Place an appointment; a case's invites both partners unless `invited` names them."""
    assert clinician.clinic is not None
    appointment = place(
        Appointment(
            clinic=clinician.clinic,
            clinician=clinician,
            session_type=session_type(clinician.clinic, kind),
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=50),
            couple=couple,
            request=request,
            status=status,
            created_by=clinician,
        )
    )
    if couple is not None:
        appointment.invited.set(couple.partners.all() if invited is None else list(invited))
    return appointment


def channel(
    partner: Partner,
    kind: str,
    value: str,
    *,
    safe: bool = True,
    may_leave_message: bool = False,
    safe_from: time | None = None,
    safe_until: time | None = None,
    may_mention_therapy: bool = False,
) -> ContactChannel:
    return ContactChannel.objects.create(
        partner=partner,
        kind=kind,
        value=value,
        safe_to_contact=safe,
        may_leave_message=may_leave_message,
        safe_from=safe_from,
        safe_until=safe_until,
        may_mention_therapy=may_mention_therapy,
    )


def appointment_settings(clinic: Clinic, **fields: Any) -> AppointmentSettings:
    found, _ = AppointmentSettings.objects.update_or_create(clinic=clinic, defaults=fields)
    return found


def consultation_request(clinic: Clinic, **fields: Any) -> ConsultationRequest:
    values: dict[str, Any] = {
        "name": "Requester",
        "contact_method": ConsultationRequest.ContactMethod.EMAIL,
        "contact_value": "requester@example.test",
        "may_leave_message": False,
        "feels_safe": ConsultationRequest.FeelsSafe.YES,
        "consented_at": now(),
        "status": ConsultationRequest.Status.ACCEPTED,
    }
    values.update(fields)
    return ConsultationRequest.objects.create(clinic=clinic, **values)


def partners(couple: Couple) -> tuple[Partner, Partner]:
    a, b = couple.partners.order_by("role")
    return a, b
