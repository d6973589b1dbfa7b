"""Instrument definitions refuse to contradict themselves."""

from __future__ import annotations

import dataclasses

import pytest

from psychometrics.errors import DefinitionError
from psychometrics.model import (
    AllOf,
    Always,
    Band,
    ChangeRule,
    Flag,
    FlagRule,
    Instrument,
    Item,
    ItemCount,
    Scale,
    ScoreRange,
    Unanswered,
    options,
)
from psychometrics.tests.toy import make_toy

TOY = make_toy()


def rebuild(**changes: object) -> Instrument:
    fields = {f.name: getattr(TOY, f.name) for f in dataclasses.fields(TOY) if f.init}
    fields.update(changes)
    return Instrument(**fields)


def test_options_need_as_many_values_as_labels():
    with pytest.raises(DefinitionError, match="2 labels but 1 values"):
        options(("a", "b"), (1,))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"items": TOY.items[1:]}, "item 2 is at position 1"),
        ({"items": (dataclasses.replace(TOY.items[0], options=()), *TOY.items[1:])}, "missing"),
        (
            {
                "items": (
                    dataclasses.replace(TOY.items[0], options=options(("A", "a"), (0, 1))),
                    *TOY.items[1:],
                )
            },
            "repeated",
        ),
        (
            {
                "items": (
                    dataclasses.replace(TOY.items[0], options=options(("1", "b"), (0, 1))),
                    *TOY.items[1:],
                )
            },
            "only digits",
        ),
        ({"scales": (*TOY.scales, TOY.scales[0])}, "share a code"),
        ({"scales": (Scale("total", "T", (1, 9)),)}, "no item 9"),
        ({"primary": "nope"}, "no scale 'nope'"),
        ({"bands": (Band("x", ScoreRange("nope")),)}, "no scale 'nope'"),
        ({"flags": (FlagRule(Flag("f", "m"), AllOf((Unanswered((7,)),))),)}, "no item 7"),
        ({"flags": (FlagRule(Flag("f", "m"), ItemCount((0,))),)}, "no item 0"),
        ({"change": (ChangeRule("nope"),)}, "no scale 'nope'"),
    ],
)
def test_it_rejects_inconsistent_definitions(changes, message):
    with pytest.raises(DefinitionError, match=message):
        rebuild(**changes)


def test_always_bands_need_no_check():
    assert rebuild(bands=(Band("any", Always()),)).bands[0].when.describe() == "otherwise"


def test_item_properties():
    item = Item(1, "t", options(("No", "Yes"), (0, 1)))
    assert item.labels == ("No", "Yes")
    assert item.values == (0, 1)


def test_change_rule_lookup():
    assert TOY.change_rule("total") is TOY.change[0]
    assert TOY.change_rule("mean") is None


def test_score_ranges():
    assert TOY.score_range("total") == (0, 12)
    assert TOY.score_range("mean") == (0, 3)


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        (ScoreRange("total", at_least=5, at_most=9), "total >= 5 and <= 9"),
        (ScoreRange("total", below=13.5), "total < 13.5"),
        (ScoreRange("total"), "total any score"),
        (ItemCount((9,)), "item 9 scored >= 1"),
        (ItemCount((1, 2), at_least=2, min_count=2), "at least 2 of items 1, 2 scored >= 2"),
        (ItemCount((1, 2), missing_counts=True), "any of items 1, 2 scored >= 1 (or unanswered)"),
        (Unanswered((5,)), "item(s) 5 unanswered"),
        (AllOf((Unanswered((5,)), Always())), "item(s) 5 unanswered and otherwise"),
    ],
)
def test_conditions_describe_themselves(condition, text):
    assert condition.describe() == text


@pytest.mark.parametrize(
    ("condition", "score", "holds"),
    [
        (ScoreRange("total", at_least=5), 4, False),
        (ScoreRange("total", at_most=5), 6, False),
        (ScoreRange("total", below=5), 5, False),
        (ScoreRange("total", at_least=5, at_most=5), 5, True),
        (ScoreRange("total"), None, False),
    ],
)
def test_score_ranges_hold(condition, score, holds):
    assert condition.holds((), {"total": score}) is holds
