"""When a message may reach a person: inside their safe window, in the clinic's time zone.

A person may have said when it is safe to contact them (a window such as 18:00-20:00, or
21:00-07:00 across midnight). Automated messages wait for that window; a person who gave no
window gets the clinic's default one (AppointmentSettings.default_window_*), so that nothing
arrives in the middle of the night. Times are wall-clock times at the clinic: across a
daylight-saving change the window keeps its clock times, not its UTC offset.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def _at(day: datetime, clock: time, zone: ZoneInfo) -> datetime:
    """Return `clock` on `day`'s date at the clinic, resolved through UTC.

    A clock time that does not exist that day (skipped by a spring-forward change) resolves
    to the same offset as before the change, which is later by the missing hour in UTC.
    """
    local = datetime.combine(day.date(), clock, tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC")).astimezone(zone)


def is_inside(local: datetime, start: time, end: time) -> bool:
    """Return whether the clock time of `local` lies in [start, end) (crossing midnight too)."""
    clock = local.timetz().replace(tzinfo=None)
    if start == end:
        return True  # A window of 24 hours: any time is safe.
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def next_safe_moment(at: datetime, zone: ZoneInfo, start: time, end: time) -> datetime:
    """Return the first moment from `at` on that lies inside the window [start, end)."""
    local = at.astimezone(zone)
    if is_inside(local, start, end):
        return at
    # Outside the window: it opens next at `start`, today or tomorrow (clinic calendar days).
    today = _at(local, start, zone)
    if today > local:
        return today
    tomorrow = local + timedelta(days=1)
    return _at(tomorrow, start, zone)
