"""ASQ outcomes against the NIMH Suicide Risk Screening Pathway."""

from __future__ import annotations

import pytest

from psychometrics import ChangeNotAvailable, assess_change, get_instrument, score, score_answers

ASQ = get_instrument("ASQ")


@pytest.mark.parametrize(
    ("values", "band", "flags", "complete"),
    [
        # INSTRUMENTS.md 5.6 worked examples; NIMH pathway: "Yes on any question 1-4 or
        # refuses to answer?" -> Q5; "Yes to Q5" -> acute positive.
        ([0, 0, 0, 0, None], "negative screen", [], True),
        ([1, 0, 0, 0, 0], "non-acute positive screen", ["asq_positive"], True),
        ([0, 0, 1, 0, 1], "acute positive screen", ["asq_positive", "asq_acute"], True),
        # Refusing to answer counts as a positive screen.
        ([None, 0, 0, 0, 0], "non-acute positive screen", ["asq_positive"], False),
        # Positive but acuity not asked: a flag says so.
        (
            [1, 0, 0, 0, None],
            "non-acute positive screen",
            ["asq_positive", "asq_acuity_unknown"],
            True,
        ),
        # A recorded yes to question 5 is acute even after four no answers.
        ([0, 0, 0, 0, 1], "acute positive screen", ["asq_acute"], True),
    ],
)
def test_it_follows_the_nimh_pathway(values, band, flags, complete):
    result = score(ASQ, values)
    assert result.band == band
    assert [flag.code for flag in result.flags] == flags
    assert all(flag.risk for flag in result.flags)
    assert result.complete is complete
    assert result.total is None


def test_yes_is_printed_first():
    assert score_answers(ASQ, ["0", "1", "1", "1", ""]).band == "non-acute positive screen"


def test_change_is_not_defined_for_a_screen():
    with pytest.raises(ChangeNotAvailable):
        assess_change(ASQ, 0, 1)
