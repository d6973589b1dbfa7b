"""`{% case_appointments couple %}`: the case page's "Appointments" section (rebond/couples'
case page shows it; its upcoming and recent appointments and its scheduling form are this
app's, read through `rebond.access`)."""

from __future__ import annotations

from typing import Any

from django import template

from rebond.appointments.case_views import section_context
from rebond.couples.models import Couple

register = template.Library()


@register.inclusion_tag("appointments/_case_appointments.html", takes_context=True)
def case_appointments(context: template.Context, couple: Couple) -> dict[str, Any]:
    """Render the case's appointments for the clinician viewing the page."""
    request = context["request"]
    # Django passes the page's CSRF token on to an inclusion tag's template itself.
    return {**section_context(request.user, couple), "request": request}
