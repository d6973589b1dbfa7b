"""PCL-5 scoring against the NC-PTSD key (Weathers et al. 2013; Blevins et al. 2015)."""

from __future__ import annotations

import pytest

from psychometrics import Category, assess_change, get_instrument, score

PCL5 = get_instrument("PCL-5")

# INSTRUMENTS.md 5.3 worked examples (clusters B 1-5, C 6-7, D 8-14, E 15-20).
EXAMPLE_A = [2, 3, 1, 2, 3, 2, 2, 0, 1, 2, 3, 1, 0, 2, 1, 2, 3, 0, 2, 1]
EXAMPLE_C = [4, 4, 3, 4, 3, 4, 4, 3, 2, 4, 3, 3, 2, 1, 2, 3, 4, 3, 2, 3]


@pytest.mark.parametrize(
    ("values", "total", "clusters", "band", "pattern"),
    [
        (EXAMPLE_A, 33, (11, 4, 9, 9), "within the 31-33 screening range", True),
        ([1] * 20, 20, (5, 2, 7, 6), "below the 31-33 screening range", False),
        (EXAMPLE_C, 61, (18, 8, 18, 17), "above the 31-33 screening range", True),
        ([0] * 20, 0, (0, 0, 0, 0), "below the 31-33 screening range", False),
        ([4] * 20, 80, (20, 8, 28, 24), "above the 31-33 screening range", True),
    ],
)
def test_it_scores_published_examples(values, total, clusters, band, pattern):
    result = score(PCL5, values)
    assert result.total == total
    subscales = tuple(
        result.scores[code] for code in ("intrusion", "avoidance", "cognition_mood", "arousal")
    )
    assert subscales == clusters
    assert result.band == band
    assert any(flag.code == "pcl5_dsm5_pattern" for flag in result.flags) is pattern


def test_the_dsm5_pattern_needs_two_d_and_two_e_items():
    # NC-PTSD rule: items >= 2 count; 1 B, 1 C, 2 D, 2 E needed. Only one D item here.
    values = [2] + [0] * 4 + [2, 0] + [2] + [0] * 6 + [2, 2] + [0] * 4
    assert score(PCL5, values).flags == ()


def test_it_never_says_probable_ptsd():
    text = " ".join(
        [PCL5.interpretation]
        + [band.label for band in PCL5.bands]
        + [rule.flag.message for rule in PCL5.flags]
    ).lower()
    assert "probable ptsd" not in text
    assert "event-related" in PCL5.interpretation


@pytest.mark.parametrize(
    ("before", "after", "category"),
    [
        # INSTRUMENTS.md 5.3: 61 -> 45 (-16) is reliable and clinically meaningful.
        (61, 45, Category.IMPROVED),
        (45, 28, Category.RECOVERED),
        (40, 32, Category.UNCHANGED),
        (20, 30, Category.DETERIORATED),
    ],
)
def test_change(before, after, category):
    assert assess_change(PCL5, before, after).category is category
