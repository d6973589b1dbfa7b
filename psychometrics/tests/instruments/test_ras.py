"""RAS: excluded (options and reverse items unverified); mechanics of the recorded key.

Verified: Hendrick (1988), JMF 50(1), p. 93: seven items, alpha .86. The A-E
coding 1-5 and the reversal of items 4 and 7 are the design research's
(INSTRUMENTS.md 3.3, [V2]); the worked examples are the researcher's.
"""

from __future__ import annotations

import pytest

from psychometrics.errors import UnavailableInstrument
from psychometrics.instruments import available, get, ras
from psychometrics.scoring import score_answers

RAS = ras.INSTRUMENT


def test_excluded_from_the_catalogue_with_its_reason() -> None:
    with pytest.raises(UnavailableInstrument) as caught:
        get("ras")
    assert "reverse-keyed" in caught.value.reason
    assert RAS not in available()


def test_seven_items_and_reversed_items() -> None:
    assert len(RAS.items) == 7
    assert [item.number for item in RAS.items if item.reverse] == [4, 7]
    assert RAS.items[3].values == (5, 4, 3, 2, 1)
    assert RAS.items[0].values == (1, 2, 3, 4, 5)


@pytest.mark.parametrize(
    ("letters", "total", "mean", "source"),
    [
        ("DDDBDEB", 29, 29 / 7, "INSTRUMENTS.md 3.3 example [4,4,4,2,4,5,2]"),
        ("BBCDBCD", 16, 16 / 7, "INSTRUMENTS.md 3.3 example [2,2,3,4,2,3,4]"),
        ("EEEEEEE", 27, 27 / 7, "INSTRUMENTS.md 3.3: straight-lining gives 27, not 35"),
        ("EEEAEEA", 35, 5.0, "maximum"),
    ],
)
def test_recorded_key(letters: str, total: int, mean: float, source: str) -> None:
    result = score_answers(RAS, list(letters))
    assert result.total == total, source
    assert result.scores["mean"] == pytest.approx(mean), source


def test_missing_item_is_incomplete() -> None:
    result = score_answers(RAS, ["A", "B", "C", "D", "E", "A", ""])
    assert result.total is None
    assert result.scores["mean"] is None
