"""A calendar week at the clinic: its seven days, their hours, time off and appointments.

Days are the clinic's calendar days (midnight to midnight on its clocks), so a day on which the
clocks change is 23 or 25 hours long, and weekly hours keep their clock times: a 09:00 Monday
stays 09:00 on the clinic's clocks whatever its offset from UTC that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext as _

UTC = ZoneInfo("UTC")
# Weeks a calendar may be asked for: enough for any practice, far from the ends of `date`.
FIRST_YEAR, LAST_YEAR = 1970, 2200


class TimesAClinicClock(Protocol):
    """A stretch of weekly hours: a weekday and two clock times at the clinic."""

    weekday: int
    starts: time
    ends: time


class Timed(Protocol):
    """Anything that starts and ends at a moment (an appointment, a stretch of time off)."""

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


class LocalTimeError(ValueError):
    """A clock time that the clinic's clocks skip, or show twice, on that day."""


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Return the first moment of `day` at the clinic, in UTC.

    Where the clocks skip midnight itself (a few zones change at 00:00), the day starts at the
    first moment that exists, which the round trip through UTC gives.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_moment(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """Return `clock` on `day` at the clinic, in UTC; refuse a time skipped or repeated there.

    A person typing "02:30" on the night the clocks go forward means a time that never comes,
    and on the night they go back one that comes twice: either is a question to ask them, not a
    guess to make (the same rule as the date-time fields of every form, docs/architecture.md).
    """
    local = datetime.combine(day, clock, tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise LocalTimeError(
            _("%(time)s does not exist on %(day)s: the clocks skip it.")
            % {"time": f"{clock:%H:%M}", "day": dateformat.format(day, "j F Y")}
        )
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        raise LocalTimeError(
            _(
                "%(time)s comes twice on %(day)s: the clocks go back. "
                "Choose a time an hour earlier or later."
            )
            % {"time": f"{clock:%H:%M}", "day": dateformat.format(day, "j F Y")}
        )
    return local.astimezone(UTC)


def monday_of(value: str | None, today: date) -> date:
    """Return the Monday of the week holding the date `value` (YYYY-MM-DD), else of `today`."""
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        day = today
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Stretch:
    """A stretch of a day as the clinic's clocks show it (a whole day when both are None)."""

    starts: time | None
    ends: time | None
    reason: str = ""

    @property
    def is_whole_day(self) -> bool:
        return self.starts is None and self.ends is None


@dataclass
class Day:
    date: date
    starts_at: datetime  # UTC
    ends_at: datetime
    is_today: bool
    hours: list[Stretch] = field(default_factory=list)
    time_off: list[Stretch] = field(default_factory=list)
    entries: list[Any] = field(default_factory=list)

    @property
    def is_working_day(self) -> bool:
        return bool(self.hours) and not any(t.is_whole_day for t in self.time_off)


@dataclass
class Week:
    monday: date
    days: list[Day]

    @property
    def starts_at(self) -> datetime:
        return self.days[0].starts_at

    @property
    def ends_at(self) -> datetime:
        return self.days[-1].ends_at

    @property
    def sunday(self) -> date:
        return self.days[-1].date

    @property
    def previous_monday(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def entry_count(self) -> int:
        return sum(len(day.entries) for day in self.days)


def empty_week(monday: date, zone: ZoneInfo, today: date) -> Week:
    """Return the week starting `monday` at the clinic, its days bounded by local midnights."""
    days: list[Day] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        days.append(
            Day(
                date=day,
                starts_at=start_of_day(day, zone),
                ends_at=start_of_day(day + timedelta(days=1), zone),
                is_today=day == today,
            )
        )
    return Week(monday=monday, days=days)


def _clipped(item: Timed, day: Day, zone: ZoneInfo, reason: str = "") -> Stretch:
    """Return the part of `item` inside `day`, in clock times (None at the day's own ends)."""
    starts = None if item.starts_at <= day.starts_at else item.starts_at.astimezone(zone).time()
    ends = None if item.ends_at >= day.ends_at else item.ends_at.astimezone(zone).time()
    return Stretch(starts, ends, reason)


def fill_week(
    week: Week,
    zone: ZoneInfo,
    *,
    hours: Iterable[TimesAClinicClock] = (),
    time_off: Sequence[Timed] = (),
    reasons: Sequence[str] = (),
    entries: Iterable[Timed] = (),
) -> Week:
    """Put the hours, time off and entries (each on the day it starts) into the week's days.

    `reasons` are the time off's words, in the same order as `time_off`.
    """
    hours = list(hours)
    by_day: dict[date, list[Timed]] = {}
    for entry in entries:
        by_day.setdefault(entry.starts_at.astimezone(zone).date(), []).append(entry)
    for day in week.days:
        day.hours = [
            Stretch(h.starts, h.ends)
            for h in sorted(hours, key=lambda h: h.starts)
            if h.weekday == day.date.weekday()
        ]
        day.time_off = [
            _clipped(item, day, zone, reason)
            for item, reason in zip(time_off, reasons or [""] * len(time_off), strict=True)
            if item.starts_at < day.ends_at and item.ends_at > day.starts_at
        ]
        day.entries = sorted(by_day.get(day.date, []), key=lambda e: e.starts_at)
    return week
