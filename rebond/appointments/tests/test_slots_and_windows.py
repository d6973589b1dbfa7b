"""Free slots and safe windows keep the clinic's clock times across daylight-saving changes.

Europe/Madrid springs forward on 28 March 2027 (02:00 CET becomes 03:00 CEST) and falls back
on 31 October 2027; Australia/Sydney falls back on 4 April 2027 (03:00 AEDT becomes 02:00
AEST). A 09:00 Monday stretch is 09:00 on the clinic's clocks on both sides of each change,
so its UTC time moves by an hour; time off and booked appointments take their slots away.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rebond.accounts.models import User
from rebond.appointments.models import Appointment, SessionType, TimeOff
from rebond.appointments.slots import Slot, free_slots
from rebond.appointments.tests.calendar_helpers import at, book, hours, session_type
from rebond.lib.safe_window import next_safe_moment
from rebond.test import make_clinic, make_clinician, make_couple

pytestmark = pytest.mark.django_db

MONDAY = 0
THREE_FIFTY_MINUTE_SLOTS = ["09:00", "09:50", "10:40"]


def clinician_in(zone: str) -> User:
    return make_clinician(make_clinic(f"Clinic in {zone}", timezone=zone), "Noor Castellan")


def local_starts(slots: list[Slot], zone: str) -> list[str]:
    return [f"{s.starts_at.astimezone(ZoneInfo(zone)):%H:%M}" for s in slots]


def slots_on(
    clinician: User, day: str, zone: str, kind: str = SessionType.Kind.INDIVIDUAL
) -> list[Slot]:
    start = at(day, "00:00", zone)
    return free_slots(
        clinician, session_type(clinician, kind), start=start, end=start + timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("zone", "before", "after", "utc_before", "utc_after"),
    [
        # Spring forward: 09:00 CET is 08:00 UTC, 09:00 CEST is 07:00 UTC.
        ("Europe/Madrid", "2027-03-22", "2027-03-29", "08:00", "07:00"),
        # Fall back: 09:00 CEST is 07:00 UTC, 09:00 CET is 08:00 UTC.
        ("Europe/Madrid", "2027-10-25", "2027-11-01", "07:00", "08:00"),
        # Sydney falls back: 09:00 AEDT is 22:00 UTC the day before, 09:00 AEST 23:00.
        ("Australia/Sydney", "2027-03-29", "2027-04-05", "22:00", "23:00"),
    ],
)
def test_a_nine_oclock_monday_stays_nine_oclock_across_the_change(
    zone: str, before: str, after: str, utc_before: str, utc_after: str
) -> None:
    clinician = clinician_in(zone)
    hours(clinician, MONDAY, "09:00", "12:00")
    for day, utc in ((before, utc_before), (after, utc_after)):
        slots = slots_on(clinician, day, zone)
        assert local_starts(slots, zone) == THREE_FIFTY_MINUTE_SLOTS, day
        assert f"{slots[0].starts_at.astimezone(UTC):%H:%M}" == utc, day
        assert all(s.ends_at - s.starts_at == timedelta(minutes=50) for s in slots)


@pytest.mark.parametrize("zone", ["Europe/Madrid", "Australia/Sydney", "America/New_York"])
def test_every_monday_of_the_year_offers_the_same_clock_times(zone: str) -> None:
    clinician = clinician_in(zone)
    hours(clinician, MONDAY, "09:00", "12:00")
    start = at("2027-01-01", "00:00", zone)
    slots = free_slots(
        clinician,
        session_type(clinician, SessionType.Kind.INDIVIDUAL),
        start=start,
        end=at("2028-01-01", "00:00", zone),
    )
    by_day: dict[date, list[str]] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(ZoneInfo(zone))
        assert local.weekday() == MONDAY
        by_day.setdefault(local.date(), []).append(f"{local:%H:%M}")
    assert len(by_day) == 52  # 2027 has 52 Mondays
    assert set(map(tuple, by_day.values())) == {tuple(THREE_FIFTY_MINUTE_SLOTS)}


def test_a_stretch_over_the_skipped_hour_offers_only_the_time_that_exists() -> None:
    # Sunday 28 March 2027 in Madrid, 01:00 to 04:00 on the clocks: two real hours.
    zone = "Europe/Madrid"
    clinician = clinician_in(zone)
    hours(clinician, 6, "01:00", "04:00")
    slots = slots_on(clinician, "2027-03-28", zone, SessionType.Kind.CONSULTATION)
    assert local_starts(slots, zone) == ["01:00", "01:30", "03:00", "03:30"]
    assert slots[-1].ends_at - slots[0].starts_at == timedelta(hours=2)


def test_time_off_and_appointments_take_their_slots_away() -> None:
    zone = "Europe/Madrid"
    clinician = clinician_in(zone)
    hours(clinician, MONDAY, "09:00", "12:00")
    couple = make_couple(clinician)
    day = "2027-03-29"  # the first Monday after the change
    # A cancelled appointment frees its time again; a scheduled one takes it.
    book(clinician, at(day, "09:50", zone), couple=couple, kind=SessionType.Kind.INDIVIDUAL)
    book(
        clinician,
        at(day, "10:40", zone),
        couple=couple,
        kind=SessionType.Kind.INDIVIDUAL,
        status=Appointment.Status.CANCELLED,
    )
    assert local_starts(slots_on(clinician, day, zone), zone) == ["09:00", "10:40"]
    TimeOff.objects.create(
        clinician=clinician, starts_at=at(day, "08:00", zone), ends_at=at(day, "09:30", zone)
    )
    assert local_starts(slots_on(clinician, day, zone), zone) == ["10:40"]
    # A whole day off (the next Monday): nothing at all.
    TimeOff.objects.create(
        clinician=clinician,
        starts_at=at("2027-04-05", "00:00", zone),
        ends_at=at("2027-04-06", "00:00", zone),
        reason="Leave",
    )
    assert slots_on(clinician, "2027-04-05", zone) == []


def test_a_search_crossing_midnight_in_utc_finds_the_clinics_morning() -> None:
    # Monday 5 April 2027, 09:00-10:00 in Sydney is Sunday 23:00-24:00 UTC: a search from
    # Sunday 20:00 to Monday 02:00 UTC holds the whole Sydney morning.
    zone = "Australia/Sydney"
    clinician = clinician_in(zone)
    hours(clinician, MONDAY, "09:00", "10:00")
    start = datetime(2027, 4, 4, 20, 0, tzinfo=UTC)
    slots = free_slots(
        clinician,
        session_type(clinician, SessionType.Kind.CONSULTATION),
        start=start,
        end=start + timedelta(hours=6),
    )
    assert local_starts(slots, zone) == ["09:00", "09:30"]
    assert slots[0].starts_at == datetime(2027, 4, 4, 23, 0, tzinfo=UTC)


def test_a_slot_that_would_outlast_its_stretch_is_not_offered() -> None:
    zone = "Europe/Madrid"
    clinician = clinician_in(zone)
    hours(clinician, MONDAY, "09:00", "10:30")  # 80 minutes fit once, not twice
    slots = slots_on(clinician, "2027-03-29", zone, SessionType.Kind.CONJOINT)
    assert local_starts(slots, zone) == ["09:00"]


# --- Safe windows -------------------------------------------------------------------------


def clock(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2027-03-10 23:30", "2027-03-10 23:30"),  # inside, before midnight
        ("2027-03-11 06:59", "2027-03-11 06:59"),  # inside, after midnight
        ("2027-03-11 07:00", "2027-03-11 21:00"),  # the window just closed: tonight
        ("2027-03-11 12:00", "2027-03-11 21:00"),
        ("2027-03-11 20:59", "2027-03-11 21:00"),
    ],
)
def test_a_window_across_midnight(now: str, expected: str) -> None:
    zone = "Europe/Madrid"
    day, hour = now.split()
    moment = next_safe_moment(at(day, hour, zone), ZoneInfo(zone), time(21), time(7))
    assert clock(moment, zone) == expected


@pytest.mark.parametrize(
    ("zone", "now", "expected", "utc"),
    [
        # The evening before Madrid springs forward: 09:00 next day is 07:00 UTC, not 08:00.
        ("Europe/Madrid", ("2027-03-27", "22:00"), "2027-03-28 09:00", "07:00"),
        # The evening before it falls back: 09:00 is 08:00 UTC, not 07:00.
        ("Europe/Madrid", ("2027-10-30", "22:00"), "2027-10-31 09:00", "08:00"),
        # Sydney: 09:00 AEST on 4 April is 23:00 UTC on 3 April.
        ("Australia/Sydney", ("2027-04-03", "21:00"), "2027-04-04 09:00", "23:00"),
    ],
)
def test_a_window_keeps_its_clock_times_across_the_change(
    zone: str, now: tuple[str, str], expected: str, utc: str
) -> None:
    moment = next_safe_moment(at(*now, zone), ZoneInfo(zone), time(9), time(20))
    assert clock(moment, zone) == expected
    assert f"{moment.astimezone(UTC):%H:%M}" == utc


def test_a_window_opening_in_the_skipped_hour_opens_when_the_clocks_reach_it() -> None:
    # 02:30 does not exist in Madrid on 28 March 2027: the window opens at 03:30 CEST, the
    # moment 02:30 CET would have been, never before it.
    zone = "Europe/Madrid"
    moment = next_safe_moment(at("2027-03-28", "00:30", zone), ZoneInfo(zone), time(2, 30), time(6))
    assert moment == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert clock(moment, zone) == "2027-03-28 03:30"


def test_a_window_across_midnight_on_the_night_the_clocks_go_back() -> None:
    # 31 October 2027 in Madrid has 25 hours; a 23:00-06:00 window is inside all night long.
    zone = "Europe/Madrid"
    window = (time(23), time(6))
    for hour in range(0, 6):
        moment = at("2027-10-31", f"{hour:02d}:15", zone)
        assert next_safe_moment(moment, ZoneInfo(zone), *window) == moment
    opens = next_safe_moment(at("2027-10-31", "06:00", zone), ZoneInfo(zone), *window)
    assert clock(opens, zone) == "2027-10-31 23:00"
    assert opens - at("2027-10-31", "06:00", zone) == timedelta(hours=17)
