"""The diary in numbers, for the clinician: counts and means over rows, by partner and by week.

Pure functions over rows (anything with the five fields below), so the same arithmetic serves
the case page's one-line summary, the chart page, its table and the clinician's PDF. These are
the partner's own diary ratings, averaged: a diary, not a validated measure. Nothing is
compared with norms or turned into a signal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from statistics import fmean
from typing import Protocol

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# The case page's summary covers the last four weeks (issue 19 item 4).
SUMMARY_DAYS = 28
# The chart shows at least six weeks, so a new diary still reads as a time line, and at most
# half a year, so the weeks stay wide enough to read.
CHART_MIN_WEEKS = 6
CHART_MAX_WEEKS = 26
# Lazy: said in the language of the page or PDF it lands on.
NOT_A_MEASURE = gettext_lazy("diary, not a validated measure")


class DiaryRow(Protocol):
    """What the arithmetic reads of an entry (rebond.diary.models.DiaryEntry has it)."""

    @property
    def written_at(self) -> datetime: ...
    @property
    def felt_safe(self) -> int: ...
    @property
    def felt_close(self) -> int: ...
    @property
    def triggered(self) -> bool: ...
    @property
    def trigger_intensity(self) -> int | None: ...


@dataclass(frozen=True)
class Tally:
    """Entries, triggers and mean ratings of some rows (a mean is None without rows)."""

    entries: int
    triggers: int
    mean_intensity: float | None
    mean_safe: float | None
    mean_close: float | None


def _mean(values: Sequence[int]) -> float | None:
    return fmean(values) if values else None


def tally(rows: Iterable[DiaryRow]) -> Tally:
    """Count the rows and their triggers, and average their ratings."""
    rows = list(rows)
    intensities = [
        r.trigger_intensity for r in rows if r.triggered and r.trigger_intensity is not None
    ]
    return Tally(
        entries=len(rows),
        triggers=sum(1 for r in rows if r.triggered),
        mean_intensity=_mean(intensities),
        mean_safe=_mean([r.felt_safe for r in rows]),
        mean_close=_mean([r.felt_close for r in rows]),
    )


def recent(rows: Iterable[DiaryRow], at: datetime, days: int = SUMMARY_DAYS) -> list[DiaryRow]:
    """Return the rows written in the `days` before `at` (and not after it)."""
    since = at - timedelta(days=days)
    return [r for r in rows if since < r.written_at <= at]


def one_decimal(value: float | None) -> str:
    """Return a mean with one decimal, as the reader's language writes it ("6.0", "6,0")."""
    return "-" if value is None else number_format(value, 1)


def tally_words(counts: Tally) -> str:
    """Say a tally in one short phrase: "9 entries, 5 triggers (mean intensity 6.0), ..."."""
    if counts.entries == 0:
        return _("no entries")
    entries = ngettext("%(count)s entry", "%(count)s entries", counts.entries) % {
        "count": counts.entries
    }
    if counts.triggers == 0:
        triggers = _("no trigger")
    else:
        triggers = ngettext(
            "%(count)s trigger (mean intensity %(mean)s)",
            "%(count)s triggers (mean intensity %(mean)s)",
            counts.triggers,
        ) % {"count": counts.triggers, "mean": one_decimal(counts.mean_intensity)}
    # Translators: a diary's tally, e.g. "9 entries, 5 triggers (...), safety 6.2, closeness 5.0".
    return _("%(entries)s, %(triggers)s, safety %(safe)s, closeness %(close)s") % {
        "entries": entries,
        "triggers": triggers,
        "safe": one_decimal(counts.mean_safe),
        "close": one_decimal(counts.mean_close),
    }


def summary_line(parts: Sequence[tuple[str, Tally]]) -> str:
    """Return the one line of the case page: each partner's tally, separated by a dot."""
    return " \u00b7 ".join(f"{name}: {tally_words(counts)}" for name, counts in parts)


def week_start(day: date) -> date:
    """Return the Monday of the day's week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Week:
    starts_on: date
    counts: Tally


def chart_weeks(rows: Iterable[DiaryRow], today: date, zone: tzinfo) -> list[date]:
    """Return the Mondays the chart spans: from the first entry's week (at least six weeks
    back, at most 26) to this week, days in the clinic's zone."""
    this_week = week_start(today)
    first_days = [r.written_at.astimezone(zone).date() for r in rows]
    first = week_start(min(first_days)) if first_days else this_week
    span = (this_week - first).days // 7 + 1
    span = max(CHART_MIN_WEEKS, min(CHART_MAX_WEEKS, span))
    return [this_week - timedelta(weeks=span - 1 - n) for n in range(span)]


def weekly(rows: Iterable[DiaryRow], mondays: Sequence[date], zone: tzinfo) -> list[Week]:
    """Return the tally of each week starting on the Mondays given (days in `zone`)."""
    by_week: dict[date, list[DiaryRow]] = {monday: [] for monday in mondays}
    for row in rows:
        monday = week_start(row.written_at.astimezone(zone).date())
        if monday in by_week:
            by_week[monday].append(row)
    return [Week(monday, tally(by_week[monday])) for monday in mondays]
