"""Progress charts drawn on the server by matplotlib, as SVG: for the page and, embedded as an
image, for the PDF reports (rebond/measurement/reports.py), so both show the same drawing.

Matplotlib runs without pyplot (no global state, safe in threads) and uses only its bundled
DejaVu fonts, so nothing is fetched. Import this module only where a chart is drawn.
"""

from __future__ import annotations

import io
import logging

import matplotlib

matplotlib.use("Agg")  # before any other matplotlib import: no display, no GUI toolkit

from django.utils.translation import gettext
from matplotlib import rc_context
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import MaxNLocator

from rebond.measurement import charts

# fontTools logs every font subset WeasyPrint makes for a PDF at INFO: noise, no clinical content.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def figure(data: charts.ChartData) -> Figure:
    """Return the chart as a matplotlib Figure (no pyplot)."""
    fig = Figure(figsize=(data.width_inches, data.height_inches), layout="constrained")
    draw(fig, data)
    return fig


def draw(target: Figure | SubFigure, data: charts.ChartData) -> None:
    """Draw the chart into a figure, or into a part of a report page (the same drawing)."""
    ax = target.add_subplot()
    low, high = data.y_range
    pad = (high - low) * 0.04
    ax.set_ylim(low - pad, high + pad)
    last = max(
        [s for line in data.partners for s, _ in line.points]
        + [p.session for line in data.partners for p in line.local_path]
        + [1]
    )
    ax.set_xlim(-0.5, last + 0.5)
    if data.cutoff is not None:
        # The clinical range: from the cut-off towards the worse end of the scale.
        bottom, top = (
            (low - pad, data.cutoff) if data.higher_is_better else (data.cutoff, high + pad)
        )
        ax.axhspan(
            bottom,
            top,
            color=charts.CLINICAL_RANGE_COLOUR,
            zorder=0,
            label=gettext("Clinical range"),
        )
        ax.axhline(data.cutoff, color=charts.CUTOFF_COLOUR, linewidth=0.8, zorder=1)
    for n, line in enumerate(data.partners):
        colour = charts.PARTNER_COLOURS[n % 2]
        if line.local_path:
            # The clinic's expected path for this intake and its 10% failure boundary.
            xs = [p.session for p in line.local_path]
            ax.plot(
                xs,
                [p.expected for p in line.local_path],
                color=colour,
                linestyle=charts.LOCAL_LINE,
                linewidth=1.1,
                label=gettext("%(name)s: expected at this clinic") % {"name": line.name},
            )
            ax.plot(
                xs,
                [p.boundary for p in line.local_path],
                color=colour,
                linestyle=charts.BOUNDARY_LINE,
                linewidth=0.9,
                label=gettext("%(name)s: 10%% failure boundary") % {"name": line.name},
            )
        if line.reliable_band is not None:
            # Intake score +/- the reliable change: inside it, change may be measurement error.
            # Drawn only where a reliable-change figure exists; it is not a prediction.
            for k, edge in enumerate(line.reliable_band):
                ax.axhline(
                    edge,
                    color=colour,
                    linewidth=0.8,
                    linestyle=charts.BAND_LINES[n % 2],
                    alpha=0.9,
                    label=gettext("%(name)s: intake ± reliable change") % {"name": line.name}
                    if k == 0
                    else None,
                )
        if line.points:
            ax.plot(
                [x for x, _ in line.points],
                [y for _, y in line.points],
                color=colour,
                linestyle=charts.PARTNER_LINES[n % 2],
                marker=charts.PARTNER_MARKERS[n % 2],
                markersize=4,
                linewidth=1.6,
                label=line.name,
            )
    for event in data.events:
        ax.axvline(event.x, color=charts.EVENT_COLOUR, linewidth=0.9, linestyle="-.")
        ax.annotate(
            event.label,
            (event.x, 1),
            xycoords=("data", "axes fraction"),
            xytext=(2, -2),
            textcoords="offset points",
            rotation=90,
            va="top",
            fontsize=7,
            color="#005A40",
        )
    ax.set_title(data.title, loc="left", fontsize=10, fontweight="bold")
    if data.local_label:
        ax.set_title(data.local_label, loc="right", fontsize=7, color="#333333")
    ax.set_xlabel(str(data.x_label))
    ax.set_ylabel(str(data.y_label))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#CCCCCC", linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3, fontsize=7, frameon=False)


def svg(data: charts.ChartData) -> bytes:
    """Return the chart as a standalone SVG document."""
    buffer = io.BytesIO()
    with rc_context(charts.RC_PARAMS):
        figure(data).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
