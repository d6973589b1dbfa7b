"""`{% case_reading couple %}`: the case page's "Reading" section (rebond/couples' case page
shows it); `{% your_reading partner %}`: the link to the partner's reading on their space (the
portal's home page). Both read through rebond.access, as the shelf's views do."""

from __future__ import annotations

from typing import Any

from django import template

from rebond import access
from rebond.couples.models import Couple, Partner
from rebond.shelf.views import reading_section_context

register = template.Library()


@register.inclusion_tag("shelf/_case_reading.html", takes_context=True)
def case_reading(context: template.Context, couple: Couple) -> dict[str, Any]:
    """Render the case's pages to read, for the clinician viewing the page."""
    request = context["request"]
    # Django passes the page's CSRF token on to an inclusion tag's template itself.
    return {**reading_section_context(request.user, couple), "request": request}


@register.inclusion_tag("shelf/_your_reading.html")
def your_reading(partner: Partner) -> dict[str, Any]:
    """Render the link to the partner's pages, only when there is one to read."""
    return {"count": access.page_assignments_visible_to_partner(partner).count()}
