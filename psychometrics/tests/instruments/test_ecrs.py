"""ECR-S: excluded (appendix of Wei et al. 2007 not retrieved); recorded key mechanics.

The key (anxiety even items, avoidance odd items, reverse 1, 5, 8, 9) is the
design research's (INSTRUMENTS.md 4.3, [K]); the worked examples are the
researcher's, recomputed by hand.
"""

from __future__ import annotations

import pytest

from psychometrics.errors import UnavailableInstrument
from psychometrics.instruments import available, ecrs, get
from psychometrics.scoring import score_positions

ECRS = ecrs.INSTRUMENT


def test_excluded_from_the_catalogue_with_its_reason() -> None:
    with pytest.raises(UnavailableInstrument) as caught:
        get("ECR-S")
    assert "Wei" in caught.value.reason
    assert ECRS not in available()


@pytest.mark.parametrize(
    ("raw", "anxiety", "avoidance", "source"),
    [
        ([6, 5, 2, 5, 6, 4, 2, 3, 6, 5, 2, 6], 5.0, 2.0, "INSTRUMENTS.md 4.3 first example"),
        ([2, 2, 6, 3, 2, 2, 6, 6, 2, 3, 6, 2], 14 / 6, 6.0, "INSTRUMENTS.md 4.3 second"),
    ],
)
def test_recorded_key(raw: list[int], anxiety: float, avoidance: float, source: str) -> None:
    result = score_positions(ECRS, [answer - 1 for answer in raw])
    assert result.scores["anxiety"] == pytest.approx(anxiety), source
    assert result.scores["avoidance"] == pytest.approx(avoidance), source
    assert result.total is None


def test_reversed_items_and_missing() -> None:
    assert tuple(item.number for item in ECRS.items if item.reverse) == (1, 5, 8, 9)
    result = score_positions(ECRS, [None] + [3] * 11)
    assert result.scores["avoidance"] is None
    assert result.scores["anxiety"] == 4.0
