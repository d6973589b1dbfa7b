"""The reading shelf in the partner's space: the pages their therapist gave them (or gave both
partners), and one page. Only a private-link session reaches these (rebond/portal/session.py);
what a partner may see is decided in rebond/access/shelf.py, and anything else is the calm 404.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from rebond import access
from rebond.couples.models import Partner
from rebond.portal import session
from rebond.shelf import actions
from rebond.shelf.markdown import render_markdown


@require_safe
@session.partner_required
def my_reading(request: HttpRequest, partner: Partner) -> HttpResponse:
    """List the pages given to the partner, newest first."""
    assignments = list(access.page_assignments_visible_to_partner(partner))
    return render(request, "shelf/my_reading.html", {"assignments": assignments})


@require_safe
@session.partner_required
def my_reading_page(
    request: HttpRequest, partner: Partner, assignment_id: uuid.UUID
) -> HttpResponse:
    """Show one page given to the partner (its first opening is noted for their therapist)."""
    assignment = actions.record_first_reading(partner, assignment_id)
    context = {"assignment": assignment, "body": render_markdown(assignment.page.body)}
    return render(request, "shelf/my_reading_page.html", context)
