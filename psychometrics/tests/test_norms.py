"""Jacobson & Truax (1991) arithmetic, against INSTRUMENTS.md section 2's worked example."""

from __future__ import annotations

import math

import pytest

from psychometrics.errors import InvalidNorms
from psychometrics.model import Norms
from psychometrics.norms import (
    Population,
    check_norms,
    cutoff_a,
    cutoff_b,
    cutoff_c,
    standard_error,
    standard_error_of_difference,
)


def test_standard_errors():
    # INSTRUMENTS.md 2: SD 8, r .90 -> SE 2.530, Sdiff 3.578, minimum reliable change 7.01.
    assert standard_error(8, 0.9) == pytest.approx(2.530, abs=1e-3)
    assert standard_error_of_difference(8, 0.9) == pytest.approx(3.578, abs=1e-3)
    assert 1.96 * standard_error_of_difference(8, 0.9) == pytest.approx(7.01, abs=1e-2)


def test_cutoff_c():
    # INSTRUMENTS.md 2: functional M 52 SD 7, dysfunctional M 38 SD 8 -> c = 45.47.
    assert cutoff_c(Population(52, 7), Population(38, 8)) == pytest.approx(45.47, abs=1e-2)


@pytest.mark.parametrize(("better", "a", "b"), [(True, 54, 38), (False, 22, 66)])
def test_cutoffs_a_and_b(better, a, b):
    assert cutoff_a(Population(38, 8), higher_is_better=better) == a
    assert cutoff_b(Population(52, 7), higher_is_better=better) == b


@pytest.mark.parametrize(("sd", "r"), [(0, 0.5), (-1, 0.5), (math.nan, 0.5), (5, 1), (5, -0.1)])
def test_it_rejects_unusable_norms(sd, r):
    with pytest.raises(InvalidNorms):
        check_norms(Norms(sd=sd, reliability=r, source="x"))
