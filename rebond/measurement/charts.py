"""What a progress chart shows (plain data), its palette and its rendering parameters.

The drawing itself is in `plotting.py`, which imports matplotlib only when a chart is drawn,
so pages without charts (the caseload) never load it. Colours are Okabe & Ito's
colour-blind-safe palette (Okabe, M. & Ito, K., "Color Universal Design", 2002/2008), and the
two partners differ by marker and line style too, so the chart also reads in grey.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from psychometrics.local_norms import PathPoint

# Okabe & Ito: blue, vermillion, bluish green, grey (for bands and the cut-off).
PARTNER_COLOURS = ("#0072B2", "#D55E00")
PARTNER_MARKERS = ("o", "s")
PARTNER_LINES = ("-", "--")
# Each partner's reliable-change band (intake -/+ the reliable-change figure): its two edges
# in its own dash pattern, so the two bands differ without colour (WCAG 1.4.1) and from the
# score lines (solid, dashed).
BAND_LINES: tuple[Any, ...] = (":", "-.")
# The same styles in words, for the key beside a chart and its text alternative.
PARTNER_LINE_WORDS = (
    gettext_lazy("solid line with dots"),
    gettext_lazy("dashed line with squares"),
)
BAND_LINE_WORDS = (gettext_lazy("dotted lines"), gettext_lazy("dash-dot lines"))
# The clinic's own expected path and its 10% failure boundary (rebond/measurement/local_norms.py):
# a long dash and a dot, and fine dots, thinner than the scores, in each partner's colour.
LOCAL_LINE: Any = (0, (7, 2, 1, 2))
BOUNDARY_LINE: Any = (0, (1, 1.5))
EVENT_COLOUR = "#009E73"
CLINICAL_RANGE_COLOUR = "#E6E6E6"
CUTOFF_COLOUR = "#000000"

RC_PARAMS: Any = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, small
    "svg.hashsalt": "rebond",  # stable element ids: the same data draws the same SVG
    "font.family": "DejaVu Sans",
    "font.size": 9,
}


@dataclass(frozen=True)
class PartnerLine:
    """One partner's scores (session, score) and, where a reliable-change figure exists, the
    band around their intake score inside which a change may be measurement error."""

    name: str
    points: Sequence[tuple[int, float]]
    reliable_band: tuple[float, float] | None = None  # intake score -/+ the reliable change
    # The clinic's expected path for this partner's intake and its 10% failure boundary.
    local_path: Sequence[PathPoint] = ()


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
    # What the x positions count: therapy sessions or check-ins (rebond/measurement/sessions.py).
    x_label: str = gettext_lazy("Check-in (0 = intake)")  # type: ignore[assignment]
    # "Expected at this clinic, from N closed cases, fitted on DATE" when a path is drawn, and a
    # caution when a partner's intake lies outside the intakes it was fitted on.
    local_label: str = ""
    local_note: str = ""
    width_inches: float = 7.5
    height_inches: float = 3.6


def line_key(data: ChartData) -> str:
    """Say in words which line is which, so a chart never relies on colour alone (1.4.1)."""
    parts = []
    for n, line in enumerate(data.partners):
        parts.append(
            gettext("%(name)s: %(style)s") % {"name": line.name, "style": PARTNER_LINE_WORDS[n % 2]}
        )
        if line.reliable_band is not None:
            low, high = (_number(edge) for edge in line.reliable_band)
            parts.append(
                gettext("%(name)s's intake ± reliable change (%(low)s to %(high)s): %(style)s")
                % {"name": line.name, "low": low, "high": high, "style": BAND_LINE_WORDS[n % 2]}
            )
        if line.local_path:
            parts.append(
                gettext("%(name)s's expected at this clinic: %(style)s")
                % {"name": line.name, "style": gettext("thin long-dash-dot line")}
            )
            parts.append(
                gettext("%(name)s's 10%% failure boundary: %(style)s")
                % {"name": line.name, "style": gettext("thin dotted line")}
            )
    key = gettext("Key: %(lines)s.") % {"lines": "; ".join(parts)} if parts else ""
    return " ".join(text for text in (key, *_local_sentences(data)) if text)


def _local_sentences(data: ChartData) -> list[str]:
    """The clinic curve's label and caution, as sentences (none when no curve is drawn)."""
    if not data.local_label:
        return []
    return [
        gettext(
            "%(label)s. The boundary marks the worst 10%% of the scores expected at each "
            "session for this intake."
        )
        % {"label": data.local_label},
        data.local_note,
    ]


def _number(value: float) -> str:
    """Write a score as the report writes it: no trailing zeros (42, 7.5)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def alt_text(data: ChartData) -> str:
    """Say what the chart shows, from its own data: each line's points, the cut-off, the marks.

    The alternative text of a chart in a PDF report (rebond/measurement/reports.py), where
    there is no table beside it to point to: "CSI-4: scores by check-in. Partner A, at
    check-in 0, 1, 2: 5, 7, 9. ... Clinical cut-off 13.5 (higher is better)."
    """
    # The axis's name without its note in brackets: "Check-in (0 = intake)" reads "check-in".
    axis = str(data.x_label).split(" (")[0].lower()
    parts = [
        gettext("%(title)s: line chart of %(measure)s by %(axis)s.")
        % {"title": data.title, "measure": data.y_label, "axis": axis}
    ]
    for line in data.partners:
        if line.points:
            xs = ", ".join(_number(x) for x, _y in line.points)
            ys = ", ".join(_number(y) for _x, y in line.points)
            parts.append(
                gettext("%(name)s, at %(axis)s %(positions)s: %(scores)s.")
                % {"name": line.name, "axis": axis, "positions": xs, "scores": ys}
            )
        else:
            parts.append(gettext("%(name)s: no scores yet.") % {"name": line.name})
        if line.reliable_band is not None:
            low, high = (_number(edge) for edge in line.reliable_band)
            parts.append(
                gettext("%(name)s's intake ± reliable change: %(low)s to %(high)s.")
                % {"name": line.name, "low": low, "high": high}
            )
    if data.cutoff is not None:
        cutoff = _number(data.cutoff)
        parts.append(
            gettext("Clinical cut-off %(cutoff)s (higher is better).") % {"cutoff": cutoff}
            if data.higher_is_better
            else gettext("Clinical cut-off %(cutoff)s (lower is better).") % {"cutoff": cutoff}
        )
    if data.events:
        marks = "; ".join(
            gettext("%(event)s at %(position)s")
            % {"event": event.label, "position": _number(event.x)}
            for event in data.events
        )
        parts.append(gettext("Marked on the axis: %(marks)s.") % {"marks": marks})
    parts.extend(text for text in _local_sentences(data) if text)
    return " ".join(parts)
