"""ECR-R: excluded (key not retrieved from Fraley's page); recorded key mechanics.

The key (anxiety 1-18, avoidance 19-36, reverse 9, 11, 20, 22, 26-31, 33-36) is
the design research's (INSTRUMENTS.md 4.1, [V2]); the worked examples are the
researcher's, recomputed by hand.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psychometrics.errors import UnavailableInstrument
from psychometrics.instruments import available, ecrr, get
from psychometrics.scoring import score_positions

ECRR = ecrr.INSTRUMENT


def test_excluded_from_the_catalogue_with_its_reason() -> None:
    with pytest.raises(UnavailableInstrument) as caught:
        get("ecr-r")
    assert "Fraley" in caught.value.reason
    assert ECRR not in available()


def _raw(anxiety: dict[int, int], avoidance: dict[int, int], default: int) -> list[int]:
    raw = [default] * 36
    for number, answer in {**anxiety, **avoidance}.items():
        raw[number - 1] = answer
    return raw


REVERSED_AVOIDANCE = (20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36)
FORWARD_AVOIDANCE = (19, 21, 23, 24, 25, 32)


@pytest.mark.parametrize(
    ("raw", "anxiety", "avoidance", "source"),
    [
        ([4] * 36, 4.0, 4.0, "INSTRUMENTS.md 4.1 example: all items 4"),
        (
            _raw(
                {n: (2 if n in (9, 11) else 6) for n in range(1, 19)},
                {**dict.fromkeys(FORWARD_AVOIDANCE, 2), **dict.fromkeys(REVERSED_AVOIDANCE, 6)},
                4,
            ),
            6.0,
            2.0,
            "INSTRUMENTS.md 4.1 example B",
        ),
        (
            _raw(
                {**dict.fromkeys(range(1, 9), 5), 9: 3, 10: 5, 11: 2}
                | dict.fromkeys(range(12, 19), 4),
                {**dict.fromkeys(FORWARD_AVOIDANCE, 3), **dict.fromkeys(REVERSED_AVOIDANCE, 5)},
                4,
            ),
            84 / 18,
            3.0,
            "INSTRUMENTS.md 4.1 example C",
        ),
    ],
)
def test_recorded_key(raw: list[int], anxiety: float, avoidance: float, source: str) -> None:
    result = score_positions(ECRR, [answer - 1 for answer in raw])
    assert result.scores["anxiety"] == pytest.approx(anxiety), source
    assert result.scores["avoidance"] == pytest.approx(avoidance), source


def test_reversed_items() -> None:
    reversed_items = tuple(item.number for item in ECRR.items if item.reverse)
    assert reversed_items == (9, 11, *REVERSED_AVOIDANCE)
    assert ECRR.items[8].values == (7, 6, 5, 4, 3, 2, 1)


def test_missing_item_is_incomplete() -> None:
    result = score_positions(ECRR, [3] * 35 + [None])
    assert result.scores["anxiety"] == 4.0
    assert result.scores["avoidance"] is None


@given(
    st.lists(st.integers(min_value=0, max_value=6), min_size=36, max_size=36),
    st.integers(min_value=1, max_value=36),
)
def test_property_reverse_keyed_items_move_scores_the_right_way(
    positions: list[int], number: int
) -> None:
    # Agreeing more with a reversed item lowers its scale; with a forward item raises it.
    if positions[number - 1] == 6:
        positions[number - 1] = 5
    before = score_positions(ECRR, positions)
    positions[number - 1] += 1
    after = score_positions(ECRR, positions)
    code = "anxiety" if number <= 18 else "avoidance"
    low, high = ECRR.score_range(code)
    old_score, new_score = before.scores[code], after.scores[code]
    assert old_score is not None
    assert new_score is not None
    assert low <= new_score <= high
    if ECRR.items[number - 1].reverse:
        assert new_score < old_score
    else:
        assert new_score > old_score
