"""Reliable change and clinical significance (Jacobson & Truax 1991)."""

from __future__ import annotations

import pytest

from psychometrics import Category, ChangeNotAvailable, InvalidScore, Norms, assess_change
from psychometrics.instruments import get
from psychometrics.tests.toy import make_toy

TOY = make_toy()


def test_the_generic_worked_example():
    # INSTRUMENTS.md 2: SD 8, r .90, 40 -> 52: RCI 3.35, reliable; c = 45.47 -> recovered.
    norms = Norms(sd=8, reliability=0.9, source="worked example")
    result = assess_change(get("CSI-4"), 4, 16, norms=norms, cutoff=13.5)
    assert result.category is Category.RECOVERED
    wide = assess_change(get("PCL-5"), 40, 52, norms=norms)
    assert wide.rci == pytest.approx(3.354, abs=1e-3)
    assert wide.is_reliable
    assert wide.category is Category.DETERIORATED
    assert wide.sd == 8
    assert wide.reliability == 0.9
    assert wide.norms_source == "worked example"
    assert wide.method == "Jacobson-Truax reliable change index"


@pytest.mark.parametrize(
    ("before", "after", "category", "direction"),
    [
        # Toy norms SD 2, r .8: Sdiff = 1.265, reliable beyond 2.48 points.
        (8, 4, Category.RECOVERED, "improvement"),
        (11, 7, Category.IMPROVED, "improvement"),
        (8, 6, Category.UNCHANGED, "improvement"),
        (4, 8, Category.DETERIORATED, "deterioration"),
        (5, 5, Category.UNCHANGED, "none"),
    ],
)
def test_published_norms_give_the_rci(before, after, category, direction):
    result = assess_change(TOY, before, after)
    assert (result.category, result.direction) == (category, direction)
    assert result.cutoff_source == "toy cut-off"


def test_local_norms_and_cutoff_win_over_published_ones():
    phq9 = get("PHQ-9")
    result = assess_change(
        phq9, 14, 9, norms=Norms(sd=4, reliability=0.84, source="clinic"), cutoff=8
    )
    assert result.method == "Jacobson-Truax reliable change index"
    assert result.norms_source == "clinic"
    assert result.cutoff == 8
    assert result.cutoff_source == "supplied by the caller"
    assert result.category is Category.IMPROVED


def test_a_scale_must_be_named_when_there_is_no_total():
    ecrrs = get("ECR-RS")
    with pytest.raises(ChangeNotAvailable, match="avoidance, anxiety"):
        assess_change(ecrrs, 2, 3)
    norms = Norms(sd=1.2, reliability=0.65, source="clinic")
    result = assess_change(ecrrs, 5.5, 2.0, scale="avoidance", norms=norms)
    assert result.category is Category.IMPROVED
    assert result.cutoff is None
    assert not result.crossed_cutoff


@pytest.mark.parametrize("score", [-1, 28, float("nan")])
def test_scores_outside_the_range_are_refused(score):
    with pytest.raises(InvalidScore, match="outside 0-27"):
        assess_change(get("PHQ-9"), score, 10)
