"""The benchmarks as a PDF for the clinic's annual review (rebond/lib/pdf.py: WeasyPrint,
tagged PDF/UA-1), from the same words and numbers as the page (present.py) and the same chart,
embedded as an SVG image whose alternative text is built from its data (charts.alt_text).
Dates are the clinic's."""

from __future__ import annotations

import base64
from datetime import datetime

from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from rebond.lib.clinic_time import clinic_time
from rebond.lib.pdf import render_pdf
from rebond.outcomes import charts, plotting, present
from rebond.outcomes.data import ClinicBenchmarks
from rebond.outcomes.published import PUBLISHED


def benchmark_report(state: ClinicBenchmarks, generated_by: str, at: datetime) -> bytes:
    """Return the clinic's benchmarks as a PDF."""
    with clinic_time(state.clinic):
        chart = charts.chart_data(state)
        svg = plotting.svg(chart)
        period = (
            _("Cases that ended in %(year)s") % {"year": state.year}
            if state.year
            else _("Cases that ended at any time")
        )
        context = {
            "title": _("Outcome benchmarks: %(clinic)s") % {"clinic": state.clinic.name},
            "period": period,
            "generated": localtime(at).strftime("%d %b %Y"),
            "generated_by": generated_by,
            "cases_words": present.cases_words(state),
            "displayed": present.display(state),
            "chart": {
                "title": chart.title,
                "src": "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
                "alt": charts.alt_text(chart),
            },
            "published": PUBLISHED,
            "caveats": present.CAVEATS,
        }
        return render_pdf("outcomes/pdf/benchmarks.html", context)
