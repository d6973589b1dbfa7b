"""The demo practice's calendars (rebond/appointments): hours, session types, settings, and the
appointments that make the week views look like a practice at work.

- Both demo clinicians have weekly hours (Noor four and a half days, Ilse three); Noor has a
  training day next Friday.
- The clinic has the usual session types, consultation booking on and check-ins sent 24 hours
  before each conjoint session.
- The recent therapy sessions of the demo cases are their appointments, attended (the
  session's record is the appointment's: one object, no double entry).
- This week and next: each case's coming sessions (conjoint, and individual ones for both
  partners of a case in assessment), one cancelled, and Priya's free consultation held for
  Ilse to confirm.

Built once and kept: running `rebond demo` again adds nothing, except coming appointments for a
clinician who has none left ahead (a demo run weeks later still shows a week at work). Every
name and time here is invented; times are the clinic's clock times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.timezone import now

from rebond.accounts.models import Clinic, User
from rebond.appointments.booking import place
from rebond.appointments.clinic_settings import ensure_session_types
from rebond.appointments.models import (
    Appointment,
    AppointmentSettings,
    SessionType,
    TimeOff,
    WeeklyHours,
)
from rebond.appointments.week import local_moment
from rebond.couples.models import Couple
from rebond.intake.models import ConsultationRequest
from rebond.lib.clinic_time import clinic_today, clinic_zone
from rebond.lib.errors import ActionError
from rebond.therapy.models import Session

NOOR, ILSE = "therapist@demo.rebond.test", "supervisor@demo.rebond.test"

# (weekday, from, until): Monday is 0.
_HOURS: dict[str, list[tuple[int, str, str]]] = {
    NOOR: [
        *[(day, "09:00", "12:30") for day in range(4)],
        *[(day, "13:30", "18:30") for day in range(4)],
        (4, "09:00", "13:00"),
    ],
    ILSE: [(day, "10:00", "16:00") for day in (1, 2, 3)],
}

# The therapy sessions of the last weeks become attended appointments.
_PAST_DAYS = 28


@dataclass(frozen=True)
class Planned:
    """One appointment of the coming weeks: whose, when (weekday, clock), what."""

    clinician: str
    weekday: int
    clock: str
    kind: str
    case: str = ""  # a demo case's label; empty for the consultation
    invited: str = "AB"  # partner roles invited
    week: int = 0  # 0: this week, 1: next week
    status: str = Appointment.Status.SCHEDULED
    by_video: bool = False


CONJOINT, INDIVIDUAL = SessionType.Kind.CONJOINT, SessionType.Kind.INDIVIDUAL
_PLAN = [
    *[Planned(NOOR, 1, "17:00", CONJOINT, "Okafor & Lindqvist", week=week) for week in (0, 1)],
    *[Planned(NOOR, 3, "17:00", CONJOINT, "Haddad & Moreau", week=week) for week in (0, 1)],
    # An assessment: an individual session with each partner, one week apart (DOMAIN 7.5
    # rule 4: both partners are seen alone, so the schedule itself reveals nothing).
    Planned(NOOR, 2, "10:00", INDIVIDUAL, "Reyes & Bauer", invited="A"),
    Planned(NOOR, 2, "10:00", INDIVIDUAL, "Reyes & Bauer", invited="B", week=1),
    # Paused for safety: the conjoint session is cancelled, individual sessions go on.
    Planned(NOOR, 3, "15:00", CONJOINT, "Novak & Ferreira", status=Appointment.Status.CANCELLED),
    Planned(NOOR, 0, "11:00", INDIVIDUAL, "Novak & Ferreira", invited="A", week=1, by_video=True),
    Planned(ILSE, 2, "11:00", CONJOINT, "Kowalski & Tanaka", week=1),
    # Priya chose a time on the public page: held until Ilse confirms it.
    Planned(ILSE, 3, "14:00", SessionType.Kind.CONSULTATION, status=Appointment.Status.REQUESTED),
]


def build_demo_calendar(clinic: Clinic) -> None:
    """Give the demo clinic its calendars (see the module docstring); idempotent."""
    types = {t.kind: t for t in ensure_session_types(clinic) if t.is_active}
    AppointmentSettings.objects.get_or_create(
        clinic=clinic, defaults={"consultation_booking": True, "checkin_lead_hours": 24}
    )
    clinicians = {u.email: u for u in User.objects.filter(clinic=clinic, email__in=_HOURS)}
    for email, stretches in _HOURS.items():
        clinician = clinicians.get(email)
        if clinician is None or WeeklyHours.objects.filter(clinician=clinician).exists():
            continue
        WeeklyHours.objects.bulk_create(
            WeeklyHours(
                clinician=clinician,
                weekday=day,
                starts=time.fromisoformat(starts),
                ends=time.fromisoformat(ends),
            )
            for day, starts, ends in stretches
        )
    monday = _this_monday(clinic)
    if NOOR in clinicians and not TimeOff.objects.filter(clinician=clinicians[NOOR]).exists():
        training = monday + timedelta(days=11)  # next Friday
        zone = clinic_zone(clinic)
        TimeOff.objects.create(
            clinician=clinicians[NOOR],
            starts_at=local_moment(training, time(0), zone),
            ends_at=local_moment(training + timedelta(days=1), time(0), zone),
            reason="Training day",
        )
    _link_recent_sessions(clinic, types)
    _plan_coming_weeks(clinic, types, clinicians, monday)


def _this_monday(clinic: Clinic) -> date:
    today = clinic_today(clinic)
    return today - timedelta(days=today.weekday())


def _book(appointment: Appointment) -> Appointment | None:
    """Place the appointment; None where the clinician's time is already taken."""
    try:
        return place(appointment)
    except ActionError:
        return None


