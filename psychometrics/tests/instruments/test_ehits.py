"""E-HITS: excluded (item-5 options unverified); mechanics of the recorded key.

Verified: Iverson et al. (2015), J Trauma Stress 28(1), p. 79 (abstract): five
items (HITS plus a sexual-violence item), optimal cut-off 7. The item-5 option
values are the design research's assumption (INSTRUMENTS.md 5.7), hence excluded.
"""

from __future__ import annotations

import pytest

from psychometrics.errors import UnavailableInstrument
from psychometrics.instruments import available, ehits, get, hits
from psychometrics.scoring import score

EHITS = ehits.INSTRUMENT


def test_excluded_from_the_catalogue_with_its_reason() -> None:
    with pytest.raises(UnavailableInstrument) as caught:
        get("e-hits")
    assert "item 5" in caught.value.reason
    assert get("ehits", include_unavailable=True) is EHITS
    assert EHITS not in available()


def test_items_one_to_four_are_the_hits_items() -> None:
    # Iverson et al. 2015 abstract: E-HITS "adds a sexual IPV item" to the HITS.
    assert len(EHITS.items) == 5
    for mine, theirs in zip(EHITS.items[:4], hits.INSTRUMENT.items, strict=True):
        assert mine.options == theirs.options
        assert mine.topic == theirs.topic


@pytest.mark.parametrize(
    ("values", "total", "band", "flags", "source"),
    [
        ([1, 2, 1, 3, 1], 8, "positive screen", (), "INSTRUMENTS.md 5.7 example: cut-off 7"),
        ([1, 1, 1, 1, 1], 5, "negative screen", (), "minimum"),
        ([1, 2, 1, 1, 1], 6, "negative screen", (), "below cut-off 7 (Iverson 2015)"),
        ([1, 2, 2, 1, 1], 7, "positive screen", (), "at cut-off 7 (Iverson 2015)"),
        ([1, 1, 1, 1, 2], 6, "negative screen", ("ehits_sexual_violence",), "Rebond rule"),
        ([2, 1, 1, 1, 1], 6, "negative screen", ("hits_physical_hurt",), "Rebond rule"),
    ],
)
def test_recorded_key(
    values: list[int], total: int, band: str, flags: tuple[str, ...], source: str
) -> None:
    result = score(EHITS, values)
    assert result.total == total, source
    assert result.band == band, source
    assert tuple(flag.code for flag in result.flags) == flags, source


def test_missing_item_is_incomplete() -> None:
    result = score(EHITS, [1, 1, 1, 1, None])
    assert result.total is None
    assert result.band is None
