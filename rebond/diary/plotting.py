"""Each partner's diary chart, drawn on the server by matplotlib: SVG for the diary page, the
same SVG embedded in the clinician's PDF (rebond/measurement/reports.py).

Two panels on one axis of weeks: above, how many triggers the partner wrote down each week
(bars); below, the week's mean trigger intensity, safety and closeness (0-10, lines). The
case's sessions are small triangles along the bottom, its EFT and AIRM moves numbered lines
(the list under the chart says what each number is). Colours are Okabe & Ito's
colour-blind-safe palette (Okabe, M. & Ito, K., "Color Universal Design", 2002/2008), and
each line has its own dash and marker too, so the chart reads in grey. It is a diary, not a
validated measure: no band, no cut-off, no norm. Import this module only where a chart is
drawn (it loads matplotlib, like rebond/measurement/plotting.py).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before any other matplotlib import: no display, no GUI toolkit

from django.utils import dateformat
from django.utils.translation import gettext as _
from matplotlib import rc_context
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import MaxNLocator

from rebond.diary.charts import BAR_COLOUR, LINES, MARK_COLOUR, SESSION_COLOUR
from rebond.diary.clinician import CaseDiary, PartnerDiary
from rebond.diary.summary import NOT_A_MEASURE

RC_PARAMS: Any = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, small
    "svg.hashsalt": "rebond-diary",  # the same data draws the same SVG
    "font.family": "DejaVu Sans",
    "font.size": 8,
}


def _x(day: date, first_monday: date) -> float:
    """Return a day's place on the axis: week n spans n - 0.5 to n + 0.5, Monday first."""
    return (day - first_monday).days / 7 - 0.5 + 1 / 14


def draw(target: Figure | SubFigure, diary: CaseDiary, part: PartnerDiary) -> None:
    """Draw one partner's chart into a figure, or into a part of a report page."""
    bars, lines = target.subplots(2, 1, sharex=True, height_ratios=[1, 2.2])
    weeks = part.weeks
    xs = list(range(len(weeks)))
    first = diary.mondays[0]
    bars.bar(xs, [w.counts.triggers for w in weeks], width=0.6, color=BAR_COLOUR, alpha=0.75)
    bars.set_ylabel(_("Triggers"))
    bars.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
    top = max([w.counts.triggers for w in weeks] + [3])
    bars.set_ylim(0, top * 1.15)
    for line in LINES:
        values = [getattr(w.counts, line.field) for w in weeks]
        lines.plot(
            xs,
            [float("nan") if v is None else v for v in values],
            color=line.colour,
            linestyle=line.style,
            marker=line.marker,
            markersize=4,
            linewidth=1.5,
            label=str(line.label),
        )
    lines.set_ylim(-1.2, 10.5)
    lines.set_yticks([0, 2, 4, 6, 8, 10])
    lines.set_ylabel(_("Weekly mean (0-10)"))
    if diary.sessions:
        lines.plot(
            [_x(day, first) for day in diary.sessions],
            [-0.7] * len(diary.sessions),
            linestyle="none",
            marker="^",
            markersize=5,
            color=SESSION_COLOUR,
            label=_("Session"),
        )
    for mark in diary.marks:
        x = _x(mark.day, first)
        for ax in (bars, lines):
            ax.axvline(x, color=MARK_COLOUR, linewidth=0.7, linestyle="-.", alpha=0.7, zorder=0)
        bars.annotate(
            str(mark.number),
            (x, 1),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
            color=MARK_COLOUR,
        )
    lines.set_xlim(-0.6, len(weeks) - 0.4)
    lines.set_xticks(xs, [dateformat.format(w.starts_on, "d M") for w in weeks])
    lines.set_xlabel(_("Week starting"))
    if len(weeks) > 12:
        for n, label in enumerate(lines.get_xticklabels()):
            label.set_visible(n % 2 == 0)
    for ax in (bars, lines):
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.5)
        ax.spines[["top", "right"]].set_visible(False)
    bars.set_title(
        f"{part.partner.display_name}: {NOT_A_MEASURE}",
        loc="left",
        fontsize=9,
        fontweight="bold",
        pad=12,
    )
    lines.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.28), ncols=4, fontsize=7, frameon=False
    )


def svg(diary: CaseDiary, part: PartnerDiary) -> bytes:
    """Return one partner's chart as a standalone SVG document."""
    buffer = io.BytesIO()
    with rc_context(RC_PARAMS):
        fig = Figure(figsize=(7.5, 3.9), layout="constrained")
        draw(fig, diary, part)
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
