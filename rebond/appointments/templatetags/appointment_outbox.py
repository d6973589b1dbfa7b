"""`{% undelivered_messages_notice couple %}`: on the case page, the messages about the case's
appointments that could not be delivered, so that a clinician tells the person another way.

Read through the gateway (`access.undelivered_messages_for_case`) with the signed-in
clinician; renders nothing when every message went (or is still waiting for its safe time).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from rebond import access
from rebond.accounts.models import User
from rebond.couples.models import Couple

register = template.Library()


@register.inclusion_tag("appointments/_undelivered_messages.html", takes_context=True)
def undelivered_messages_notice(context: template.Context, couple: Couple) -> dict[str, Any]:
    """Return the case's undelivered messages the signed-in clinician may see."""
    request = context.get("request")
    messages = []
    if isinstance(request, HttpRequest) and isinstance(request.user, User):
        messages = list(access.undelivered_messages_for_case(request.user, couple))
    return {"undelivered": messages}
