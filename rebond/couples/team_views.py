"""The case team: its section on the case page, its own page, and the clinic's list of teams.

Where a clinic admin meets a team (DOMAIN 7.5: "a clinic admin sees no clinical data through
being an admin"): the primary clinician and a clinic admin on the case change it from the
case page's "Case team" section. A clinic admin who is not on the case cannot open the case
page (404); they reach its team page (`/cases/<id>/team/`) from the clinic's list of case
teams (`/cases/teams/`), both showing the case's reference and its people only, from the
gateway's `CaseTeam` (no label, no status, no partner, no handover note).

Every change posts to its own URL and works without JavaScript (POST, then redirect back to
the page it came from); with htmx the same URL answers with the team section. Bad input gets
422 and the form again with its errors, nothing lost.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rebond import access
from rebond.access import CaseTeam, TeamChangeRefused
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import User
from rebond.couples import team as team_actions
from rebond.couples.models import TeamChange
from rebond.couples.team_forms import (
    AddCoTherapistForm,
    HandoverForm,
    RemoveCoTherapistForm,
    RemoveSupervisorForm,
    SupervisorForm,
    TeamForm,
)
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors

UNPROCESSABLE = 422
TEAMS_PER_PAGE = 50


@dataclass
class TeamForms:
    add: AddCoTherapistForm
    supervisor: SupervisorForm
    handover: HandoverForm
    # Which one to show open: the one re-shown with its errors.
    open: str = ""


def _forms(user: User, team: CaseTeam, place: str, bound: dict[str, forms.Form]) -> TeamForms:
    """Return the team's forms: the one re-shown with its errors (`bound`), the others new."""
    offered = team_actions.candidates(user, team)
    add = bound.get("add")
    if not isinstance(add, AddCoTherapistForm):
        add = AddCoTherapistForm(candidates=offered.co_therapists, place=place)
    supervisor = bound.get("supervisor")
    if not isinstance(supervisor, SupervisorForm):
        supervisor = SupervisorForm(candidates=offered.supervisors, place=place)
    handover = bound.get("handover")
    if not isinstance(handover, HandoverForm):
        handover = HandoverForm(
            candidates=offered.new_primaries, previous=team.primary, actor=user, place=place
        )
    return TeamForms(add, supervisor, handover, open=next(iter(bound), ""))


def team_context(
    user: User,
    team: CaseTeam,
    *,
    place: str,
    bound: dict[str, forms.Form] | None = None,
    saved: str = "",
) -> dict[str, Any]:
    """Return what the team section shows; `place` is "case" (the case page) or "team"."""
    bound = bound or {}
    return {
        "team": team,
        "team_place": place,
        "team_forms": _forms(user, team, place, bound) if team.viewer_may_change else None,
        "team_history": team_actions.team_history(team),
        "team_saved": saved,
        # A refused removal (its form is a button): said at the top of the section.
        "team_problem": _first_error(bound["problem"]) if "problem" in bound else "",
    }


def _first_error(form: forms.Form) -> str:
    return next((str(e) for errors in form.errors.values() for e in errors), "")


