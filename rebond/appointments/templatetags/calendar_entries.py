"""How a calendar entry reads in a clinician's own week: its title, and its link.

The title is the case label where the gateway gave one (the clinician is on the case), else
the kind of appointment; a consultation still waiting for a clinician reads "Consultation
(held)". Never a requester's name: the entry has none.
"""

from __future__ import annotations

from datetime import time, timedelta

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond.access import CalendarEntry
from rebond.appointments.models import TimeOff

register = template.Library()

HELD_CONSULTATION = gettext_noop("Consultation (held)")


@register.filter
def entry_title(entry: CalendarEntry) -> str:
    """Return what the clinician's calendar calls this appointment."""
    if entry.case_label:
        return entry.case_label
    if entry.is_held_consultation:
        return _(HELD_CONSULTATION)
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
    day = "l j F Y"  # "Monday 8 March 2027", the names in the active language
    if starts.time() == time(0) and ends.time() == time(0):
        last = (ends - timedelta(days=1)).date()
        if last == starts.date():
            return dateformat.format(starts, day)
        # Translators: a span of time off, e.g. "Monday 8 March 2027 to Friday 12 March 2027".
        return _("%(start)s to %(end)s") % {
            "start": dateformat.format(starts, day),
            "end": dateformat.format(last, day),
        }
    if starts.date() == ends.date():
        # Translators: time off within one day, e.g. "Monday 8 March 2027, 09:00 to 12:00".
        return _("%(day)s, %(start)s to %(end)s") % {
            "day": dateformat.format(starts, day),
            "start": f"{starts:%H:%M}",
            "end": f"{ends:%H:%M}",
        }
    return _("%(start)s to %(end)s") % {
        "start": dateformat.format(starts, f"{day} H:i"),
        "end": dateformat.format(ends, f"{day} H:i"),
    }
