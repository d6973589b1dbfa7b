"""GAD-7 scoring against the published key (Spitzer et al. 2006)."""

from __future__ import annotations

import pytest

from psychometrics import Category, assess_change, get_instrument, score

GAD7 = get_instrument("gad7")


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        # INSTRUMENTS.md 5.2 worked examples.
        ([0, 1, 0, 1, 0, 1, 0], 3, "minimal"),
        ([2, 2, 1, 2, 1, 2, 1], 11, "moderate"),
        ([3, 3, 3, 2, 3, 3, 2], 19, "severe"),
        # Band edges: Pfizer GAD-7 form, "0-4: minimal anxiety 5-9: mild anxiety 10-14:
        # moderate anxiety 15-21: severe anxiety".
        ([1, 1, 1, 1, 0, 0, 0], 4, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "mild"),
        ([2, 2, 2, 2, 1, 0, 0], 9, "mild"),
        ([2, 2, 2, 2, 2, 0, 0], 10, "moderate"),
        ([3, 3, 3, 3, 2, 0, 0], 14, "moderate"),
        ([3, 3, 3, 3, 3, 0, 0], 15, "severe"),
        ([3] * 7, 21, "severe"),
    ],
)
def test_it_scores_published_examples(values, total, band):
    result = score(GAD7, values)
    assert (result.total, result.band, result.flags) == (total, band, ())


@pytest.mark.parametrize(
    ("before", "after", "category"),
    [
        # NHS Talking Therapies: reliable change 4, caseness 8 (PMC8411661 Table 1).
        (12, 8, Category.IMPROVED),
        (12, 7, Category.RECOVERED),
        (12, 9, Category.UNCHANGED),
        (5, 9, Category.DETERIORATED),
    ],
)
def test_change_uses_the_nhs_talking_therapies_threshold(before, after, category):
    assert assess_change(GAD7, before, after).category is category
