"""A reminder queued after a partner set their own channel's window waits for that window
(issue 18): the partner's choice in their space reaches recipients.queue_partner_messages,
also across the spring daylight-saving change at a Madrid clinic."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from rebond.appointments import recipients
from rebond.appointments.models import AppointmentMessage
from rebond.portal.tests.conftest import open_space
from rebond.test import make_clinic, make_clinician, make_couple

from .helpers import channel, partners, schedule

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize(
    ("start", "end", "queued_at", "expected"),
    [
        # Sunday 28 March 2027: Madrid's clocks go from 02:00 to 03:00. Queued at 12:00 local,
        # the overnight window opens at 21:00 that evening (CEST, UTC+2).
        ("21:00", "07:00", datetime(2027, 3, 28, 10, 0, tzinfo=UTC), "2027-03-28 21:00"),
        # Queued at 00:30 local on the night of the change, already inside 21:00 to 07:00.
        ("21:00", "07:00", datetime(2027, 3, 27, 23, 30, tzinfo=UTC), "2027-03-28 00:30"),
        # An evening window, queued in the morning before the change.
        ("18:00", "20:00", datetime(2027, 3, 27, 8, 0, tzinfo=UTC), "2027-03-27 18:00"),
    ],
)
def test_a_reminder_waits_for_the_window_the_partner_set(
    client: Client, start: str, end: str, queued_at: datetime, expected: str
) -> None:
    clinic = make_clinic("Harbour Practice", timezone="Europe/Madrid")
    therapist = make_clinician(clinic, "Dr Harbour")
    couple = make_couple(therapist, "Harbour case", partners=("Sam", "Alex"))
    a, _ = partners(couple)
    email = channel(a, "email", "sam@example.test")
    open_space(client, a, therapist)
    r = client.post(
        reverse("portal:channel_hours", kwargs={"channel_id": email.id}),
        {"safe_hours": "", "safe_from": start, "safe_until": end},
    )
    assert r.status_code == 302
    appointment = schedule(therapist, couple, datetime(2027, 3, 30, 9, 0, tzinfo=UTC), invited=[a])
    [message] = recipients.queue_partner_messages(
        appointment, AppointmentMessage.Purpose.REMINDER, queued_at
    )
    local = message.send_after.astimezone(MADRID)
    assert local.strftime("%Y-%m-%d %H:%M") == expected
    opens, closes = time.fromisoformat(start), time.fromisoformat(end)
    clock = local.time()
    inside = opens <= clock < closes if opens < closes else clock >= opens or clock < closes
    assert inside
    assert message.send_after >= queued_at
    assert message.send_after - queued_at < timedelta(days=1)
