"""TRIM-18: excluded (item numbering unverified); recorded key mechanics.

Verified: MIDSS TRIM-18 page: Avoidance 7 items, Revenge 5 items (so
Benevolence 6), 5-point scale. The item numbering is the design research's
(INSTRUMENTS.md 4.4, [K]); the worked examples are the researcher's.
"""

from __future__ import annotations

import pytest

from psychometrics.change import assess_change
from psychometrics.errors import ChangeNotAvailable, UnavailableInstrument
from psychometrics.instruments import available, get, trim18
from psychometrics.scoring import score

TRIM = trim18.INSTRUMENT


def test_excluded_from_the_catalogue_with_its_reason() -> None:
    with pytest.raises(UnavailableInstrument) as caught:
        get("TRIM-18")
    assert "numbering" in caught.value.reason
    assert TRIM not in available()


def test_subscale_sizes_match_midss() -> None:
    # MIDSS: "The seven-item Avoidance subscale ... The five-item Revenge subscale".
    assert len(TRIM.scale("avoidance").items) == 7
    assert len(TRIM.scale("revenge").items) == 5
    assert len(TRIM.scale("benevolence").items) == 6
    every = TRIM.scale("avoidance").items + TRIM.scale("revenge").items
    assert sorted(every + TRIM.scale("benevolence").items) == list(range(1, 19))
    assert TRIM.primary is None


@pytest.mark.parametrize(
    ("values", "expected", "source"),
    [
        (
            [1, 4, 2, 1, 4, 2, 5, 2, 2, 4, 4, 2, 1, 2, 3, 2, 1, 4],
            {"avoidance": 28, "revenge": 6, "benevolence": 12, "trim12": 34},
            "INSTRUMENTS.md 4.4 first example",
        ),
        (
            [1, 2, 4, 1, 1, 5, 3, 5, 1, 2, 2, 4, 1, 4, 1, 4, 1, 2],
            {"avoidance": 13, "revenge": 5, "benevolence": 26, "trim12": 18},
            "INSTRUMENTS.md 4.4 second example",
        ),
    ],
)
def test_recorded_key(values: list[int], expected: dict[str, int], source: str) -> None:
    result = score(TRIM, values)
    for code, total in expected.items():
        assert result.scores[code] == total, source
    count = {"avoidance": 7, "revenge": 5, "benevolence": 6}
    for code, size in count.items():
        assert result.scores[f"{code}_mean"] == pytest.approx(expected[code] / size), source
    assert result.total is None


def test_change_needs_a_scale_and_clinic_norms() -> None:
    with pytest.raises(ChangeNotAvailable):
        assess_change(TRIM, 28, 13)
    with pytest.raises(ChangeNotAvailable):
        assess_change(TRIM, 28, 13, scale="avoidance")
