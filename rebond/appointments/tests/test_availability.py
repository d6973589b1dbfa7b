"""A clinician sets their own weekly hours and time off, in clinic time; nobody else's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.appointments import availability
from rebond.appointments.models import TimeOff, WeeklyHours
from rebond.appointments.tests.calendar_helpers import at, hours
from rebond.audit.models import AuditEntry
from rebond.lib.errors import ActionError
from rebond.test import sign_in

pytestmark = pytest.mark.django_db

ZONE = "Europe/Madrid"


@pytest.fixture
def madrid(clinic_a: Clinic) -> Clinic:
    clinic_a.timezone = ZONE
    clinic_a.save(update_fields=["timezone"])
    return clinic_a


def post(client: Client, name: str, data: Mapping[str, object]) -> Any:
    return client.post(reverse(name), data)


def test_hours_are_added_on_several_weekdays_at_once_and_audited(
    client: Client, alice: User, madrid: Clinic
) -> None:
    sign_in(client, alice)
    response = post(
        client,
        "calendar_hours_add",
        {"hours-weekdays": ["0", "2", "4"], "hours-starts": "09:00", "hours-ends": "12:30"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("calendar_availability") + "#hours"
    rows = WeeklyHours.objects.filter(clinician=alice).order_by("weekday")
    assert [(h.weekday, h.starts, h.ends) for h in rows] == [
        (day, time(9), time(12, 30)) for day in (0, 2, 4)
    ]
    entries = AuditEntry.objects.filter(action="appointments.hours.add")
    assert entries.count() == 3
    assert all(e.actor_id == alice.pk and e.reason == "" for e in entries)
    body = client.get(reverse("calendar_availability")).content.decode()
    assert body.count("09:00&ndash;12:30") == 3


def test_a_second_stretch_on_a_day_is_kept_and_an_overlapping_one_refused(
    client: Client, alice: User, madrid: Clinic
) -> None:
    hours(alice, 0, "09:00", "12:00")
    sign_in(client, alice)
    afternoon = {"hours-weekdays": ["0"], "hours-starts": "13:00", "hours-ends": "17:00"}
    assert post(client, "calendar_hours_add", afternoon).status_code == 302
    overlapping = {"hours-weekdays": ["0", "1"], "hours-starts": "11:30", "hours-ends": "14:00"}
    response = post(client, "calendar_hours_add", overlapping)
    assert response.status_code == 422
    body = response.content.decode()
    assert "That overlaps your hours on Monday (09:00\u201312:00). Remove those first." in body
    # Nothing typed is lost, and nothing was added on Tuesday either (all or none).
    assert 'value="11:30"' in body
    assert 'value="14:00"' in body
    assert WeeklyHours.objects.filter(clinician=alice).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hours-starts": "09:00", "hours-ends": "12:00"}, "Choose at least one day."),
        (
            {"hours-weekdays": ["0"], "hours-starts": "17:00", "hours-ends": "09:00"},
            "End after the start: a stretch ends on the day it starts.",
        ),
        (
            {"hours-weekdays": ["9"], "hours-starts": "09:00", "hours-ends": "12:00"},
            "Select a valid",
        ),
        (
            {"hours-weekdays": ["0"], "hours-starts": "25:00", "hours-ends": "26:00"},
            "Enter a valid",
        ),
    ],
)
def test_hours_that_make_no_sense_are_refused_by_the_form(
    client: Client, alice: User, madrid: Clinic, data: dict[str, object], message: str
) -> None:
    sign_in(client, alice)
    response = post(client, "calendar_hours_add", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not WeeklyHours.objects.exists()


def test_the_action_refuses_what_the_form_would_too(alice: User, madrid: Clinic) -> None:
    with pytest.raises(ActionError, match="End after the start"):
        availability.add_weekly_hours(alice, [0], time(12), time(9))
    with pytest.raises(ActionError, match="Choose days"):
        availability.add_weekly_hours(alice, [7], time(9), time(12))


def test_a_clinician_removes_their_own_hours_but_not_a_colleagues(
    client: Client, alice: User, bob: User, madrid: Clinic
) -> None:
    mine, bobs = hours(alice, 0, "09:00", "12:00"), hours(bob, 0, "09:00", "12:00")
    sign_in(client, alice)
    refused = client.post(reverse("calendar_hours_remove", args=[bobs.id]))
    assert refused.status_code == 404
    assert WeeklyHours.objects.filter(pk=bobs.pk).exists()
    removed = client.post(reverse("calendar_hours_remove", args=[mine.id]))
    assert removed.status_code == 302
    assert not WeeklyHours.objects.filter(pk=mine.pk).exists()
    assert AuditEntry.objects.filter(action="appointments.hours.remove").count() == 1


def test_whole_days_off_run_from_midnight_to_midnight_at_the_clinic(
    client: Client, alice: User, madrid: Clinic
) -> None:
    sign_in(client, alice)
    response = post(
        client,
        "calendar_time_off_add",
        {
            "time_off-first_day": "2027-03-26",
            "time_off-last_day": "2027-03-29",
            "time_off-reason": "Leave",
        },
    )
    assert response.status_code == 302
    off = TimeOff.objects.get(clinician=alice)
    # Four days across the spring change: 95 hours, not 96.
    assert off.starts_at == at("2027-03-26", "00:00", ZONE)
    assert off.ends_at == at("2027-03-30", "00:00", ZONE)
    assert off.ends_at - off.starts_at == timedelta(hours=95)
    assert off.reason == "Leave"
    entry = AuditEntry.objects.get(action="appointments.time_off.add")
    assert "Leave" not in str(entry.fields) + entry.reason


def test_time_off_may_start_and_end_at_times(client: Client, alice: User, madrid: Clinic) -> None:
    sign_in(client, alice)
    response = post(
        client,
        "calendar_time_off_add",
        {
            "time_off-first_day": "2027-10-29",
            "time_off-last_day": "2027-11-02",
            "time_off-from_time": "14:00",
            "time_off-until_time": "12:00",
        },
    )
    assert response.status_code == 302
    off = TimeOff.objects.get(clinician=alice)
    assert off.starts_at == at("2027-10-29", "14:00", ZONE)
    assert off.ends_at == at("2027-11-02", "12:00", ZONE)
    body = client.get(reverse("calendar_availability")).content.decode()
    # It is still ahead of the suite's clock, so the page lists it, in clinic time.
    assert "Friday 29 October 2027 14:00 to Tuesday 2 November 2027 12:00" in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"time_off-first_day": "2027-03-28", "time_off-from_time": "02:30"},
            "from_time",
            "02:30 does not exist on 28 March 2027: the clocks skip it.",
        ),
        (
            {"time_off-first_day": "2027-10-31", "time_off-until_time": "02:30"},
            "until_time",
            "02:30 comes twice on 31 October 2027: the clocks go back.",
        ),
        (
            {"time_off-first_day": "2027-04-02", "time_off-last_day": "2027-04-01"},
            "last_day",
            "The last day cannot come before the first day.",
        ),
        (
            {
                "time_off-first_day": "2027-04-02",
                "time_off-from_time": "15:00",
                "time_off-until_time": "09:00",
            },
            "until_time",
            "End the time off after it starts.",
        ),
        ({"time_off-reason": "Leave"}, "first_day", "Give the first day."),
        (
            {"time_off-first_day": "2027-04-01", "time_off-last_day": "9999-12-31"},
            "last_day",
            "Choose a day between 1970 and 2200.",
        ),
    ],
)
def test_time_off_that_cannot_be_placed_is_refused_and_kept_in_the_form(
    client: Client, alice: User, madrid: Clinic, data: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, alice)
    response = post(client, "calendar_time_off_add", {**data, "time_off-reason": "Training"})
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert f'href="#id_time_off-{field}"' in body  # the error summary points at the field
    assert 'value="Training"' in body
    assert not TimeOff.objects.exists()


def test_a_clinician_removes_their_own_time_off_but_not_a_colleagues(
    client: Client, alice: User, bob: User, madrid: Clinic
) -> None:
    kwargs = {
        "starts_at": at("2027-05-03", "00:00", ZONE),
        "ends_at": at("2027-05-04", "00:00", ZONE),
    }
    mine = TimeOff.objects.create(clinician=alice, **kwargs)
    bobs = TimeOff.objects.create(clinician=bob, reason="Bob's own", **kwargs)
    sign_in(client, alice)
    body = client.get(reverse("calendar_availability")).content.decode()
    assert "Monday 3 May 2027" in body
    assert "Bob's own" not in body
    assert client.post(reverse("calendar_time_off_remove", args=[bobs.id])).status_code == 404
    assert client.post(reverse("calendar_time_off_remove", args=[mine.id])).status_code == 302
    assert list(TimeOff.objects.all()) == [bobs]
