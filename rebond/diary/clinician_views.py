"""A case's diary, for its clinicians: the case page's "Diary" section (the plan's form and a
one-line summary), the diary page (each partner's chart over weeks and their entries) and
each chart as SVG.

Views parse and render; the plan changes through `rebond.diary.plan`, and every fetch goes
through `rebond.access` (a refused one is a 404). Opening the page or a chart is a clinical
read, audited by rebond.accounts.middleware.ClinicalReadAuditMiddleware like every clinician
GET naming a case. The form works without JavaScript (POST, then redirect); bad input is
answered with 422 and the form again. With htmx it answers with the section.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.diary.charts import KEY
from rebond.diary.clinician import CaseSummary, case_summary
from rebond.diary.clinician import case_diary as load_case_diary
from rebond.diary.clinician_forms import DiaryPlanForm
from rebond.diary.plan import set_diary_plan
from rebond.diary.summary import NOT_A_MEASURE, one_decimal
from rebond.lib.clinic_time import clinic_time
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors

UNPROCESSABLE = 422
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
SECTION = "diary/_case_diary.html"


def _plan_form(diary: CaseSummary) -> DiaryPlanForm:
    plan = diary.plan
    if plan is None:
        return DiaryPlanForm()
    return DiaryPlanForm(initial={"offered": plan.offered, "prompt": plan.prompt})


def section_context(
    user: User, couple: Couple, form: DiaryPlanForm | None = None, *, saved: bool = False
) -> dict[str, Any]:
    """Return what the case page's "Diary" section shows: the plan, its form, the summary."""
    diary = case_summary(user, couple)
    return {
        "couple": couple,
        "diary": diary,
        "plan_form": form or _plan_form(diary),
        "saved": saved,
        "not_a_measure": NOT_A_MEASURE,
    }


@require_POST
def set_plan(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Offer the diary on the case or not, and set its reminders."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = DiaryPlanForm(request.POST)
    if form.is_valid():
        try:
            set_diary_plan(
                request.user, couple.id, form.cleaned_data["offered"], form.cleaned_data["prompt"]
            )
        except ActionError as error:
            add_action_errors(form, error)
    is_htmx = bool(request.headers.get("HX-Request"))
    if form.errors:
        context = section_context(request.user, couple, form)
        if is_htmx:
            return HttpResponse(render_to_string(SECTION, context, request), status=UNPROCESSABLE)
        return render(request, "diary/plan.html", context, status=UNPROCESSABLE)
    if is_htmx:
        context = section_context(request.user, couple, saved=True)
        return HttpResponse(render_to_string(SECTION, context, request))
    messages.success(request, _("Diary settings saved."))
    return redirect(reverse("case", args=[couple.id]) + "#diary")


@require_safe
def case_diary(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show each partner's diary: a chart over weeks, its numbers as a table, the entries."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    with clinic_time(couple.clinic):
        diary = load_case_diary(request.user, couple)
        return render(
            request,
            "diary/case_diary.html",
            {
                "couple": couple,
                "diary": diary,
                "not_a_measure": NOT_A_MEASURE,
                "tables": [_table(part) for part in diary.partners],
                "key": KEY,
            },
        )


def _table(part: Any) -> dict[str, Any]:
    rows = [
        {
            "starts_on": week.starts_on,
            "entries": week.counts.entries,
            "triggers": week.counts.triggers,
            "intensity": one_decimal(week.counts.mean_intensity),
            "safe": one_decimal(week.counts.mean_safe),
            "close": one_decimal(week.counts.mean_close),
        }
        for week in part.weeks
    ]
    return {"part": part, "rows": rows}


@require_safe
def diary_chart(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Return one partner's diary chart as SVG."""
    partner = access.get_partner_of_case(request.user, couple_id, partner_id)
    couple = partner.couple
    from rebond.diary import plotting  # matplotlib: loaded by chart requests only

    with clinic_time(couple.clinic):
        diary = load_case_diary(request.user, couple, with_lines=False)
        part = diary.partner_diary(partner.id)
        if part is None:
            raise Http404("No such partner.")
        body = plotting.svg(diary, part)
    response = HttpResponse(body, content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_CSP
    return response
