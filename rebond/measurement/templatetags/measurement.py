"""Template helpers for measurement pages: words for signals and categories."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy

from psychometrics.display import figure
from psychometrics.signals import PartnerTrack
from rebond.measurement import charts

register = template.Library()

SIGNAL_WORDS = {
    # The couple's signal (psychometrics.signals.CoupleSignal), and "none" without scores.
    "worse": gettext_lazy("Reliably worse"),
    "review": gettext_lazy("To review"),
    "improving": gettext_lazy("Both reliably improved"),
    "not_yet": gettext_lazy("Nothing flagged yet"),
    "not_judged": gettext_lazy("Not judged"),
    "none": gettext_lazy("No outcome scores"),
    # One partner's signal (psychometrics.signals.Signal).
    "no_data": gettext_lazy("No scores yet"),
    "baseline": gettext_lazy("Intake only"),
    "no_reliable_change": gettext_lazy("No reliable change"),
    "improved": gettext_lazy("Reliably improved"),
    "not_improved": gettext_lazy("No reliable improvement by the review session"),
    "deteriorated": gettext_lazy("Reliably worse"),
}
CATEGORY_WORDS = {
    "recovered": gettext_lazy("Recovered"),
    "improved": gettext_lazy("Improved"),
    "unchanged": gettext_lazy("No reliable change"),
    "deteriorated": gettext_lazy("Deteriorated"),
    "": gettext_lazy("Not judged"),
}
# Signals that need the clinician's attention: red, then amber.
RED = frozenset({"worse", "deteriorated"})
AMBER = frozenset({"review", "not_improved"})


@register.filter
def signal_words(signal: str) -> str:
    """Return the words shown for a signal."""
    return str(SIGNAL_WORDS.get(signal, signal))


@register.filter
def signal_level(signal: str) -> str:
    """Return "red", "amber" or "" for a signal, for its badge."""
    return "red" if signal in RED else "amber" if signal in AMBER else ""


@register.filter
def category_words(category: str) -> str:
    """Return the words shown for a reliable-change category."""
    return str(CATEGORY_WORDS.get(category, category))


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
