"""MSI (Weiss-Cerreto): count of "true" answers, cut-off 4 (scoring-only, verified).

Sources: Crane, Newfield & Armstrong (1984), JMFT 10(3), p. 305 ("Fourteen
questions are presented in true-false format ... scores range from 0 to 14");
Fink & Shapiro (2019), Encyclopedia of Couple and Family Therapy ("A score of 4
or more indicates substantial risk of dissolution").
"""

from __future__ import annotations

import pytest

from psychometrics.change import assess_change
from psychometrics.errors import ChangeNotAvailable
from psychometrics.instruments import available, get, msi
from psychometrics.model import Status
from psychometrics.scoring import score, score_answers

MSI = msi.INSTRUMENT

T, F = 1, 0


def test_fourteen_true_false_items_true_scores_one() -> None:
    # Crane et al. 1984 p. 305: 14 true/false items, range 0-14.
    assert len(MSI.items) == 14
    for item in MSI.items:
        assert item.labels == ("True", "False")
        assert item.values == (1, 0)
    assert MSI.score_range("total") == (0, 14)


@pytest.mark.parametrize(
    ("values", "total", "band", "source"),
    [
        ([F] * 14, 0, "below the risk threshold", "range 0-14, Crane et al. 1984 p. 305"),
        ([T] * 14, 14, "substantial risk of dissolution", "range 0-14, Crane et al. 1984"),
        ([T, T, T] + [F] * 11, 3, "below the risk threshold", "cut-off 4, Fink & Shapiro"),
        ([T, T, T, T] + [F] * 10, 4, "substantial risk of dissolution", "Fink & Shapiro"),
        (
            [T, T, F, F, T, F, F, F, F, F, F, F, F, F],
            3,
            "below the risk threshold",
            "INSTRUMENTS.md 3.6 worked example",
        ),
        (
            [T, T, T, T, T, F, F, T, F, F, F, F, F, F],
            6,
            "substantial risk of dissolution",
            "INSTRUMENTS.md 3.6 worked example",
        ),
        (
            [F] * 10 + [T] * 4,
            4,
            "substantial risk of dissolution",
            "count, not highest step (Guttman order not replicated, Crane et al. 1984)",
        ),
    ],
)
def test_count_of_true_answers_and_band(
    values: list[int], total: int, band: str, source: str
) -> None:
    result = score(MSI, values)
    assert result.total == total, source
    assert result.band == band, source


def test_labels_and_positions_agree() -> None:
    labels = ["true", "FALSE"] * 7
    positions = ["0", "1"] * 7
    assert score_answers(MSI, labels) == score_answers(MSI, positions)
    assert score_answers(MSI, labels).total == 7


def test_a_missing_item_leaves_the_count_incomplete() -> None:
    result = score(MSI, [T] * 13 + [None])
    assert result.total is None
    assert result.band is None
    assert result.missing == (14,)


def test_scoring_only_and_in_the_catalogue() -> None:
    assert MSI.licence.status is Status.SCORING_ONLY
    assert not MSI.licence.wording_ships
    assert all(item.text is None for item in MSI.items)
    assert get("msi") is MSI
    assert MSI in available()


def test_change_needs_clinic_norms() -> None:
    with pytest.raises(ChangeNotAvailable):
        assess_change(MSI, 6, 2)
