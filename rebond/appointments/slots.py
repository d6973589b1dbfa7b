"""The times a clinician can be booked: weekly hours, minus time off, minus appointments.

Weekly hours are clock times at the clinic, so a 09:00-17:00 Monday stays 09:00-17:00 across a
daylight-saving change (its UTC times move by an hour). Slots start at the beginning of each
stretch and follow each other back to back, each as long as the session type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rebond.accounts.models import User
from rebond.appointments.models import Appointment, SessionType, TimeOff, WeeklyHours
from rebond.lib.clinic_time import clinic_zone

UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Slot:
    clinician_id: object
    starts_at: datetime  # aware, UTC
    ends_at: datetime


def _local(day: date, clock: object, zone: ZoneInfo) -> datetime:
    moment = datetime.combine(day, clock, tzinfo=zone)  # type: ignore[arg-type]
    return moment.astimezone(UTC)


def _overlaps(start: datetime, end: datetime, busy: Iterable[tuple[datetime, datetime]]) -> bool:
    return any(b_start < end and start < b_end for b_start, b_end in busy)


def free_slots(
    clinician: User,
    session_type: SessionType,
    *,
    start: datetime,
    end: datetime,
) -> list[Slot]:
    """Return the clinician's free slots of this type that start in [start, end), in order."""
    zone = clinic_zone(clinician.clinic)  # type: ignore[arg-type]
    length = timedelta(minutes=session_type.duration_minutes)
    hours = list(WeeklyHours.objects.filter(clinician=clinician))
    busy = [
        (a.starts_at, a.ends_at)
        for a in Appointment.objects.blocking()
        .filter(clinician=clinician, starts_at__lt=end + length, ends_at__gt=start)
        .only("starts_at", "ends_at")
    ]
    busy += [
        (t.starts_at, t.ends_at)
        for t in TimeOff.objects.filter(
            clinician=clinician, starts_at__lt=end + length, ends_at__gt=start
        )
    ]
    slots: list[Slot] = []
    day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    while day <= last_day:
        for stretch in (h for h in hours if h.weekday == day.weekday()):
            slot_start = _local(day, stretch.starts, zone)
            stretch_end = _local(day, stretch.ends, zone)
            while slot_start + length <= stretch_end:
                slot_end = slot_start + length
                if start <= slot_start < end and not _overlaps(slot_start, slot_end, busy):
                    slots.append(Slot(clinician.pk, slot_start, slot_end))
                slot_start = slot_end
        day += timedelta(days=1)
    return sorted(slots, key=lambda s: s.starts_at)
