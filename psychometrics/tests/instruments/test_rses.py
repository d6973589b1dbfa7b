"""RSES scoring, original (1965 / PhenX 180901) item order: items 3, 5, 8, 9, 10 reversed."""

from __future__ import annotations

import pytest

from psychometrics import ChangeNotAvailable, Norms, assess_change, get_instrument, score_answers

RSES = get_instrument("RSES")
SA, A, D, SD = "Strongly agree", "Agree", "Disagree", "Strongly disagree"


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        # INSTRUMENTS.md 5.5 worked examples (PhenX order and key).
        ([A, SA, D, A, SD, A, A, A, D, D], 21),
        ([A] * 10, 15),
        ([D, A, A, D, SA, D, SD, SA, SA, A], 7),
        # PhenX key extremes: positive items SA = 3, reversed items SD = 3.
        ([SA, SA, SD, SA, SD, SA, SA, SD, SD, SD], 30),
        ([SD, SD, SA, SD, SA, SD, SD, SA, SA, SA], 0),
    ],
)
def test_it_scores_published_examples(answers, total):
    result = score_answers(RSES, answers)
    assert result.total == total
    assert result.band is None  # UMD: "no discrete cut-off points"


def test_reversed_items_are_those_of_the_original_order():
    assert [item.number for item in RSES.items if item.reverse] == [3, 5, 8, 9, 10]


def test_change_needs_local_norms():
    with pytest.raises(ChangeNotAvailable):
        assess_change(RSES, 15, 22)
    norms = Norms(sd=5.8, reliability=0.91, source="clinic sample")
    result = assess_change(RSES, 15, 22, norms=norms)
    # Sdiff = sqrt(2) * 5.8 * sqrt(0.09) = 2.4607; RCI = 7 / 2.4607 = 2.84.
    assert result.rci == pytest.approx(2.8447, abs=1e-4)
    assert result.category == "improved"
