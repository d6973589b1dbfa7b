"""Scoring mechanics: answers, missing items, proration, and the fast path."""

from __future__ import annotations

import pytest

from psychometrics import (
    InvalidAnswer,
    Scorer,
    WrongAnswerCount,
    score,
    score_answers,
    score_positions,
)
from psychometrics.instruments import get
from psychometrics.scoring import parse_answer
from psychometrics.tests.toy import make_toy

TOY = make_toy()


@pytest.mark.parametrize(
    ("answer", "position"),
    [("Never", 0), ("  often ", 2), ("ALWAYS", 3), ("2", 2), (" 3 ", 3), ("", None), ("   ", None)],
)
def test_answers_are_labels_or_positions(answer, position):
    assert parse_answer(TOY, TOY.items[0], answer) == position


@pytest.mark.parametrize("answer", ["4", "rarely", "-1", "1.5"])
def test_bad_answers_name_the_item_and_the_allowed_answers(answer):
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(TOY, TOY.items[1], answer)
    message = str(caught.value)
    assert "TOY item 2" in message
    assert "0 = Never; 1 = Sometimes; 2 = Often; 3 = Always" in message
    assert caught.value.item == 2


def test_wrong_answer_counts_are_refused():
    with pytest.raises(WrongAnswerCount, match="TOY has 4 items but 3 answers"):
        score_answers(TOY, ["0", "0", "0"])
    with pytest.raises(WrongAnswerCount):
        score(TOY, [0] * 5)
    with pytest.raises(WrongAnswerCount):
        score_positions(TOY, [0] * 3)


def test_values_must_be_scored_values_of_the_item():
    with pytest.raises(InvalidAnswer, match=r"allowed: 0 \(Never\)"):
        score(TOY, [7, 0, 0, 0])


@pytest.mark.parametrize("position", [4, -1])
def test_positions_must_be_in_range(position):
    with pytest.raises(InvalidAnswer, match="TOY item 1"):
        score_positions(TOY, [position, 0, 0, 0])


def test_reverse_keyed_items_carry_reversed_values():
    # Item 4 is reversed: "Always" (position 3) scores 0.
    assert score_positions(TOY, [0, 0, 0, 3]).total == 0
    assert score_positions(TOY, [0, 0, 0, 0]).total == 3


def test_proration_only_where_the_manual_allows():
    # Toy manual allows one missing item: 2 + 2 + 1 answered, prorated 5 * 4 / 3 = 6.67 -> 7.
    result = score(TOY, [2, 2, 1, None])
    assert result.total == 7
    assert result.scores["mean"] == pytest.approx(5 / 3)
    assert result.prorated == ("total", "mean")
    assert not result.complete
    assert result.missing == (4,)
    # Half points round up: 1 + 1 + 1 -> 3 * 4 / 3 = 4; 2 + 2 + 0 = 4 * 4 / 3 = 5.33 -> 5.
    assert score(TOY, [1, 1, 1, None]).total == 4
    assert score(TOY, [None, 1, 1, 1]).scores["first"] is None
    # Two missing items exceed the rule: incomplete, never a silent total.
    two = score(TOY, [2, None, None, 1])
    assert two.total is None
    assert two.band is None
    assert score(TOY, [None] * 4).scores["mean"] is None


def test_scorer_matches_the_reference_path():
    for instrument in (get("PHQ-9"), get("ASQ"), get("ECR-RS"), get("WHO-5"), TOY):
        scorer = Scorer(instrument)
        for offset in range(3):
            positions = [
                (offset + index) % len(item.options) for index, item in enumerate(instrument.items)
            ]
            assert scorer.score_positions(positions) == score_positions(instrument, positions)


@pytest.mark.parametrize(
    "positions",
    [[0, None, 0, 0], [0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 9, 0], [0, -1, 0, 0]],
)
def test_scorer_falls_back_to_the_reference_path(positions):
    scorer = Scorer(TOY)
    try:
        expected = score_positions(TOY, positions)
    except Exception as error:
        with pytest.raises(type(error)):
            scorer.score_positions(positions)
    else:
        assert scorer.score_positions(positions) == expected


def test_band_tables_only_for_summed_totals():
    assert Scorer(get("PHQ-9"))._band_table is not None
    assert Scorer(get("ASQ"))._band_table is None  # no total
    assert Scorer(get("HARK"))._band_table is None  # band on items
    from psychometrics.model import Band, ScoreRange

    other = make_toy()
    object.__setattr__(other, "bands", (Band("x", ScoreRange("first", at_least=1)),))
    assert Scorer(other)._band_table is None
    mean = make_toy()
    object.__setattr__(mean, "primary", "mean")
    assert Scorer(mean)._band_table is None
