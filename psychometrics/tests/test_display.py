"""Numbers shown to people: rounded, no needless decimals."""

from __future__ import annotations

import pytest

from psychometrics.display import figure


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (4.325, 1, "4.3"),
        (7.325, 1, "7.3"),
        (10.0, 1, "10"),
        (100, 1, "100"),
        (2.05, 2, "2.05"),
        (3.4444, 2, "3.44"),
        (-0.04, 1, "0"),
        (-2.26, 1, "-2.3"),
        (12.6, 0, "13"),
        (-0.4, 0, "0"),
    ],
)
def test_figures_are_rounded_for_people(value: float, places: int, shown: str) -> None:
    assert figure(value, places) == shown
