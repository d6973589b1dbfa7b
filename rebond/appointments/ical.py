"""Calendar files (RFC 5545) of appointments, built with the `icalendar` library.

Entries carry a time and a title, nothing else: the title is "Appointment" unless a
clinician's own feed chose to show case labels. No description, no location, no attendee, no
video link: a calendar synchronised to a shared device must reveal nothing (issue 18).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.timezone import now
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from rebond.appointments.wording import NEUTRAL_TITLE

PRODUCT_ID = "-//Rebond//Appointments//EN"


@dataclass(frozen=True)
class Entry:
    uid: str
    starts_at: datetime  # aware
    ends_at: datetime
    title: str = ""  # empty: "Appointment", in the active language
    cancelled: bool = False


def calendar_file(entries: Iterable[Entry], *, name: str = "") -> bytes:
    """Return an iCalendar file holding these entries (times in UTC), its neutral titles in
    the active language."""
    neutral = _(NEUTRAL_TITLE)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name or neutral)
    stamp = now()
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.uid}@rebond")
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.starts_at)
        event.add("dtend", entry.ends_at)
        event.add("summary", entry.title or neutral)
        if entry.cancelled:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
