"""`{% opened_elsewhere_notice %}`: tell a partner, in their own browser, that one of their
links was opened in another browser, and when (issue 15 A2). Rendered by portal/base.html.

It reads only; the partner says they have read it with the form it shows (a POST). Times are
in the clinic's zone, which the request already uses (rebond/portal/locale_middleware.py).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from rebond.portal import session

register = template.Library()


@register.inclusion_tag("portal/_opened_elsewhere.html", takes_context=True)
def opened_elsewhere_notice(context: template.Context) -> dict[str, Any]:
    """Return the openings to tell this browser's partner about (none outside a session)."""
    request = context.get("request")
    openings = []
    if isinstance(request, HttpRequest):
        partner = session.current_partner(request)
        if partner is not None:
            openings = session.openings_elsewhere(request, partner)
    return {
        "openings": openings,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
