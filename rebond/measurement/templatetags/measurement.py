"""Template helpers for measurement pages: words for signals and categories."""

from __future__ import annotations

from django import template

from psychometrics.display import figure
from psychometrics.signals import PartnerTrack
from rebond.measurement import charts

register = template.Library()

SIGNAL_WORDS = {
    # The couple's signal (psychometrics.signals.CoupleSignal), and "none" without scores.
    "worse": "Reliably worse",
    "review": "To review",
    "improving": "Both reliably improved",
    "not_yet": "Nothing flagged yet",
    "not_judged": "Not judged",
    "none": "No outcome scores",
    # One partner's signal (psychometrics.signals.Signal).
    "no_data": "No scores yet",
    "baseline": "Intake only",
    "no_reliable_change": "No reliable change",
    "improved": "Reliably improved",
    "not_improved": "No reliable improvement by the review session",
    "deteriorated": "Reliably worse",
}
CATEGORY_WORDS = {
    "recovered": "Recovered",
    "improved": "Improved",
    "unchanged": "No reliable change",
    "deteriorated": "Deteriorated",
    "": "Not judged",
}
# Signals that need the clinician's attention: red, then amber.
RED = frozenset({"worse", "deteriorated"})
AMBER = frozenset({"review", "not_improved"})


@register.filter
def signal_words(signal: str) -> str:
    """Return the words shown for a signal."""
    return SIGNAL_WORDS.get(signal, signal)


@register.filter
def signal_level(signal: str) -> str:
    """Return "red", "amber" or "" for a signal, for its badge."""
    return "red" if signal in RED else "amber" if signal in AMBER else ""


@register.filter
def category_words(category: str) -> str:
    """Return the words shown for a reliable-change category."""
    return CATEGORY_WORDS.get(category, category)


@register.filter
def score(value: float | None) -> str:
    """Return a score rounded for people (at most two decimals), or a dash when there is none."""
    return "\u2013" if value is None else figure(value, 2)  # an en dash


@register.filter
def change_since_intake(track: PartnerTrack) -> str:
    """Return a partner's latest score minus their intake score, signed (+3, -1.5, 0)."""
    if track.score is None or track.baseline is None:
        return "\u2013"
    text = figure(track.score - track.baseline, 2)
    return text if text.startswith("-") or text == "0" else f"+{text}"


@register.filter
def index(values: list[object] | tuple[object, ...], position: int) -> object:
    """Return the item at a position of a list or tuple."""
    return values[position]


@register.filter
def line_key(chart: charts.ChartData) -> str:
    """Return the chart's key in words (which line and marker is whose)."""
    return charts.line_key(chart)
