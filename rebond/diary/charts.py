"""What a diary chart shows besides the numbers: its palette, line styles and key in words.

The drawing is in `plotting.py`, which loads matplotlib only when a chart is drawn, so the
pages (the case page, the diary page) never load it. Colours are Okabe & Ito's
colour-blind-safe palette (Okabe, M. & Ito, K., "Color Universal Design", 2002/2008); each line
has its own dash and marker too, so the chart also reads in grey (WCAG 1.4.1).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Line:
    field: str
    label: str | Promise
    colour: str
    style: str
    marker: str
    words: str | Promise  # the same style in words, for the key beside the chart (WCAG 1.4.1)


LINES = (
    Line(
        "mean_safe",
        gettext_lazy("Safety"),
        "#0072B2",
        "-",
        "o",
        gettext_lazy("solid blue line with dots"),
    ),
    Line(
        "mean_close",
        gettext_lazy("Closeness"),
        "#009E73",
        "--",
        "s",
        gettext_lazy("dashed green line with squares"),
    ),
    Line(
        "mean_intensity",
        gettext_lazy("Trigger intensity"),
        "#D55E00",
        ":",
        "D",
        gettext_lazy("dotted orange line with diamonds"),
    ),
)
BAR_COLOUR = "#E69F00"  # Okabe & Ito orange, lighter than the intensity line
MARK_COLOUR = "#5A5A5A"
SESSION_COLOUR = "#7F7F7F"


def _key() -> str:
    # Translators: %(lines)s lists each line of the chart and its style, separated by "; ".
    return _(
        "Bars: triggers written down that week. %(lines)s (weekly means, 0-10). Grey "
        "triangles along the bottom: sessions. Numbered vertical lines: EFT and AIRM moves, "
        "listed by number beside the charts."
    ) % {"lines": "; ".join(f"{line.label}: {line.words}" for line in LINES)}


# The key in words, in the language of the page or PDF it lands on.
KEY = lazy(_key, str)()
