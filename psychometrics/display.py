"""Numbers as people read them on a page or in a sentence.

Scores and differences are computed and stored at full precision; only what is shown is
rounded, so "4.325 points short of the expected 7.325" reads "4.3 points short of the
expected 7.3". Whole numbers show without a decimal point.
"""

from __future__ import annotations

__all__ = ["figure"]


def figure(value: float, places: int = 1) -> str:
    """Return `value` rounded to at most `places` decimals, without trailing zeros or "-0"."""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