@require_safe
def case_team(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show a case's team: to the clinicians on the case, and to the clinic's admins."""
    team = access.get_case_team(request.user, couple_id)
    return render(request, "couples/team.html", team_context(request.user, team, place="team"))


@require_safe
def case_teams(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the teams of the clinic's active cases, for its clinic admins: reference and people.

    `?clinician=<id>` keeps the cases that clinician is on (e.g. before deactivating them).
    """
    teams = access.case_teams_for_admin(request.user)
    clinic = request.user.clinic
    colleagues = list(User.objects.filter(clinic=clinic).order_by("display_name"))
    chosen = next((c for c in colleagues if str(c.pk) == request.GET.get("clinician")), None)
    if chosen is not None:
        teams = [t for t in teams if chosen in t.members]
    teams.sort(key=lambda t: (t.primary.display_name.casefold(), t.reference))
    page = Paginator(teams, TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "colleagues": colleagues, "chosen": chosen, "clinic": clinic}
    return render(request, "couples/case_teams.html", context)


# --- Changes ----------------------------------------------------------------------------------


def _refused(request: AuthenticatedHttpRequest, error: TeamChangeRefused) -> HttpResponse:
    context = {"primary": error.primary}
    return render(request, "couples/team_refused.html", context, status=403)


def _changeable_team(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> CaseTeam:
    """Return the team, or raise 404 (may not see it) or TeamChangeRefused (may not change it):
    refused before anything posted is read."""
    team = access.get_case_team(request.user, couple_id)
    if not team.viewer_may_change:
        raise TeamChangeRefused(team.primary)
    return team


def _answer(
    request: AuthenticatedHttpRequest,
    couple_id: uuid.UUID,
    form: TeamForm,
    *,
    bound_as: str,
    done: str,
) -> HttpResponse:
    """Answer a team POST: 422 with the form's errors, or the section, or a redirect."""
    place = form.origin
    htmx = bool(request.headers.get("HX-Request"))
    if form.errors:
        team = access.get_case_team(request.user, couple_id)
        context = team_context(request.user, team, place=place, bound={bound_as: form})
        if htmx:
            body = render_to_string("couples/_team.html", context, request)
            return HttpResponse(body, status=UNPROCESSABLE)
        return render(request, "couples/team.html", context, status=UNPROCESSABLE)
    try:
        team = access.get_case_team(request.user, couple_id)
    except Http404:
        # The change took the actor off the case (a handover, leaving the team).
        messages.success(request, done)
        return _go(request, reverse("caseload"))
    if htmx and (place == "team" or team.viewer_on_case):
        context = team_context(request.user, team, place=place, saved=done)
        return HttpResponse(render_to_string("couples/_team.html", context, request))
    messages.success(request, done)
    if place == "case" and team.viewer_on_case:
        return _go(request, reverse("case", args=[couple_id]) + "#team")
    return _go(request, reverse("case_team", args=[couple_id]))


def _go(request: AuthenticatedHttpRequest, url: str) -> HttpResponse:
    """Redirect; htmx follows with a full page load (HX-Redirect)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _run(
    request: AuthenticatedHttpRequest,
    couple_id: uuid.UUID,
    form: TeamForm,
    change: Any,
    *,
    bound_as: str,
) -> HttpResponse:
    """Validate the form, run the change, answer; `change(cleaned_data)` returns a TeamChange."""
    done = ""
    if form.is_valid():
        try:
            done = _done(change(form.cleaned_data), request.user)
        except ActionError as error:
            add_action_errors(form, error)
        except TeamChangeRefused as error:  # the team changed hands since the page was shown
            return _refused(request, error)
    return _answer(request, couple_id, form, bound_as=bound_as, done=done)


def _done(change: TeamChange, actor: User) -> str:
    """Return the confirmation shown after a change."""
    name = change.clinician.display_name
    kind = TeamChange.Kind
    if change.kind == kind.CO_THERAPIST_ADDED:
        done = _("%(name)s is now a co-therapist on this case and has been told by e-mail.")
    elif change.kind == kind.CO_THERAPIST_REMOVED:
        done = _("%(name)s is no longer on this case's team and has been told by e-mail.")
    elif change.kind == kind.SUPERVISOR_SET:
        done = _("%(name)s now supervises this case and has been told by e-mail.")
    elif change.kind == kind.SUPERVISOR_REMOVED:
        done = _("%(name)s no longer supervises this case and has been told by e-mail.")
    elif change.previous_id == actor.pk:
        done = (
            _(
                "Case %(case)s is now %(name)s's, who has been told by e-mail; you stay on as a"
                " co-therapist."
            )
            if change.previous_stays
            else _(
                "Case %(case)s is now %(name)s's, who has been told by e-mail; you left the team."
            )
        )
    else:
        who = change.previous.display_name if change.previous else _("the previous primary")
        done = (
            _(
                "Case %(case)s is now %(name)s's, who has been told by e-mail; %(previous)s stays"
                " on as a co-therapist."
            )
            if change.previous_stays
            else _(
                "Case %(case)s is now %(name)s's, who has been told by e-mail; %(previous)s left."
            )
        )
        return done % {"case": change.couple.reference, "name": name, "previous": who}
    return done % {"case": change.couple.reference, "name": name}


@require_POST
def add_co_therapist(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Add a therapist of the clinic to the case as a co-therapist."""
    try:
        team = _changeable_team(request, couple_id)
    except TeamChangeRefused as error:
        return _refused(request, error)
    form = AddCoTherapistForm(
        request.POST, candidates=team_actions.candidates(request.user, team).co_therapists
    )
    return _run(
        request,
        couple_id,
        form,
        lambda data: team_actions.add_co_therapist(request.user, couple_id, data["clinician"]),
        bound_as="add",
    )


@require_POST
def remove_co_therapist(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Take a co-therapist off the case."""
    try:
        _changeable_team(request, couple_id)
    except TeamChangeRefused as error:
        return _refused(request, error)
    form = RemoveCoTherapistForm(request.POST)
    return _run(
        request,
        couple_id,
        form,
        lambda data: team_actions.remove_co_therapist(request.user, couple_id, data["clinician"]),
        bound_as="problem",
    )


@require_POST
def set_supervisor(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Assign the case's supervisor (replacing the one it had)."""
    try:
        team = _changeable_team(request, couple_id)
    except TeamChangeRefused as error:
        return _refused(request, error)
    form = SupervisorForm(
        request.POST, candidates=team_actions.candidates(request.user, team).supervisors
    )
    return _run(
        request,
        couple_id,
        form,
        lambda data: team_actions.set_supervisor(request.user, couple_id, data["supervisor"]),
        bound_as="supervisor",
    )


@require_POST
def remove_supervisor(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Leave the case without a supervisor."""
    try:
        _changeable_team(request, couple_id)
    except TeamChangeRefused as error:
        return _refused(request, error)
    form = RemoveSupervisorForm(request.POST)
    return _run(
        request,
        couple_id,
        form,
        lambda data: team_actions.remove_supervisor(request.user, couple_id),
        bound_as="problem",
    )


@require_POST
def hand_over(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Hand the case to another clinician, with a note; the old primary stays or leaves."""
    try:
        team = _changeable_team(request, couple_id)
    except TeamChangeRefused as error:
        return _refused(request, error)
    form = HandoverForm(
        request.POST,
        candidates=team_actions.candidates(request.user, team).new_primaries,
        previous=team.primary,
        actor=request.user,
    )
    return _run(
        request,
        couple_id,
        form,
        lambda data: team_actions.hand_over(
            request.user,
            couple_id,
            data["new_primary"],
            note=data["note"],
            previous_stays=form.stays(),
        ),
        bound_as="handover",
    )
