"""`{% your_checkins partner %}`: the partner's own open check-ins, for the portal's home page."""

from __future__ import annotations

from typing import Any

from django import template

from rebond.assessments.checkins import open_checkins
from rebond.couples.models import Partner

register = template.Library()


@register.inclusion_tag("assessments/_your_checkins.html")
def your_checkins(partner: Partner) -> dict[str, Any]:
    """Render the list of the partner's open check-ins (never the other partner's)."""
    return {"checkins": open_checkins(partner)}
