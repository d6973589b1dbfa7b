"""Builders for appointment tests: the clinic's session types, and appointments scheduled the
way a clinician schedules them (through `rebond.appointments.sessions`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from rebond.accounts.models import Clinic, User
from rebond.appointments import sessions
from rebond.appointments.models import Appointment, SessionType
from rebond.couples.models import Couple, Partner
from rebond.lib.clinic_time import clinic_zone


def session_types(clinic: Clinic) -> dict[str, SessionType]:
    """Return the clinic's conjoint and individual session types (made once), by kind."""
    made: dict[str, SessionType] = {}
    for kind, name, minutes in (
        (SessionType.Kind.CONJOINT, "Conjoint session", 50),
        (SessionType.Kind.INDIVIDUAL, "Individual session", 50),
    ):
        made[kind], _ = SessionType.objects.get_or_create(
            clinic=clinic, name=name, defaults={"kind": kind, "duration_minutes": minutes}
        )
    return made


def schedule(
    clinician: User,
    couple: Couple,
    starts: datetime,
    *,
    kind: str = SessionType.Kind.CONJOINT,
    partner: Partner | None = None,
    video_link: str = "",
    every_weeks: int = 0,
    count: int = 1,
    at: datetime | None = None,
    by: User | None = None,
) -> list[Appointment]:
    """Schedule through the action, at `starts` read in the clinic's zone; `at` is "now"
    (a day before `starts` unless given, so an appointment can lie in the past)."""
    assert couple.clinic is not None
    local = timezone.localtime(starts, clinic_zone(couple.clinic))
    return sessions.schedule_sessions(
        by or clinician,
        couple.id,
        sessions.ScheduleDraft(
            session_type_id=session_types(couple.clinic)[kind].id,
            clinician_id=clinician.id,
            day=local.date(),
            clock=local.time().replace(tzinfo=None),
            mode=Appointment.Mode.VIDEO if video_link else Appointment.Mode.IN_PERSON,
            video_link=video_link,
            partner_id=partner.id if partner else None,
            every_weeks=every_weeks,
            count=count,
        ),
        at=at or starts - timedelta(days=1),
    )
