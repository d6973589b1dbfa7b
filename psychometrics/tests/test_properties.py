"""Property tests over every instrument: ranges, reverse keying, label/position agreement."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psychometrics import Scorer, score, score_answers, score_positions
from psychometrics.instruments import REGISTRY
from psychometrics.model import Instrument

INSTRUMENTS = list(REGISTRY.values())


def positions_for(instrument: Instrument) -> st.SearchStrategy[list[int]]:
    return st.tuples(*(st.integers(0, len(item.options) - 1) for item in instrument.items)).map(
        list
    )


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.code)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_scores_stay_in_range_and_paths_agree(instrument, data):
    positions = data.draw(positions_for(instrument))
    result = score_positions(instrument, positions)
    for scale in instrument.scales:
        low, high = instrument.score_range(scale.code)
        value = result.scores[scale.code]
        assert value is not None
        assert low <= value <= high
    labels = [
        item.options[p].label.upper() for item, p in zip(instrument.items, positions, strict=True)
    ]
    assert score_answers(instrument, labels) == result
    assert score_answers(instrument, [str(p) for p in positions]) == result
    assert Scorer(instrument).score_positions(positions) == result
    assert score(instrument, list(result.values)) == result


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.code)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_reverse_keyed_items_move_totals_against_their_labels(instrument, data):
    """A later option moves a reversed item opposite to a forward item with the same labels."""
    forward = {item.labels: item for item in instrument.items if not item.reverse}
    for item in instrument.items:
        if not item.reverse or item.labels not in forward:
            continue
        twin = forward[item.labels]
        index = instrument.items.index(item)
        positions = data.draw(positions_for(instrument))
        step = data.draw(st.integers(0, len(item.options) - 2))
        lower, higher = list(positions), list(positions)
        lower[index], higher[index] = step, step + 1
        delta = _total(instrument, higher) - _total(instrument, lower)
        twin_delta = twin.values[step + 1] - twin.values[step]
        assert delta * twin_delta < 0


def _total(instrument: Instrument, positions: list[int]) -> float:
    result = score_positions(instrument, positions)
    return sum(value for value in result.scores.values() if value is not None)


def test_reversed_items_exist_where_the_keys_say():
    reversed_items = {
        code: [item.number for item in instrument.items if item.reverse]
        for code, instrument in REGISTRY.items()
    }
    assert reversed_items["RSES"] == [3, 5, 8, 9, 10]
    assert reversed_items["ECR-RS"] == [1, 2, 3, 4]
    assert reversed_items["CSI-32"] == [6, 10, 15]


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.code)
def test_no_label_has_a_comma_so_the_cli_can_split_answers(instrument):
    for item in instrument.items:
        assert all("," not in label for label in item.labels)
