"""`{% case_diary couple %}`: the case page's "Diary" section (rebond/couples' case page shows
it; the plan, its form and the one-line summary are this app's, read through `rebond.access`)."""

from __future__ import annotations

from typing import Any

from django import template

from rebond.couples.models import Couple
from rebond.diary.clinician_views import section_context

register = template.Library()


@register.inclusion_tag("diary/_case_diary.html", takes_context=True)
def case_diary(context: template.Context, couple: Couple) -> dict[str, Any]:
    """Render the case's diary section for the clinician viewing the page."""
    request = context["request"]
    return {**section_context(request.user, couple), "request": request}
