"""What a diary chart shows besides the numbers: its palette, line styles and key in words.

The drawing is in `plotting.py`, which loads matplotlib only when a chart is drawn, so the
pages (the case page, the diary page) never load it. Colours are Okabe & Ito's
colour-blind-safe palette (Okabe, M. & Ito, K., "Color Universal Design", 2002/2008); each line
has its own dash and marker too, so the chart also reads in grey (WCAG 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    field: str
    label: str
    colour: str
    style: str
    marker: str
    words: str  # the same style in words, for the key beside the chart (WCAG 1.4.1)


LINES = (
    Line("mean_safe", "Safety", "#0072B2", "-", "o", "solid blue line with dots"),
    Line("mean_close", "Closeness", "#009E73", "--", "s", "dashed green line with squares"),
    Line(
        "mean_intensity",
        "Trigger intensity",
        "#D55E00",
        ":",
        "D",
        "dotted orange line with diamonds",
    ),
)
BAR_COLOUR = "#E69F00"  # Okabe & Ito orange, lighter than the intensity line
MARK_COLOUR = "#5A5A5A"
SESSION_COLOUR = "#7F7F7F"
KEY = (
    "Bars: triggers written down that week. "
    + "; ".join(f"{line.label}: {line.words}" for line in LINES)
    + " (weekly means, 0-10). Grey triangles along the bottom: sessions. "
    "Numbered vertical lines: EFT and AIRM moves, listed by number beside the charts."
)