_STATUS_OF_ATTENDANCE: dict[str, str] = {
    Session.Attendance.HELD: Appointment.Status.ATTENDED,
    Session.Attendance.PARTLY: Appointment.Status.ATTENDED,
    Session.Attendance.MISSED: Appointment.Status.NO_SHOW,
    Session.Attendance.CANCELLED: Appointment.Status.CANCELLED,
}


def _link_recent_sessions(clinic: Clinic, types: dict[str, SessionType]) -> None:
    """Make each recent therapy session of the demo cases its appointment, once."""
    sessions = (
        Session.objects.filter(
            couple__clinic=clinic,
            occurred_at__gte=now() - timedelta(days=_PAST_DAYS),
            occurred_at__lt=now(),
            voided_at__isnull=True,
            appointment__isnull=True,
        )
        .select_related("couple")
        .prefetch_related("attendees")
        .order_by("occurred_at")
    )
    for session in sessions:
        session_type = types[session.kind]
        appointment = _book(
            Appointment(
                clinic=clinic,
                clinician=session.couple.primary_clinician,
                session_type=session_type,
                kind=session_type.kind,
                starts_at=session.occurred_at,
                ends_at=session.occurred_at + timedelta(minutes=session_type.duration_minutes),
                status=_STATUS_OF_ATTENDANCE[session.attendance],
                couple=session.couple,
                session=session,
                created_by=session.created_by,
                created_at=session.occurred_at - timedelta(days=7),
            )
        )
        if appointment is not None:
            appointment.invited.set(session.attendees.all())


def _plan_coming_weeks(
    clinic: Clinic, types: dict[str, SessionType], clinicians: dict[str, User], monday: date
) -> None:
    """Book the plan's appointments still ahead, for each clinician with none ahead."""
    at = now()
    zone = clinic_zone(clinic)
    cases = {c.label: c for c in Couple.objects.filter(clinic=clinic)}
    # Names are encrypted: the demo's request is found by reading them, not by a query.
    request = next(
        (r for r in ConsultationRequest.objects.filter(clinic=clinic) if r.name == "Priya"), None
    )
    busy = set(
        Appointment.objects.filter(
            clinic=clinic, starts_at__gte=at, status__in=Appointment.UPCOMING_STATUSES
        ).values_list("clinician__email", flat=True)
    )
    settings = AppointmentSettings.objects.filter(clinic=clinic).first()
    hold = timedelta(hours=settings.hold_hours if settings else 72)
    for planned in _PLAN:
        clinician = clinicians.get(planned.clinician)
        couple = cases.get(planned.case)
        if clinician is None or planned.clinician in busy:
            continue
        if (planned.case and couple is None) or (not planned.case and request is None):
            continue
        day = monday + timedelta(days=7 * planned.week + planned.weekday)
        starts_at = local_moment(day, time.fromisoformat(planned.clock), zone)
        if starts_at <= at:
            continue
        appointment = _book(_planned(planned, clinic, clinician, types, couple, request, starts_at))
        if appointment is None:
            continue
        if planned.status == Appointment.Status.REQUESTED:
            Appointment.objects.filter(pk=appointment.pk).update(held_until=at + hold)
        if couple is not None:
            appointment.invited.set(couple.partners.filter(role__in=list(planned.invited)))


def _planned(
    planned: Planned,
    clinic: Clinic,
    clinician: User,
    types: dict[str, SessionType],
    couple: Couple | None,
    request: ConsultationRequest | None,
    starts_at: datetime,
) -> Appointment:
    session_type = types[planned.kind]
    cancelled = planned.status == Appointment.Status.CANCELLED
    return Appointment(
        clinic=clinic,
        clinician=clinician,
        session_type=session_type,
        kind=session_type.kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=session_type.duration_minutes),
        status=planned.status,
        mode=Appointment.Mode.VIDEO if planned.by_video else Appointment.Mode.IN_PERSON,
        video_link="https://video.example.test/harbour-demo/room-2" if planned.by_video else "",
        couple=couple,
        request=None if couple is not None else request,
        created_by=None if couple is None else clinician,
        cancelled_at=now() if cancelled else None,
    )
