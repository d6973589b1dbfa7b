"""Score administrations: totals, subscales, means, bands, flags, missing items.

Two paths give identical results:

- ``score`` is the reference: it reads the instrument definition directly and
  is written to be checked against a manual line by line.
- ``Scorer`` precomputes key tables (a value table per item, an index tuple per
  scale, a band table per possible total) for scoring many administrations
  given as option positions; ``bench/scoring.py`` checks it against ``score``.

Answers reach the reference path in one of three forms: scored values
(``score``), option positions in printed order (``score_positions``), or text
answers that are a label or a 0-based position (``score_answers``). Reverse
keying lives in the option lists, so no path ever reverses a value itself.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, cast

from psychometrics.errors import InvalidAnswer, WrongAnswerCount
from psychometrics.model import (
    Always,
    Instrument,
    Item,
    Method,
    Number,
    Result,
    Scale,
    ScoreRange,
)

__all__ = [
    "Scorer",
    "allowed_answers",
    "parse_answer",
    "parse_answers",
    "score",
    "score_answers",
    "score_positions",
]


def allowed_answers(item: Item) -> tuple[str, ...]:
    """Return the accepted answers of an item as ``"position = label"`` strings."""
    return tuple(f"{position} = {label}" for position, label in enumerate(item.labels))


def parse_answer(instrument: Instrument, item: Item, answer: str) -> int | None:
    """Return the option position an answer names, or None for an empty answer.

    An answer of digits only is a 0-based position in the printed order;
    anything else must equal a label, ignoring case and surrounding spaces.
    """
    text = " ".join(answer.split())
    if not text:
        return None
    if text.isdigit():
        position = int(text)
        if position < len(item.options):
            return position
    else:
        folded = text.casefold()
        for position, label in enumerate(item.labels):
            if label.casefold() == folded:
                return position
    raise InvalidAnswer(instrument.code, item.number, answer, allowed_answers(item))


def parse_answers(instrument: Instrument, answers: Sequence[str]) -> tuple[int | None, ...]:
    """Return the option positions named by text answers, one per item."""
    _check_count(instrument, len(answers))
    return tuple(
        parse_answer(instrument, item, answer)
        for item, answer in zip(instrument.items, answers, strict=True)
    )


def score_answers(instrument: Instrument, answers: Sequence[str]) -> Result:
    """Score text answers (labels or 0-based positions; empty = missing)."""
    return score_positions(instrument, parse_answers(instrument, answers))


def score_positions(instrument: Instrument, positions: Sequence[int | None]) -> Result:
    """Score option positions in printed order (None = missing)."""
    _check_count(instrument, len(positions))
    values: list[int | None] = []
    for item, position in zip(instrument.items, positions, strict=True):
        if position is None:
            values.append(None)
        elif 0 <= position < len(item.options):
            values.append(item.options[position].value)
        else:
            raise InvalidAnswer(instrument.code, item.number, str(position), allowed_answers(item))
    return score(instrument, values)


def score(instrument: Instrument, values: Sequence[int | None]) -> Result:
    """Score an administration given as scored values (None = missing).

    1. Check there is one value per item and each is one of the item's values.
    2. Score every scale; a scale with more missing items than its manual
       allows is None (incomplete), never a silent partial total.
    3. Take the first band whose condition holds.
    4. Raise every flag whose rule holds, whatever the total or completeness.
    """
    _check_count(instrument, len(values))
    for item, value in zip(instrument.items, values, strict=True):
        if value is not None and value not in item.values:
            allowed = [f"{option.value} ({option.label})" for option in item.options]
            raise InvalidAnswer(instrument.code, item.number, str(value), allowed)
    scores: dict[str, Number | None] = {}
    prorated = []
    for scale in instrument.scales:
        scores[scale.code], was_prorated = _score_scale(scale, values)
        if was_prorated:
            prorated.append(scale.code)
    band = next((band.label for band in instrument.bands if band.when.holds(values, scores)), None)
    flags = tuple(rule.flag for rule in instrument.flags if rule.when.holds(values, scores))
    missing = tuple(
        item.number
        for item, value in zip(instrument.items, values, strict=True)
        if value is None and not item.conditional
    )
    return Result(
        instrument=instrument.code,
        values=tuple(values),
        scores=scores,
        total=None if instrument.primary is None else scores[instrument.primary],
        band=band,
        flags=flags,
        complete=not missing,
        missing=missing,
        prorated=tuple(prorated),
    )


def _score_scale(scale: Scale, values: Sequence[int | None]) -> tuple[Number | None, bool]:
    """Return a scale's score (None if incomplete) and whether it was prorated."""
    answered = [value for number in scale.items if (value := values[number - 1]) is not None]
    missing = len(scale.items) - len(answered)
    if missing > scale.missing.max_missing or not answered:
        return None, False
    if scale.method is Method.MEAN:
        return sum(answered) / len(answered), missing > 0
    if missing:
        total = math.floor(sum(answered) * len(scale.items) / len(answered) + 0.5)
        return total * scale.multiplier, True
    return sum(answered) * scale.multiplier, False


