"""PHQ-9 scoring against the published key (Kroenke, Spitzer & Williams 2001)."""

from __future__ import annotations

import pytest

from psychometrics import Category, assess_change, get_instrument, score, score_answers

PHQ9 = get_instrument("PHQ-9")


@pytest.mark.parametrize(
    ("values", "total", "band", "flagged"),
    [
        # INSTRUMENTS.md 5.1 worked examples (computed from the Kroenke 2001 key).
        ([1, 1, 0, 1, 0, 0, 1, 0, 0], 4, "minimal", False),
        ([2, 2, 1, 2, 1, 2, 1, 1, 1], 13, "moderate", True),
        ([3, 3, 3, 2, 2, 3, 2, 2, 0], 20, "severe", False),
        # Band edges: Kroenke 2001 p. 606, "scores of 5, 10, 15, and 20 represented mild,
        # moderate, moderately severe, and severe depression".
        ([0] * 9, 0, "minimal", False),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "mild", False),
        ([2, 2, 2, 1, 1, 1, 0, 0, 0], 9, "mild", False),
        ([2, 2, 2, 2, 2, 0, 0, 0, 0], 10, "moderate", False),
        ([3, 3, 3, 3, 2, 1, 0, 0, 0], 15, "moderately severe", False),
        ([3, 3, 3, 3, 3, 2, 2, 0, 0], 19, "moderately severe", False),
        ([3] * 9, 27, "severe", True),
    ],
)
def test_it_scores_published_examples(values, total, band, flagged):
    result = score(PHQ9, values)
    assert result.total == total
    assert result.band == band
    assert ("phq9_item9" in [flag.code for flag in result.flags]) is flagged


def test_it_flags_item_9_whatever_the_total():
    # INSTRUMENTS.md 5.1: "A total of 7 with item 9 = 2 is a risk case".
    result = score(PHQ9, [1, 1, 1, 1, 1, 0, 0, 0, 2])
    assert result.total == 7
    assert result.band == "mild"
    assert [flag.code for flag in result.flags] == ["phq9_item9"]
    assert result.flags[0].risk


def test_it_flags_item_9_even_when_incomplete():
    result = score(PHQ9, [None, None, None, None, None, None, None, None, 1])
    assert result.total is None
    assert not result.complete
    assert result.missing == (1, 2, 3, 4, 5, 6, 7, 8)
    assert [flag.code for flag in result.flags] == ["phq9_item9"]


def test_it_never_gives_a_silent_total_with_missing_items():
    # No proration rule was found in the PHQ materials.
    result = score(PHQ9, [3, 3, 3, 3, 3, 3, 3, 3, None])
    assert result.total is None
    assert result.band is None


def test_labels_and_positions_agree():
    labels = ["Several days"] * 4 + ["nearly every day"] * 4 + ["NOT AT ALL"]
    positions = ["1"] * 4 + ["3"] * 4 + ["0"]
    assert score_answers(PHQ9, labels) == score_answers(PHQ9, positions)
    assert score_answers(PHQ9, labels).total == 16


@pytest.mark.parametrize(
    ("before", "after", "category"),
    [
        # INSTRUMENTS.md 5.1: 18 -> 11 is a reliable improvement (>= 6, NHS Talking
        # Therapies) but 11 is still caseness (>= 10): improved, not recovered.
        (18, 11, Category.IMPROVED),
        (18, 9, Category.RECOVERED),
        (18, 13, Category.UNCHANGED),
        (8, 14, Category.DETERIORATED),
        (12, 8, Category.UNCHANGED),
    ],
)
def test_change_uses_the_nhs_talking_therapies_threshold(before, after, category):
    result = assess_change(PHQ9, before, after)
    assert result.category is category
    assert result.reliable_change == 6
    assert "NHS Talking Therapies" in result.threshold_source
