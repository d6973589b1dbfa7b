"""The caseload, the couple's progress page, its charts and reports, and the partner's summary.

Clinician views fetch through `rebond.access` (a refused fetch is a 404). Partner
views answer only a private-link session and read through `summary.client_summary`, which
holds the visibility rules. Charts are served as same-origin SVG images: matplotlib writes
`style` attributes, which the page's Content-Security-Policy would block inline, while an SVG
shown through <img> cannot run script and is styled by its own response's policy.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from rebond import access, audit
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.couples.models import Couple, Partner
from rebond.diary.clinician import case_diary
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.measurement import actions, charts, progress, summary
from rebond.measurement import caseload as caseload_query
from rebond.measurement.forms import MeasurementSettingsForm
from rebond.measurement.models import MeasurementSettings
from rebond.measurement.parameters import settings_for
from rebond.portal import session

# The SVG's own policy: nothing may load or run; its inline styles may apply (it is an image).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@require_safe
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the active couples the clinician works on, sortable, filterable and paged."""
    filters = caseload_query.Filters.from_query(request.GET)
    page, rows = caseload_query.caseload_page(request.user, filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = request.GET.copy()
    for key in ("page", "sort", "dir"):
        sort_query.pop(key, None)
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "total": page.paginator.count,
        "page_query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "sorts": caseload_query.SORTS,
        "signal_filters": caseload_query.SIGNAL_FILTERS,
        "statuses": [
            (value, label)
            for value, label in Couple.Status.choices
            if value not in Couple.INACTIVE_STATUSES
        ],
        "page_size": caseload_query.PAGE_SIZE,
        "alerts_url": reverse("alerts"),
        "sort_label": str(caseload_query.SORTS[filters.sort]).lower(),
    }
    return render(request, "measurement/caseload.html", context)


def _progress(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> progress.CoupleProgress:
    couple = access.get_couple_for_clinician(request.user, couple_id)
    return progress.load(couple)


@require_safe
def couple_progress(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show both partners' scores per instrument: intake, latest, reliable change, cut-off."""
    state = _progress(request, couple_id)
    return render(request, "measurement/progress.html", {"progress": state, "couple": state.couple})


def _svg(data: charts.ChartData) -> HttpResponse:
    from rebond.measurement import plotting  # matplotlib: loaded by chart requests only

    response = HttpResponse(plotting.svg(data), content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_CSP
    return response


@require_safe
def progress_chart(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, slug: str
) -> HttpResponse:
    """Return one instrument's chart of the couple as SVG."""
    item = _progress(request, couple_id).instrument(slug)
    if item is None:
        raise Http404("No such chart.")
    return _svg(item.chart)


def _pdf(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def progress_report(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Return the clinician's progress report as a PDF; every download is audited."""
    state = _progress(request, couple_id)
    from rebond.measurement import reports  # matplotlib: loaded by report requests only

    # The partners' diary, clinician only: its numbers and charts, not their words.
    diary = case_diary(request.user, state.couple, with_lines=False)
    body = reports.clinician_report(state, request.user.display_name, now(), diary)
    with transaction.atomic():
        audit.log(
            actor=request.user,
            action="measurement.progress_report.download",
            obj=state.couple,
            clinic_id=state.couple.clinic_id,
        )
    return _pdf(body, "progress-report.pdf")


@require_safe
def client_report(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Return one partner's own summary as a PDF, for the clinician to hand to that partner."""
    partner = access.get_partner_of_case(request.user, couple_id, partner_id)
    couple = partner.couple
    from rebond.measurement import reports

    # In the partner's language, not the clinician's: the report is for the partner to read.
    with reports.partner_language(partner):
        body = reports.client_report(summary.client_summary(partner), now())
    with transaction.atomic():
        audit.log(
            actor=request.user,
            action="measurement.client_report.download",
            obj=partner,
            clinic_id=couple.clinic_id,
        )
    return _pdf(body, "check-in-summary.pdf")


# --- The clinic's parameters (clinic admins) -------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def measurement_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show and change the clinic's progress-signal settings (clinic admins only)."""
    clinic = actions.get_settings_clinic(request.user)
    current = settings_for(
        clinic.id, {s.clinic_id: s for s in MeasurementSettings.objects.filter(clinic=clinic)}
    )
    status = 200
    if request.method == "POST":
        form = MeasurementSettingsForm(request.POST, clinic_id=clinic.id)
        if form.is_valid():
            try:
                actions.set_measurement_settings(request.user, form.draft())
            except ActionError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Saved. Every active couple's signal is recomputed."))
                return redirect("measurement_settings")
        status = 422
    else:
        form = MeasurementSettingsForm.for_settings(current, clinic.id)
    return render(
        request, "measurement/settings.html", {"form": form, "clinic": clinic}, status=status
    )


# --- The partner's own summary (private-link session) ------------------------------------------


@require_safe
@session.partner_required
def my_progress(request: HttpRequest, partner: Partner) -> HttpResponse:
    """Show the partner their own scores over time (and the couple chart when allowed)."""
    return render(
        request, "measurement/my_progress.html", {"summary": summary.client_summary(partner)}
    )


@require_safe
@session.partner_required
def my_progress_chart(request: HttpRequest, partner: Partner, code: str) -> HttpResponse:
    """Return one of the partner's own charts (or the couple chart, when allowed) as SVG."""
    state = summary.client_summary(partner)
    if code == "couple":
        if state.couple_chart is None:
            return session.not_valid(request)
        return _svg(state.couple_chart)
    item = next((i for i in state.instruments if i.code == code), None)
    if item is None:
        return session.not_valid(request)
    return _svg(item.chart)
