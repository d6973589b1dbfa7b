"""`{% new_request_count %}`: the number beside "Inbox" in the site navigation;
`{% language_switch %}`: the public request page's choice of language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from rebond.intake import access
from rebond.lib.language import choices

register = template.Library()


@register.simple_tag(takes_context=True)
def new_request_count(context: dict[str, Any]) -> int | None:
    """Return how many of the clinic's requests are new, or None if the user cannot triage."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.can_triage(user):
        return None
    return access.new_request_count(user)


@register.inclusion_tag("intake/_language_switch.html", takes_context=True)
def language_switch(context: template.Context) -> dict[str, Any]:
    """Return a link to this page in each shipped language, and which one is showing.

    The page's language comes from the clinic's default or the address (`?lang=es`), which
    rebond/portal/locale_middleware.py has already activated.
    """
    request = context.get("request")
    return {
        "languages": choices(),
        "current": get_language(),
        "path": getattr(request, "path", ""),
    }
