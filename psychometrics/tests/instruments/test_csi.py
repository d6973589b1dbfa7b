"""CSI-4 / CSI-16 / CSI-32 scoring (Funk & Rogge 2007; CSI-32 scoring sheet)."""

from __future__ import annotations

import pytest

from psychometrics import (
    UnavailableInstrument,
    assess_change,
    get_instrument,
    score,
    score_answers,
)

CSI4 = get_instrument("CSI-4")
CSI16 = get_instrument("CSI-16", include_unavailable=True)
CSI32 = get_instrument("CSI-32", include_unavailable=True)


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        # INSTRUMENTS.md 3.1 worked examples; cut-off 13.5 (widely used, not primary).
        ([3, 3, 3, 3], 12, "notable dissatisfaction (below 13.5)"),
        ([4, 4, 4, 3], 15, "not distressed (13.5 or above)"),
        ([1, 1, 1, 1], 4, "notable dissatisfaction (below 13.5)"),
        ([6, 5, 5, 5], 21, "not distressed (13.5 or above)"),
        ([0, 0, 0, 0], 0, "notable dissatisfaction (below 13.5)"),
    ],
)
def test_csi4_scores_published_examples(values, total, band):
    result = score(CSI4, values)
    assert (result.total, result.band) == (total, band)


def test_csi4_item_1_has_seven_options():
    # CSI-32 scoring sheet: "0=Extremely Unhappy ... 6=Perfect".
    assert CSI4.items[0].values == (0, 1, 2, 3, 4, 5, 6)
    assert score_answers(CSI4, ["Perfect", "0", "0", "0"]).total == 6
    assert [len(item.options) for item in CSI4.items] == [7, 6, 6, 6]


def test_csi4_change_needs_local_norms_and_uses_the_cutoff():
    from psychometrics import Norms

    result = assess_change(CSI4, 10, 17, norms=Norms(sd=4.0, reliability=0.9, source="clinic"))
    assert result.category == "recovered"
    assert result.cutoff == 13.5


def test_csi16_example_b_scores_boxes_not_indices():
    # INSTRUMENTS.md 3.1 CSI-16 example B: total 56; raw box indices would give 44.
    answers = ["Very happy", "Most of the time"] + ["Mostly true"] * 4 + ["Mostly"] * 4
    answers += ["1", "4", "1", "1", "4", "1"]
    result = score_answers(CSI16, answers)
    assert result.total == 56
    assert result.band == "not distressed (51.5 or above)"


def test_csi16_example_c():
    # INSTRUMENTS.md 3.1 CSI-16 example C: total 27, distressed.
    values = [2, 2, 2, 1, 2, 1, 2, 2, 1, 2, 2, 2, 1, 2, 2, 1]
    assert score(CSI16, values).total == 27


def test_csi32_example_and_reversed_items():
    # INSTRUMENTS.md 3.1 CSI-32 example: total 94; items 6, 10, 15 reversed.
    values = [3, 4, 3, 4, 3, 4, 3, 2, 3, 3, 3, 3, 2, 3, 2, 1, 3, 2, 3, 2, 2, 3, 3, 4, 3]
    values += [3, 4, 3, 3, 3, 3, 4]
    result = score(CSI32, values)
    assert result.total == 94
    assert result.band == "notable dissatisfaction (below 104.5)"
    assert [item.number for item in CSI32.items if item.reverse] == [6, 10, 15]
    assert CSI32.items[5].options[4].label == "Rarely"
    assert CSI32.items[5].options[4].value == 4
    assert CSI32.items[9].options[2].value == 3  # item 10 "Somewhat true" reversed
    assert CSI32.items[14].options[3].value == 2  # item 15 "Mostly true" reversed
    assert CSI32.score_range("total") == (0, 161)


@pytest.mark.parametrize("code", ["CSI-16", "CSI-32"])
def test_unverified_forms_stay_out_of_the_catalogue(code):
    with pytest.raises(UnavailableInstrument, match="semantic-differential"):
        get_instrument(code)
