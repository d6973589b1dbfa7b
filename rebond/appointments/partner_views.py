"""What a partner reaches of appointments through their private-link session: a calendar file
of one appointment they are shown on their space (/me/). The list itself is on the portal's
home page, read through `rebond.access` (appointments_for_partner)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from rebond import access
from rebond.appointments.ical import Entry, calendar_file
from rebond.couples.models import Partner
from rebond.portal import session


@require_safe
@session.partner_required
def appointment_calendar_file(
    request: HttpRequest, partner: Partner, appointment_id: uuid.UUID
) -> HttpResponse:
    """Return one appointment the partner may see as a calendar file (neutral title, time only;
    no place, no link, no name): 404 for any other, like a missing one."""
    appointment = access.get_appointment_for_partner(partner, appointment_id)
    body = calendar_file([Entry(str(appointment.id), appointment.starts_at, appointment.ends_at)])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # A neutral file name: it may be read in a shared downloads folder.
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    response["Cache-Control"] = "no-store"
    return response
