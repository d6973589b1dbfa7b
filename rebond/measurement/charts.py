"""Progress charts drawn on the server by matplotlib: SVG for the page, PDF for the report.

One figure builder serves both, so the chart in the page and in the PDF are the same drawing.
Matplotlib runs without pyplot (no global state, safe in threads) and uses only its bundled
DejaVu fonts, so nothing is fetched. Colours are Okabe & Ito's colour-blind-safe palette
(Okabe, M. & Ito, K., "Color Universal Design", 2002/2008), and the two partners differ by
marker and line style too, so the chart also reads in grey.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before any other matplotlib import: no display, no GUI toolkit

from matplotlib import rc_context
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import MaxNLocator

from psychometrics.recovery import CurvePoint

# fontTools logs every font subset it makes for a PDF at INFO: noise, and no clinical content.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Okabe & Ito: blue, vermillion, bluish green, grey (for bands and the cut-off).
PARTNER_COLOURS = ("#0072B2", "#D55E00")
PARTNER_MARKERS = ("o", "s")
PARTNER_LINES = ("-", "--")
EVENT_COLOUR = "#009E73"
CLINICAL_RANGE_COLOUR = "#E6E6E6"
CUTOFF_COLOUR = "#000000"

RC_PARAMS: Any = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, small
    "svg.hashsalt": "rebond",  # stable element ids: the same data draws the same SVG
    # Type 3: the glyphs used, embedded as vector procedures. Any glyph of DejaVu, text stays
    # searchable, and it is written several times faster than a Type 42 (TrueType) subset.
    "pdf.fonttype": 3,
    "font.family": "DejaVu Sans",
    "font.size": 9,
}


@dataclass(frozen=True)
class PartnerLine:
    """One partner's scores (session, score), and their expected curve and reliable band."""

    name: str
    points: Sequence[tuple[int, float]]
    expected: Sequence[CurvePoint] = ()
    reliable_band: tuple[float, float] | None = None  # intake score -/+ the reliable change


@dataclass(frozen=True)
class Event:
    """A mark on the time axis (a case transition; therapy stages and AIRM steps at merge)."""

    x: float  # in sessions: 2.5 is between sessions 2 and 3
    label: str


@dataclass(frozen=True)
class ChartData:
    title: str
    y_label: str
    y_range: tuple[float, float]
    cutoff: float | None
    higher_is_better: bool
    partners: Sequence[PartnerLine]
    events: Sequence[Event] = field(default_factory=tuple)
    x_label: str = "Session (0 = intake)"
    width_inches: float = 7.5
    height_inches: float = 3.6


def figure(data: ChartData) -> Figure:
    """Return the chart as a matplotlib Figure (no pyplot)."""
    fig = Figure(figsize=(data.width_inches, data.height_inches), layout="constrained")
    draw(fig, data)
    return fig


def draw(target: Figure | SubFigure, data: ChartData) -> None:
    """Draw the chart into a figure, or into a part of a report page (the same drawing)."""
    ax = target.add_subplot()
    low, high = data.y_range
    pad = (high - low) * 0.04
    ax.set_ylim(low - pad, high + pad)
    last = max(
        [s for line in data.partners for s, _ in line.points]
        + [p.session for line in data.partners for p in line.expected]
        + [1]
    )
    ax.set_xlim(-0.5, last + 0.5)
    if data.cutoff is not None:
        # The clinical range: from the cut-off towards the worse end of the scale.
        bottom, top = (
            (low - pad, data.cutoff) if data.higher_is_better else (data.cutoff, high + pad)
        )
        ax.axhspan(bottom, top, color=CLINICAL_RANGE_COLOUR, zorder=0, label="Clinical range")
        ax.axhline(data.cutoff, color=CUTOFF_COLOUR, linewidth=0.8, zorder=1)
    for n, line in enumerate(data.partners):
        colour = PARTNER_COLOURS[n % 2]
        if line.expected:
            xs = [p.session for p in line.expected]
            ax.plot(
                xs,
                [p.expected for p in line.expected],
                color=colour,
                linestyle=":",
                linewidth=1.2,
                label=f"{line.name}: expected recovery",
            )
            ax.fill_between(
                xs,
                [p.expected for p in line.expected],
                [p.band_edge for p in line.expected],
                color=colour,
                alpha=0.12,
                linewidth=0,
            )
        if line.reliable_band is not None:
            # Intake score +/- the reliable change: inside it, change may be measurement error.
            for k, edge in enumerate(line.reliable_band):
                ax.axhline(
                    edge,
                    color=colour,
                    linewidth=0.7,
                    linestyle=(0, (1, 3)),
                    alpha=0.8,
                    label=f"{line.name}: intake ± reliable change" if k == 0 else None,
                )
        if line.points:
            ax.plot(
                [x for x, _ in line.points],
                [y for _, y in line.points],
                color=colour,
                linestyle=PARTNER_LINES[n % 2],
                marker=PARTNER_MARKERS[n % 2],
                markersize=4,
                linewidth=1.6,
                label=line.name,
            )
    for event in data.events:
        ax.axvline(event.x, color=EVENT_COLOUR, linewidth=0.9, linestyle="-.")
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
    ax.set_xlabel(data.x_label)
    ax.set_ylabel(data.y_label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#CCCCCC", linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3, fontsize=7, frameon=False)


def svg(data: ChartData) -> bytes:
    """Return the chart as a standalone SVG document."""
    buffer = io.BytesIO()
    with rc_context(RC_PARAMS):
        figure(data).savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def add_pdf_page(pdf: PdfPages, data: ChartData) -> None:
    """Draw the chart as one vector page of a PDF (the same drawing as the SVG)."""
    with rc_context(RC_PARAMS):
        pdf.savefig(figure(data))  # type: ignore[no-untyped-call]
