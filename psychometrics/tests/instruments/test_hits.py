"""HITS: key, cut-off, flag, missing items and change (scoring-only, verified).

Sources beside each case: Sherin et al. (1998), Family Medicine 30(7), p. 508
(abstract: four items, cut score 10.5); the form as reproduced by RNAO and CEBC
(Never 1 ... Frequently 5, range 4-20, "greater than 10 is considered positive").
Evidence: psychometrics/instruments/SCORING_ONLY_SOURCES.md.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psychometrics.change import Category, assess_change
from psychometrics.errors import ChangeNotAvailable
from psychometrics.instruments import available, get, hits
from psychometrics.model import Norms, Status
from psychometrics.scoring import score, score_answers

HITS = hits.INSTRUMENT


@pytest.mark.parametrize(
    ("label", "value"),
    [
        # RNAO form reproduction and CEBC: "1 = never ... 5 = frequently".
        ("Never", 1),
        ("Rarely", 2),
        ("Sometimes", 3),
        ("Fairly often", 4),
        ("Frequently", 5),
    ],
)
def test_every_item_scores_the_published_values(label: str, value: int) -> None:
    for item in HITS.items:
        assert dict(zip(item.labels, item.values, strict=True))[label] == value
        assert not item.reverse


@pytest.mark.parametrize(
    ("values", "total", "band", "flagged", "source"),
    [
        ([1, 1, 1, 1], 4, "negative screen", False, "range 4-20 (RNAO, CEBC): minimum"),
        ([5, 5, 5, 5], 20, "positive screen", True, "range 4-20 (RNAO, CEBC): maximum"),
        ([1, 2, 3, 4], 10, "negative screen", False, "cut score 10.5 (Sherin 1998 p. 508)"),
        ([1, 3, 3, 4], 11, "positive screen", False, "a total above 10 is positive (RNAO)"),
        ([1, 2, 1, 3], 7, "negative screen", False, "INSTRUMENTS.md 5.7 worked example"),
        ([1, 4, 2, 4], 11, "positive screen", False, "INSTRUMENTS.md 5.7 worked example"),
        ([3, 1, 1, 1], 6, "negative screen", True, "INSTRUMENTS.md 5.7: hurt item flags"),
        ([2, 1, 1, 1], 5, "negative screen", True, "Rebond rule: item 1 above Never flags"),
    ],
)
def test_totals_bands_and_physical_hurt_flag(
    values: list[int], total: int, band: str, flagged: bool, source: str
) -> None:
    result = score(HITS, values)
    assert result.total == total, source
    assert result.band == band, source
    assert (hits.PHYSICAL_HURT in result.flags) is flagged, source
    assert result.complete


@pytest.mark.parametrize(
    ("values", "flagged", "source"),
    [
        ([1, 5, 5, 5], True, "issue 15 B5: hurt Never, the rest Frequently = 16"),
        ([1, 3, 3, 4], True, "11: a total above 10 is positive (RNAO; cut score 10.5)"),
        ([1, 2, 3, 4], False, "10: below the cut score 10.5 (Sherin 1998 p. 508)"),
        ([3, 1, 1, 1], False, "6: the hurt flag alone, not a positive screen"),
    ],
)
def test_a_total_above_10_flags_the_positive_screen(
    values: list[int], flagged: bool, source: str
) -> None:
    # Sherin et al. 1998 p. 508: cut score 10.5; a positive screen must reach a clinician
    # whatever item 1 says (INSTRUMENTS.md 6.7: "alert the clinician on ... HITS > 10").
    result = score(HITS, values)
    assert (hits.POSITIVE_SCREEN in result.flags) is flagged, source
    assert (result.band == "positive screen") is flagged, source
    assert hits.POSITIVE_SCREEN.risk


def test_labels_and_positions_agree() -> None:
    by_label = score_answers(HITS, ["never", "RARELY", "Sometimes", " frequently "])
    by_position = score_answers(HITS, ["0", "1", "2", "4"])
    assert by_label == by_position
    assert by_label.total == 1 + 2 + 3 + 5


def test_a_missing_item_leaves_the_total_incomplete_but_still_flags() -> None:
    # No proration rule is published (SCORING_ONLY_SOURCES.md, HITS "Missing items").
    result = score(HITS, [3, None, 1, 1])
    assert result.total is None
    assert result.band is None
    assert not result.complete
    assert result.missing == (2,)
    assert result.flags == (hits.PHYSICAL_HURT,)


def test_scoring_only_licence_ships_no_wording() -> None:
    assert HITS.licence.status is Status.SCORING_ONLY
    assert not HITS.licence.wording_ships
    assert HITS.instructions is None
    assert all(item.text is None for item in HITS.items)


def test_in_the_default_catalogue() -> None:
    assert get("hits") is HITS
    assert HITS in available()
    assert HITS.is_available


def test_change_needs_clinic_norms() -> None:
    # No reliable-change threshold or normative SD is published for the HITS.
    with pytest.raises(ChangeNotAvailable):
        assess_change(HITS, 15, 6)


def test_change_with_clinic_norms_uses_the_published_cut_score() -> None:
    # Illustrative clinic norms (not published): SD 4, alpha .80 (Sherin 1998 alpha).
    norms = Norms(sd=4, reliability=0.80, source="illustrative clinic sample")
    result = assess_change(HITS, 15, 6, norms=norms)
    assert result.cutoff == 10.5
    assert result.is_reliable
    assert result.category is Category.RECOVERED
    worse = assess_change(HITS, 6, 15, norms=norms)
    assert worse.category is Category.DETERIORATED


@given(st.lists(st.integers(min_value=0, max_value=4), min_size=4, max_size=4))
def test_property_total_in_range_and_labels_match_positions(positions: list[int]) -> None:
    by_position = score_answers(HITS, [str(position) for position in positions])
    labels = [hits.LABELS[position] for position in positions]
    assert score_answers(HITS, labels) == by_position
    assert by_position.total is not None
    assert 4 <= by_position.total <= 20
    assert by_position.band == ("positive screen" if by_position.total > 10 else "negative screen")