def _check_count(instrument: Instrument, count: int) -> None:
    if count != len(instrument.items):
        raise WrongAnswerCount(instrument.code, len(instrument.items), count)


class Scorer:
    """Score positions fast with key tables precomputed from one instrument.

    Complete administrations take the fast path; anything else (a missing
    answer, a position out of range) goes through the reference path, which
    also raises the same errors.
    """

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self._tables = tuple(item.values for item in instrument.items)
        self._count = len(self._tables)
        self._scales: list[tuple[str, Callable[[tuple[int, ...]], Number]]] = [
            (scale.code, _scale_function(scale)) for scale in instrument.scales
        ]
        self._primary = instrument.primary
        self._band_table, self._band_offset = _band_table(instrument)
        self._flags = tuple((rule.flag, rule.when.holds) for rule in instrument.flags)

    def score_positions(self, positions: Sequence[int | None]) -> Result:
        """Score option positions in printed order, as ``score_positions`` does."""
        if len(positions) != self._count:
            return score_positions(self.instrument, positions)
        try:
            values = tuple(map(_item_value, self._tables, positions))
        except (TypeError, IndexError):
            return score_positions(self.instrument, positions)
        if min(cast("Sequence[int]", positions)) < 0:
            return score_positions(self.instrument, positions)
        scores: dict[str, Number | None] = {code: fn(values) for code, fn in self._scales}
        total = None if self._primary is None else scores[self._primary]
        if self._band_table is not None:
            band = self._band_table[int(cast("Number", total)) - self._band_offset]
        else:
            band = next(
                (b.label for b in self.instrument.bands if b.when.holds(values, scores)), None
            )
        flags = tuple(flag for flag, holds in self._flags if holds(values, scores))
        return Result(
            instrument=self.instrument.code,
            values=values,
            scores=scores,
            total=total,
            band=band,
            flags=flags,
            complete=True,
        )


_item_value: Callable[[tuple[int, ...], Any], int] = tuple.__getitem__


def _scale_function(scale: Scale) -> Callable[[tuple[int, ...]], Number]:
    """Return a function from the tuple of item values to a complete scale's score."""
    indexes = [number - 1 for number in scale.items]
    count = len(indexes)
    multiplier = scale.multiplier
    pick: Callable[[tuple[int, ...]], Sequence[int]]
    if count == 1:
        index = indexes[0]

        def pick(values: tuple[int, ...]) -> Sequence[int]:
            return (values[index],)
    else:
        pick = operator.itemgetter(*indexes)
    if scale.method is Method.MEAN:
        return lambda values: sum(pick(values)) / count
    if multiplier == 1:
        return lambda values: sum(pick(values))
    return lambda values: sum(pick(values)) * multiplier


def _band_table(instrument: Instrument) -> tuple[tuple[str | None, ...] | None, int]:
    """Return the band of every possible total, when bands depend on the total only.

    The table exists only for a summed primary scale whose bands are score
    ranges on that scale (or a final fallback), which covers most instruments.
    """
    primary = instrument.primary
    if primary is None or instrument.scale(primary).method is not Method.SUM:
        return None, 0
    for band in instrument.bands:
        if not isinstance(band.when, ScoreRange | Always):
            return None, 0
        if isinstance(band.when, ScoreRange) and band.when.scale != primary:
            return None, 0
    low, high = instrument.score_range(primary)
    table = []
    for total in range(int(low), int(high) + 1):
        scores: dict[str, Number | None] = {primary: total}
        label = next((b.label for b in instrument.bands if b.when.holds((), scores)), None)
        table.append(label)
    return tuple(table), int(low)
