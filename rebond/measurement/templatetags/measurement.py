"""Template helpers for measurement pages: words for signals and categories."""

from __future__ import annotations

from django import template

from psychometrics.display import figure
from rebond.measurement import charts

register = template.Library()

SIGNAL_WORDS = {
    "not_on_track": "Not on track",
    "on_track": "On track",
    "not_yet": "Not yet judged",
    "none": "No outcome scores",
    "no_data": "No scores yet",
    "too_early": "Too early to judge",
    "off_track": "Off track",
    "deteriorated": "Reliably worse",
}
CATEGORY_WORDS = {
    "recovered": "Recovered",
    "improved": "Improved",
    "unchanged": "Unchanged",
    "deteriorated": "Deteriorated",
    "": "Not judged",
}


@register.filter
def signal_words(signal: str) -> str:
    """Return the words shown for a signal."""
    return SIGNAL_WORDS.get(signal, signal)


@register.filter
def category_words(category: str) -> str:
    """Return the words shown for a reliable-change category."""
    return CATEGORY_WORDS.get(category, category)


@register.filter
def score(value: float | None) -> str:
    """Return a score rounded for people (at most two decimals), or a dash when there is none."""
    return "\u2013" if value is None else figure(value, 2)  # an en dash


@register.filter
def index(values: list[object] | tuple[object, ...], position: int) -> object:
    """Return the item at a position of a list or tuple."""
    return values[position]


@register.filter
def line_key(chart: charts.ChartData) -> str:
    """Return the chart's key in words (which line and marker is whose)."""
    return charts.line_key(chart)
