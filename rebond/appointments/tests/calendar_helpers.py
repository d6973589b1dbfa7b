"""Builders for the calendar tests: session types, weekly hours, times at a clinic, bookings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rebond.accounts.models import User
from rebond.appointments.booking import place
from rebond.appointments.clinic_settings import ensure_session_types
from rebond.appointments.models import Appointment, SessionType, WeeklyHours
from rebond.couples.models import Couple
from rebond.intake.models import ConsultationRequest


def session_type(clinician: User, kind: str = SessionType.Kind.CONJOINT) -> SessionType:
    """Return the clinician's clinic's usual session type of this kind (seeded if need be)."""
    assert clinician.clinic is not None
    ensure_session_types(clinician.clinic)
    return SessionType.objects.get(clinic=clinician.clinic, kind=kind)


def hours(clinician: User, weekday: int, starts: str, ends: str) -> WeeklyHours:
    """Give the clinician a stretch of weekly hours, e.g. hours(alice, 0, "09:00", "12:00")."""
    return WeeklyHours.objects.create(
        clinician=clinician,
        weekday=weekday,
        starts=time.fromisoformat(starts),
        ends=time.fromisoformat(ends),
    )


def at(day: str, clock: str, zone: str) -> datetime:
    """Return the moment `day` `clock` on the clocks of `zone`, e.g. at("2027-03-29", "09:00",
    "Europe/Madrid")."""
    return datetime.combine(
        date.fromisoformat(day), time.fromisoformat(clock), tzinfo=ZoneInfo(zone)
    )


def book(
    clinician: User,
    starts_at: datetime,
    *,
    couple: Couple | None = None,
    request: ConsultationRequest | None = None,
    kind: str = SessionType.Kind.CONJOINT,
    status: str = Appointment.Status.SCHEDULED,
    minutes: int | None = None,
    by: User | None = None,
) -> Appointment:
    """Put an appointment into the clinician's calendar through booking.place."""
    assert clinician.clinic is not None
    chosen = session_type(clinician, kind)
    length = timedelta(minutes=minutes or chosen.duration_minutes)
    return place(
        Appointment(
            clinic=clinician.clinic,
            clinician=clinician,
            session_type=chosen,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + length,
            couple=couple,
            request=request,
            status=status,
            created_by=by,
        )
    )
