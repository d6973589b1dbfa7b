"""WHO-5 scoring against the official 1998 form (raw x 4 = percentage)."""

from __future__ import annotations

import pytest

from psychometrics import Category, assess_change, get_instrument, score, score_answers

WHO5 = get_instrument("WHO-5")


@pytest.mark.parametrize(
    ("values", "raw", "percentage", "band"),
    [
        # INSTRUMENTS.md 5.4 worked examples; official form: "the raw score is multiplied by 4".
        ([3, 2, 3, 2, 3], 13, 52, "above the screening cut-off"),
        ([2, 2, 2, 2, 2], 10, 40, "screen positive: poor well-being (50 or less)"),
        ([1, 1, 0, 1, 2], 5, 20, "screen positive: poor well-being (50 or less)"),
        ([5] * 5, 25, 100, "above the screening cut-off"),
        ([0] * 5, 0, 0, "screen positive: poor well-being (50 or less)"),
        # Raw 12 = 48 (screen positive; Topp 2015 cut-off <= 50).
        ([3, 3, 2, 2, 2], 12, 48, "screen positive: poor well-being (50 or less)"),
    ],
)
def test_it_scores_published_examples(values, raw, percentage, band):
    result = score(WHO5, values)
    assert result.scores["raw"] == raw
    assert result.total == percentage
    assert result.band == band


def test_all_of_the_time_is_printed_first_and_scores_5():
    # Official 1998 form prints 5 on the left: "All of the time ... At no time".
    assert WHO5.items[0].options[0].label == "All of the time"
    assert score_answers(WHO5, ["0"] * 5).total == 100
    assert score_answers(WHO5, ["at no time"] * 5).total == 0


@pytest.mark.parametrize(
    ("before", "after", "category"),
    [
        # INSTRUMENTS.md 5.4: 40 -> 52 (+12) is meaningful (>= 10) and crosses 50.
        (40, 52, Category.RECOVERED),
        (20, 40, Category.IMPROVED),
        (44, 48, Category.UNCHANGED),
        (80, 60, Category.DETERIORATED),
    ],
)
def test_change(before, after, category):
    result = assess_change(WHO5, before, after)
    assert result.category is category
    assert result.higher_is_better
