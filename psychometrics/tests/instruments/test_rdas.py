"""RDAS: excluded (item key unverified); verified cut-offs and reliable change.

Verified: Anderson et al. (2014), JMFT 40(4), p. 525: cut-off 47.31, RCI 11.58
("changes by 12 or more points"); Crane & Middleton (2000), AJFT 28, abstract:
cut-off 48. The per-item key is the design research's (INSTRUMENTS.md 3.2, [V2])
and the worked examples are the researcher's, recomputed here by hand.
"""

from __future__ import annotations

import pytest

from psychometrics.change import Category, assess_change
from psychometrics.errors import UnavailableInstrument
from psychometrics.instruments import available, get, rdas
from psychometrics.scoring import score, score_answers

RDAS = rdas.INSTRUMENT


def test_excluded_from_the_catalogue_with_its_reason() -> None:
    with pytest.raises(UnavailableInstrument) as caught:
        get("RDAS")
    assert "Busby" in caught.value.reason
    assert RDAS not in available()


@pytest.mark.parametrize(
    ("scale", "low", "high"),
    [("total", 0, 69), ("consensus", 0, 30), ("satisfaction", 0, 20), ("cohesion", 0, 19)],
)
def test_ranges(scale: str, low: int, high: int) -> None:
    # INSTRUMENTS.md 3.2: cohesion 0-19 because item 11 has five options.
    assert RDAS.score_range(scale) == (low, high)


@pytest.mark.parametrize(
    ("values", "scores", "band", "source"),
    [
        (
            [4, 5, 3, 4, 5, 4, 4, 3, 5, 4, 3, 3, 2, 3],
            {"consensus": 25, "satisfaction": 16, "cohesion": 11, "total": 52},
            "non-distressed",
            "INSTRUMENTS.md 3.2 example A",
        ),
        (
            [2, 3, 2, 1, 3, 2, 3, 2, 3, 1, 2, 1, 0, 1],
            {"consensus": 13, "satisfaction": 9, "cohesion": 4, "total": 26},
            "distressed",
            "INSTRUMENTS.md 3.2 example B",
        ),
        (
            [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 2, 0, 0, 0],
            {"consensus": 30, "satisfaction": 20, "cohesion": 2, "total": 52},
            "non-distressed",
            "band boundary 48 (Crane & Middleton 2000)",
        ),
        (
            [5, 5, 5, 5, 5, 5, 5, 5, 5, 2, 0, 0, 0, 0],
            {"consensus": 30, "satisfaction": 17, "cohesion": 0, "total": 47},
            "distressed",
            "47 or less distressed (Crane & Middleton 2000)",
        ),
        (
            [5, 5, 5, 5, 5, 5, 5, 5, 5, 3, 0, 0, 0, 0],
            {"consensus": 30, "satisfaction": 18, "cohesion": 0, "total": 48},
            "non-distressed",
            "48 or more non-distressed (Crane & Middleton 2000)",
        ),
    ],
)
def test_recorded_key(values: list[int], scores: dict[str, int], band: str, source: str) -> None:
    result = score(RDAS, values)
    for code, expected in scores.items():
        assert result.scores[code] == expected, source
    assert result.band == band, source


def test_satisfaction_values_are_printed_already_reversed() -> None:
    # "All the time" on "considered divorce" scores 0, "Never" 5; no second reversal.
    answers = ["Always agree"] * 6 + ["All the time"] * 4 + ["Every day"] + ["More often"] * 3
    result = score_answers(RDAS, answers)
    assert result.scores["satisfaction"] == 0
    assert result.scores["cohesion"] == 4 + 15


@pytest.mark.parametrize(
    ("before", "after", "category", "source"),
    [
        (26, 40, Category.IMPROVED, "+14 >= 11.58, 40 < 47.31 (INSTRUMENTS.md 3.2)"),
        (40, 52, Category.RECOVERED, "+12, crosses 47.31 (Anderson et al. 2014)"),
        (44, 50, Category.UNCHANGED, "+6 < 11.58 although it crosses 48"),
        (52, 40, Category.DETERIORATED, "-12, reliable in the bad direction"),
        (40, 51, Category.UNCHANGED, "+11 < 11.58: 12 points are needed"),
    ],
)
def test_change_uses_anderson_2014(
    before: int, after: int, category: Category, source: str
) -> None:
    result = assess_change(RDAS, before, after)
    assert result.category is category, source
    assert result.reliable_change == 11.58
    assert result.cutoff == 47.31


def test_missing_item_is_incomplete() -> None:
    result = score(RDAS, [4, 5, 3, 4, 5, 4, 4, 3, 5, 4, 3, 3, 2, None])
    assert result.total is None
    assert result.scores["consensus"] == 25
    assert result.scores["cohesion"] is None
    assert result.band is None
