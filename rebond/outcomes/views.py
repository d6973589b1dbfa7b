"""The clinic's outcome benchmarks: the page, its chart (SVG) and the annual-review PDF.

Each view asks the gateway first (`access.get_benchmark_clinic`: clinic admins and
supervisors, 404 for anyone else). Every read is audited by ClinicalReadAuditMiddleware; the
PDF download is recorded as well, as the progress report's is. The chart is a same-origin
SVG image under its own Content-Security-Policy, like the progress charts.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.timezone import now
from django.views.decorators.http import require_safe

from rebond import access, audit
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import Clinic
from rebond.measurement.views import SVG_CSP
from rebond.outcomes import charts, data, present
from rebond.outcomes.published import PUBLISHED


def _load(request: AuthenticatedHttpRequest) -> tuple[Clinic, data.ClinicBenchmarks]:
    clinic = access.get_benchmark_clinic(request.user)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) == 4 else None
    return clinic, data.load(clinic, year)


@require_safe
def benchmarks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinic's outcomes beside the published benchmarks."""
    clinic, state = _load(request)
    chart = charts.chart_data(state)
    context = {
        "clinic": clinic,
        "state": state,
        "chart": chart,
        "alt": charts.alt_text(chart),
        "chart_height": round(chart.height_inches / 7.5 * 720),
        "displayed": present.display(state),
        "cases_words": present.cases_words(state),
        "caveats": present.CAVEATS,
        "published": PUBLISHED,
        "query": f"?year={state.year}" if state.year else "",
    }
    return render(request, "outcomes/benchmarks.html", context)


@require_safe
def benchmarks_chart(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return the benchmark chart as SVG."""
    _, state = _load(request)
    from rebond.outcomes import plotting  # matplotlib: loaded by chart requests only

    response = HttpResponse(plotting.svg(charts.chart_data(state)), content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_CSP
    return response


@require_safe
def benchmarks_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return the benchmarks as a PDF for the clinic's annual review; every download is
    audited."""
    clinic, state = _load(request)
    from rebond.outcomes import reports  # matplotlib and WeasyPrint: report requests only

    body = reports.benchmark_report(state, request.user.display_name, now())
    with transaction.atomic():
        audit.log(
            actor=request.user,
            action="outcomes.benchmarks_report.download",
            obj=clinic,
            clinic_id=clinic.id,
        )
    response = HttpResponse(body, content_type="application/pdf")
    name = f"outcome-benchmarks-{state.year}.pdf" if state.year else "outcome-benchmarks.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
