"""The diary's arithmetic: counts and means over rows, the one line, and the weeks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from rebond.diary import summary
from rebond.diary.summary import Tally


@dataclass(frozen=True)
class Row:
    written_at: datetime
    felt_safe: int
    felt_close: int
    triggered: bool = False
    trigger_intensity: int | None = None


AT = datetime(2026, 3, 20, 12, tzinfo=UTC)  # a Friday


def test_a_tally_counts_entries_and_triggers_and_averages_the_ratings() -> None:
    rows = [
        Row(AT, 4, 2, True, 6),
        Row(AT, 6, 5, True, 8),
        Row(AT, 5, 5),
    ]
    counts = summary.tally(rows)
    assert counts == Tally(3, 2, 7.0, 5.0, 4.0)


def test_an_empty_tally_has_no_means() -> None:
    assert summary.tally([]) == Tally(0, 0, None, None, None)
    assert summary.tally_words(summary.tally([])) == "no entries"


def test_the_last_four_weeks_leave_out_older_and_later_rows() -> None:
    rows = [
        Row(AT - timedelta(days=28), 1, 1),  # exactly four weeks before: out
        Row(AT - timedelta(days=27, hours=23), 2, 2),
        Row(AT, 3, 3),
        Row(AT + timedelta(minutes=1), 9, 9),  # after `at`: out
    ]
    assert [r.felt_safe for r in summary.recent(rows, AT)] == [2, 3]


def test_the_one_line_names_each_partner_with_their_tally() -> None:
    ana = summary.tally([Row(AT, 5, 4, True, 6), Row(AT, 6, 4, True, 5), Row(AT, 4, 4)])
    ben = summary.tally([Row(AT, 7, 6)])
    line = summary.summary_line([("Ana", ana), ("Ben", ben)])
    assert line == (
        "Ana: 3 entries, 2 triggers (mean intensity 5.5), safety 5.0, closeness 4.0"
        " \u00b7 Ben: 1 entry, no trigger, safety 7.0, closeness 6.0"
    )


def test_weeks_run_monday_to_sunday_in_the_clinics_zone() -> None:
    zone = ZoneInfo("Pacific/Auckland")  # UTC+13 in March: Sunday 20:00 UTC is Monday there
    sunday_evening_utc = datetime(2026, 3, 15, 20, tzinfo=UTC)
    rows = [Row(sunday_evening_utc, 8, 8, True, 3), Row(datetime(2026, 3, 11, tzinfo=UTC), 2, 2)]
    mondays = summary.chart_weeks(rows, date(2026, 3, 20), zone)
    assert len(mondays) == summary.CHART_MIN_WEEKS
    assert mondays[-1] == date(2026, 3, 16)
    weeks = summary.weekly(rows, mondays, zone)
    assert weeks[-1].counts == Tally(1, 1, 3.0, 8.0, 8.0)
    assert weeks[-2].counts == Tally(1, 0, None, 2.0, 2.0)
    assert all(w.counts.entries == 0 for w in weeks[:-2])


def test_the_chart_spans_from_the_first_entry_but_at_most_half_a_year() -> None:
    zone = ZoneInfo("UTC")
    today = date(2026, 3, 20)
    rows = [Row(datetime(2026, 1, 5, tzinfo=UTC), 5, 5)]
    mondays = summary.chart_weeks(rows, today, zone)
    assert mondays[0] == date(2026, 1, 5)
    assert mondays[-1] == date(2026, 3, 16)
    old = [Row(datetime(2024, 1, 1, tzinfo=UTC), 5, 5)]
    assert len(summary.chart_weeks(old, today, zone)) == summary.CHART_MAX_WEEKS
