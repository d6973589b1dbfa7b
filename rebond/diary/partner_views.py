"""The partner's diary pages (private-link session, under /me/diary/).

One page: today's form on top while the diary is offered, the partner's own entries with
Share / Stop sharing, and the entries the other partner shared. Every read goes through
rebond/access/diary.py and every change through rebond.diary.actions. The pages work
without JavaScript: the trigger questions show or hide with CSS alone.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rebond import access
from rebond.couples.models import Partner
from rebond.diary import actions
from rebond.diary.forms import DiaryForm
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.portal import session


def _render_diary(
    request: HttpRequest,
    partner: Partner,
    *,
    form: DiaryForm | None = None,
    refusal: str = "",
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    offered = access.diary_offered(partner)
    context = {
        "partner": partner,
        "offered": offered,
        "form": (form or DiaryForm()) if offered else None,
        "entries": list(access.own_diary_entries(partner)),
        "shared_with_me": list(access.entries_shared_with(partner).select_related("author")),
        "other_name": access.other_partner_name(partner),
        # A pause of sharing shows only where it holds something back: the Share buttons stay
        # (a share is refused with the neutral words), so a pause alone changes no page.
        "held_back": access.shared_entries_held_back(partner),
        "sharing_paused": access.SHARING_PAUSED,
        "refusal": refusal,
    }
    return render(request, "diary/diary.html", context, status=status)


@require_safe
@session.partner_required
def diary(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Show the partner's diary: today's form, their entries, and what was shared with them."""
    return _render_diary(request, partner)


@require_POST
@session.partner_required
def write(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Save today's entry; "right now I don't feel safe" leads to the help page at once."""
    form = DiaryForm(request.POST)
    if not form.is_valid():
        return _render_diary(request, partner, form=form, status=HTTPStatus.BAD_REQUEST)
    try:
        entry = actions.write_entry(partner, form.draft())
    except ActionError as exc:
        if exc.message == _(actions.NOT_OFFERED):
            return _render_diary(request, partner, refusal=exc.message, status=exc.status)
        add_action_errors(form, exc)
        return _render_diary(request, partner, form=form, status=HTTPStatus.BAD_REQUEST)
    if entry.not_safe_now:
        return redirect("diary:help", entry_id=entry.id)
    messages.success(request, _("Saved. Only you and your therapist can read it."))
    return redirect("diary:diary")


@require_safe
@session.partner_required
def help_now(request: HttpRequest, partner: Partner, entry_id: uuid.UUID) -> HttpResponse:
    """After "right now I don't feel safe": the clinic's crisis resources, to its author only."""
    entry = access.get_own_diary_entry(partner, entry_id)
    if not entry.not_safe_now:
        raise Http404("Not found.")
    resources = list(partner.couple.clinic.crisis_resources.all())
    return render(request, "diary/help.html", {"entry": entry, "resources": resources})


@require_POST
@session.partner_required
def share(request: HttpRequest, partner: Partner, entry_id: uuid.UUID) -> HttpResponse:
    """Share one of the partner's own entries with the other partner."""
    try:
        actions.share_entry(partner, entry_id)
    except ActionError as exc:
        return _render_diary(request, partner, refusal=exc.message, status=exc.status)
    messages.success(
        request, _("Shared with %(name)s.") % {"name": access.other_partner_name(partner)}
    )
    return redirect("diary:diary")


@require_POST
@session.partner_required
def stop_sharing(request: HttpRequest, partner: Partner, entry_id: uuid.UUID) -> HttpResponse:
    """Take a share back: the entry is again only the partner's and their therapist's."""
    actions.stop_sharing(partner, entry_id)
    messages.success(request, _("No longer shared. Only you and your therapist can read it."))
    return redirect("diary:diary")
