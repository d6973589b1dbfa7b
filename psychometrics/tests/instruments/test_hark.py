"""HARK screen (Sohal, Eldridge & Feder 2007): positive at a score of 1 or more."""

from __future__ import annotations

import pytest

from psychometrics import get_instrument, score

HARK = get_instrument("HARK")


@pytest.mark.parametrize(
    ("values", "total", "band", "flagged"),
    [
        # Sohal et al. 2007: "a HARK cut off score of >= 1".
        ([0, 0, 0, 0], 0, "negative", False),
        ([1, 0, 0, 0], 1, "positive", True),
        ([0, 0, 0, 1], 1, "positive", True),
        ([1, 1, 1, 1], 4, "positive", True),
        # One yes is positive even with other answers missing.
        ([None, 1, None, None], None, "positive", True),
        ([None, 0, 0, 0], None, None, False),
    ],
)
def test_it_scores_the_published_rule(values, total, band, flagged):
    result = score(HARK, values)
    assert (result.total, result.band) == (total, band)
    assert [flag.code for flag in result.flags] == (["hark_positive"] if flagged else [])
