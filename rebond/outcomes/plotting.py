"""The benchmark chart drawn by matplotlib as SVG: for the page and, embedded, for the PDF.

It uses the progress charts' set-up (rebond/measurement/plotting.py: no pyplot, the Agg
backend, the bundled DejaVu font; rebond/measurement/charts.py: the rendering parameters and
the Okabe & Ito colours), so every chart of Rebond reads alike. The clinic's estimates are
filled blue dots, the published ones hollow vermillion diamonds: they differ by shape and
fill as well as colour, so the chart reads in grey too (WCAG 1.4.1). Import this module only
where a chart is drawn.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from matplotlib import rc_context
from matplotlib.figure import Figure

from rebond.measurement import charts as measurement_charts
from rebond.measurement import plotting as measurement_plotting  # noqa: F401 - Agg, fonts
from rebond.outcomes.charts import BenchmarkChart

CLINIC_COLOUR, PUBLISHED_COLOUR = measurement_charts.PARTNER_COLOURS
ZERO_COLOUR = measurement_charts.CUTOFF_COLOUR


def figure(data: BenchmarkChart) -> Figure:
    """Return the chart as a matplotlib Figure (no pyplot)."""
    fig = Figure(figsize=(7.5, data.height_inches), layout="constrained")
    ax = fig.add_subplot()
    rows = list(reversed(data.estimates))  # the first estimate at the top
    for y, estimate in enumerate(rows):
        colour = PUBLISHED_COLOUR if estimate.published else CLINIC_COLOUR
        if estimate.low is not None and estimate.high is not None:
            ax.plot([estimate.low, estimate.high], [y, y], color=colour, linewidth=1.6)
            for end in (estimate.low, estimate.high):
                ax.plot([end, end], [y - 0.15, y + 0.15], color=colour, linewidth=1.2)
        ax.plot(
            [estimate.value],
            [y],
            marker="D" if estimate.published else "o",
            markersize=6,
            color=colour,
            markerfacecolor="white" if estimate.published else colour,
            linestyle="none",
        )
        ax.annotate(
            f"{estimate.value:.2f}",
            (estimate.high if estimate.high is not None else estimate.value, y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    ax.axvline(0, color=ZERO_COLOUR, linewidth=0.8)
    # A rule between the practice's estimates (above) and the published ones (below).
    published = sum(1 for estimate in rows if estimate.published)
    if 0 < published < len(rows):
        ax.axhline(published - 0.5, color="#999999", linewidth=0.6, linestyle=(0, (4, 3)))
    ax.set_yticks(range(len(rows)), [estimate.label for estimate in rows], fontsize=7.5)
    ax.set_ylim(-0.7, max(len(rows), 1) - 0.3)
    values = [0.0] + [v for e in rows for v in (e.value, e.low, e.high) if v is not None]
    ax.set_xlim(min(values) - 0.3, max(values) + 0.5)
    ax.set_xlabel(_("Standardized mean change, positive = improvement (Hedges' g / Cohen's d)"))
    fig.suptitle(data.title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    ax.grid(axis="x", color="#CCCCCC", linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def svg(data: BenchmarkChart) -> bytes:
    """Return the chart as a standalone SVG document."""
    buffer = io.BytesIO()
    with rc_context(measurement_charts.RC_PARAMS):
        figure(data).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
