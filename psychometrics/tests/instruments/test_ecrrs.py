"""ECR-RS partner form (Fraley et al. 2011): avoidance mean 1-6 (1-4 reversed), anxiety 7-9."""

from __future__ import annotations

import pytest

from psychometrics import get_instrument, score_positions

ECRRS = get_instrument("ECR-RS")


@pytest.mark.parametrize(
    ("raw", "avoidance", "anxiety"),
    [
        # INSTRUMENTS.md 4.2 worked examples, raw answers 1-7.
        ([6, 6, 5, 6, 2, 1, 2, 2, 1], 2.0, 5 / 3),
        ([2, 3, 2, 2, 6, 6, 7, 6, 6], 35 / 6, 19 / 3),
        ([4] * 9, 4.0, 4.0),
    ],
)
def test_it_scores_published_examples(raw, avoidance, anxiety):
    result = score_positions(ECRRS, [answer - 1 for answer in raw])
    assert result.scores["avoidance"] == pytest.approx(avoidance)
    assert result.scores["anxiety"] == pytest.approx(anxiety)
    assert result.total is None


def test_items_1_to_4_are_reversed_8_minus_x():
    for item in ECRRS.items:
        expected = (7, 6, 5, 4, 3, 2, 1) if item.number <= 4 else (1, 2, 3, 4, 5, 6, 7)
        assert item.values == expected


def test_a_missing_item_leaves_only_its_scale_incomplete():
    result = score_positions(ECRRS, [3, 3, 3, 3, 3, None, 3, 3, 3])
    assert result.scores["avoidance"] is None
    assert result.scores["anxiety"] == 4.0
