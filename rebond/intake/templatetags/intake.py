"""`{% new_request_count %}`: the number beside "Inbox" in the site navigation."""

from __future__ import annotations

from typing import Any

from django import template

from rebond.intake import access

register = template.Library()


@register.simple_tag(takes_context=True)
def new_request_count(context: dict[str, Any]) -> int | None:
    """Return how many of the clinic's requests are new, or None if the user cannot triage."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.can_triage(user):
        return None
    return access.new_request_count(user)
