"""How a calendar entry reads in a clinician's own week: its title, and its link.

The title is the case label where the gateway gave one (the clinician is on the case), else
the kind of appointment; a consultation still waiting for a clinician reads "Consultation
(held)". Never a requester's name: the entry has none.
"""

from __future__ import annotations

from datetime import time, timedelta

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.timezone import localtime

from rebond.access import CalendarEntry
from rebond.appointments.models import TimeOff

register = template.Library()

HELD_CONSULTATION = "Consultation (held)"


@register.filter
def entry_title(entry: CalendarEntry) -> str:
    """Return what the clinician's calendar calls this appointment."""
    if entry.case_label:
        return entry.case_label
    if entry.is_held_consultation:
        return HELD_CONSULTATION
    return entry.kind_label


@register.simple_tag
def entry_url(entry: CalendarEntry) -> str:
    """Return the address of the appointment's page on its case, or "" when it has none.

    Only an appointment of a case the clinician is on has one (the gateway gave its case).
    The page belongs to the case's appointments (URL name `appointment`); until that page is
    installed, the entry is plain text.
    """
    if entry.couple_id is None:
        return ""
    try:
        return reverse(
            "appointment", kwargs={"couple_id": entry.couple_id, "appointment_id": entry.id}
        )
    except NoReverseMatch:
        return ""


@register.filter
def time_off_span(item: TimeOff) -> str:
    """Return time off as the clinician typed it: whole days, or from a time to a time."""
    starts, ends = localtime(item.starts_at), localtime(item.ends_at)
    if starts.time() == time(0) and ends.time() == time(0):
        last = (ends - timedelta(days=1)).date()
        if last == starts.date():
            return f"{starts:%A} {starts.day} {starts:%B %Y}"
        return f"{starts:%A} {starts.day} {starts:%B %Y} to {last:%A} {last.day} {last:%B %Y}"
    if starts.date() == ends.date():
        return f"{starts:%A} {starts.day} {starts:%B %Y}, {starts:%H:%M} to {ends:%H:%M}"
    return (
        f"{starts:%A} {starts.day} {starts:%B %Y} {starts:%H:%M} to "
        f"{ends:%A} {ends.day} {ends:%B %Y} {ends:%H:%M}"
    )
