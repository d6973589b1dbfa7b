"""DTS: excluded (items, direction and reverse items unverified); recorded key mechanics.

Verified: Larzelere & Huston (1980), JMF 42(3), abstract (unidimensional). The
key (8 items, 1-7, items 1, 2, 6 reversed) is the design research's
(INSTRUMENTS.md 3.4, [K]); the worked examples are the researcher's.
"""

from __future__ import annotations

import pytest

from psychometrics.errors import UnavailableInstrument
from psychometrics.instruments import available, dts, get
from psychometrics.scoring import score_positions

DTS = dts.INSTRUMENT


def test_excluded_from_the_catalogue_with_its_reason() -> None:
    with pytest.raises(UnavailableInstrument) as caught:
        get("dts")
    assert "Larzelere" in caught.value.reason
    assert DTS not in available()


@pytest.mark.parametrize(
    ("raw", "total", "mean", "source"),
    [
        ([2, 2, 6, 6, 6, 2, 6, 6], 48, 6.0, "INSTRUMENTS.md 3.4 example (high trust)"),
        ([6, 7, 2, 1, 2, 6, 3, 2], 15, 1.875, "INSTRUMENTS.md 3.4 example (low trust)"),
        ([4] * 8, 32, 4.0, "midpoint is unaffected by reversal"),
    ],
)
def test_recorded_key(raw: list[int], total: int, mean: float, source: str) -> None:
    # Raw answers 1-7 are the printed boxes, at positions 0-6.
    result = score_positions(DTS, [answer - 1 for answer in raw])
    assert result.total == total, source
    assert result.scores["mean"] == pytest.approx(mean), source


def test_missing_item_is_incomplete() -> None:
    result = score_positions(DTS, [1, 1, 1, 1, 1, 1, 1, None])
    assert result.total is None
