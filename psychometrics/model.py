"""Frozen dataclasses that describe an instrument and the result of scoring it.

An instrument is data, not code: its items carry an explicit list of response
options (label and scored value, in the printed order), its scales say which
items they combine and how, and its bands, flag rules and change rules are
plain values too. ``scoring.py`` and ``change.py`` interpret them.

Rules the definitions must keep (``Instrument.__post_init__`` enforces them and
raises ``DefinitionError``):

1. Items are numbered 1..n in the printed order.
2. Option labels are unique within an item (ignoring case) and never consist of
   digits only, so an answer that is a number always means a position.
3. Every scale, band, flag and change rule refers to items and scales that exist.
4. Scored values already include any reversal: a reverse-keyed item lists its
   options with the reversed values, and ``Item.reverse`` records the fact.
5. A translation (``Translation``) words every item and gives, per item, as many
   option labels as the key has, in the key's printed order: the labels are
   positional, so an answer's scored value never depends on the language.

An instrument's own wording (``Item.text``, option labels, ``instructions``) is its
English form, language ``ORIGINAL_LANGUAGE``; other languages are translations.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from psychometrics.errors import DefinitionError

__all__ = [
    "ORIGINAL_LANGUAGE",
    "AllOf",
    "Always",
    "Band",
    "ChangeRule",
    "Condition",
    "Flag",
    "FlagRule",
    "Instrument",
    "Item",
    "ItemCount",
    "Licence",
    "Method",
    "MissingRule",
    "Norms",
    "ResponseOption",
    "Result",
    "Scale",
    "ScoreRange",
    "Status",
    "Translation",
    "Unanswered",
    "is_language_code",
    "label_problem",
    "options",
]

Number = int | float

# The language of every instrument's own wording (the published English forms).
ORIGINAL_LANGUAGE = "en"
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")


def is_language_code(code: object) -> bool:
    """Return whether ``code`` looks like a lower-case language code: ``es``, ``pt-br``."""
    return isinstance(code, str) and _LANGUAGE_CODE.fullmatch(code) is not None


class Status(enum.StrEnum):
    """Licence status of an instrument (INSTRUMENTS.md, section 0)."""

    SHIP = "SHIP"
    SHIP_PENDING = "SHIP-PENDING"
    SCORING_ONLY = "SCORING-ONLY"


class Method(enum.StrEnum):
    """How a scale combines the scored values of its items."""

    SUM = "sum"
    MEAN = "mean"


@dataclass(frozen=True, slots=True)
class ResponseOption:
    """One printed answer box: its published label and its scored value."""

    label: str
    value: int


def options(labels: Sequence[str], values: Sequence[int]) -> tuple[ResponseOption, ...]:
    """Return response options pairing labels with values, in printed order."""
    if len(labels) != len(values):
        raise DefinitionError(f"{len(labels)} labels but {len(values)} values")
    return tuple(ResponseOption(label, value) for label, value in zip(labels, values, strict=True))


@dataclass(frozen=True, slots=True)
class Item:
    """A question: its number, a short topic, its options and (if it ships) its wording.

    ``topic`` is a neutral description used in messages and documentation; it is
    not the item's wording. ``text`` holds the verbatim wording only for
    instruments whose licence lets it ship. ``conditional`` items (such as the
    ASQ acuity question) are asked only in some cases, so leaving them out does
    not make a result incomplete.
    """

    number: int
    topic: str
    options: tuple[ResponseOption, ...]
    text: str | None = None
    reverse: bool = False
    conditional: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        """Return the option labels in printed order."""
        return tuple(option.label for option in self.options)

    @property
    def values(self) -> tuple[int, ...]:
        """Return the scored values in printed order."""
        return tuple(option.value for option in self.options)


@dataclass(frozen=True, slots=True)
class MissingRule:
    """How many items of a scale may be missing, and the manual that allows it.

    With ``max_missing == 0`` any missing item makes the scale incomplete. A
    sum scale with allowed missing items is prorated (the mean of the answered
    items times the number of items, rounded half up to a whole point); a mean
    scale averages the answered items.
    """

    max_missing: int = 0
    source: str = "no proration rule is published; any missing item leaves the score incomplete"


NO_PRORATION = MissingRule()


@dataclass(frozen=True, slots=True)
class Scale:
    """A total or subscale: which items, combined how, and which direction is better."""

    code: str
    name: str
    items: tuple[int, ...]
    method: Method = Method.SUM
    multiplier: int = 1
    missing: MissingRule = NO_PRORATION
    higher_is_better: bool = False


@dataclass(frozen=True, slots=True)
class ScoreRange:
    """Hold when a scale's score lies in a range (bounds optional).

    ``at_least`` and ``at_most`` are inclusive; ``below`` is exclusive. An
    incomplete score never lies in any range.
    """

    scale: str
    at_least: Number | None = None
    at_most: Number | None = None
    below: Number | None = None

    def holds(self, values: Sequence[int | None], scores: Mapping[str, Number | None]) -> bool:
        """Return whether the scale's score lies in the range."""
        score = scores[self.scale]
        if score is None:
            return False
        if self.at_least is not None and score < self.at_least:
            return False
        if self.at_most is not None and score > self.at_most:
            return False
        return self.below is None or score < self.below

    def describe(self) -> str:
        """Return the range in words, e.g. ``total 5-9``."""
        parts = []
        if self.at_least is not None:
            parts.append(f">= {_fmt(self.at_least)}")
        if self.at_most is not None:
            parts.append(f"<= {_fmt(self.at_most)}")
        if self.below is not None:
            parts.append(f"< {_fmt(self.below)}")
        return f"{self.scale} {' and '.join(parts) or 'any score'}"


@dataclass(frozen=True, slots=True)
class ItemCount:
    """Hold when at least ``min_count`` of ``items`` scored ``at_least``.

    With ``missing_counts`` a missing answer counts as endorsed (the ASQ treats
    a refusal to answer as a positive screen).
    """

    items: tuple[int, ...]
    at_least: int = 1
    min_count: int = 1
    missing_counts: bool = False

    def holds(self, values: Sequence[int | None], scores: Mapping[str, Number | None]) -> bool:
        """Return whether enough of the items reach the threshold."""
        count = 0
        for number in self.items:
            value = values[number - 1]
            if value is None:
                count += self.missing_counts
            elif value >= self.at_least:
                count += 1
        return count >= self.min_count

    def describe(self) -> str:
        """Return the rule in words."""
        items = ", ".join(str(number) for number in self.items)
        many = "any" if self.min_count == 1 else f"at least {self.min_count}"
        text = f"{many} of items {items} scored >= {self.at_least}"
        if len(self.items) == 1:
            text = f"item {items} scored >= {self.at_least}"
        return text + (" (or unanswered)" if self.missing_counts else "")


@dataclass(frozen=True, slots=True)
class Unanswered:
    """Hold when any of ``items`` was left unanswered."""

    items: tuple[int, ...]

    def holds(self, values: Sequence[int | None], scores: Mapping[str, Number | None]) -> bool:
        """Return whether any of the items is missing."""
        return any(values[number - 1] is None for number in self.items)

    def describe(self) -> str:
        """Return the rule in words."""
        return f"item(s) {', '.join(str(number) for number in self.items)} unanswered"


@dataclass(frozen=True, slots=True)
class AllOf:
    """Hold when every one of several conditions holds."""

    conditions: tuple[Condition, ...]

    def holds(self, values: Sequence[int | None], scores: Mapping[str, Number | None]) -> bool:
        """Return whether all conditions hold."""
        return all(condition.holds(values, scores) for condition in self.conditions)

    def describe(self) -> str:
        """Return the conditions joined by "and"."""
        return " and ".join(condition.describe() for condition in self.conditions)


@dataclass(frozen=True, slots=True)
class Always:
    """Always hold: the fallback band."""

    def holds(self, values: Sequence[int | None], scores: Mapping[str, Number | None]) -> bool:
        """Return True."""
        return True

    def describe(self) -> str:
        """Return "otherwise"."""
        return "otherwise"


Condition = ScoreRange | ItemCount | Unanswered | AllOf | Always


@dataclass(frozen=True, slots=True)
class Band:
    """A named band or screening outcome; the first band whose condition holds wins."""

    label: str
    when: Condition


@dataclass(frozen=True, slots=True)
class Flag:
    """A flag raised on a result; ``risk`` flags must reach a clinician at once."""

    code: str
    message: str
    risk: bool = True


@dataclass(frozen=True, slots=True)
class FlagRule:
    """Raise ``flag`` when ``when`` holds, whatever the total."""

    flag: Flag
    when: Condition


@dataclass(frozen=True, slots=True)
class Norms:
    """The spread and reliability used to compute a reliable change index."""

    sd: float
    reliability: float
    source: str
    mean: float | None = None
    reliability_kind: str = "Cronbach's alpha"
    population: str = ""


@dataclass(frozen=True, slots=True)
class ChangeRule:
    """How change on one scale is judged.

    ``reliable_change`` is a published fixed threshold in points (a change of
    at least this size is reliable); ``norms`` give the Jacobson-Truax RCI.
    ``cutoff`` separates the dysfunctional from the functional range: on a
    scale where higher is worse a score at or above it is dysfunctional, on a
    scale where higher is better a score at or below it is.
    """

    scale: str
    norms: Norms | None = None
    reliable_change: float | None = None
    reliable_change_source: str = ""
    cutoff: float | None = None
    cutoff_source: str = ""


@dataclass(frozen=True, slots=True)
class Licence:
    """Licence status, terms as found, and the attribution to print."""

    status: Status
    wording_ships: bool
    terms: str
    attribution: str


@dataclass(frozen=True, slots=True)
class Translation:
    """A published translation of an instrument's wording into one language.

    ``texts`` has one text per item, in item order. ``labels`` has, per item, the
    translated option labels in the key's printed order: the j-th label names the
    j-th option, whose scored value is the key's, so scoring never depends on the
    language. ``instructions`` translate the form's instructions, when it has them.
    """

    language: str
    texts: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    source: str
    licence: str
    instructions: str | None = None
    version: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Instrument:
    """A published questionnaire with its scoring key."""

    code: str
    name: str
    version: str
    citation: str
    key_source: str
    licence: Licence
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    primary: str | None
    bands: tuple[Band, ...] = ()
    flags: tuple[FlagRule, ...] = ()
    change: tuple[ChangeRule, ...] = ()
    interpretation: str = "total score"
    time_frame: str = ""
    instructions: str | None = None
    unverified: str | None = None
    notes: tuple[str, ...] = ()
    translations: tuple[Translation, ...] = ()
    _scales: dict[str, Scale] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the definition is consistent (see the module docstring)."""
        object.__setattr__(self, "_scales", {scale.code: scale for scale in self.scales})
        for position, item in enumerate(self.items, start=1):
            if item.number != position:
                raise DefinitionError(f"{self.code}: item {item.number} is at position {position}")
            folded = [label.casefold() for label in item.labels]
            if not item.options or len(set(folded)) != len(folded):
                raise DefinitionError(f"{self.code} item {position}: options missing or repeated")
            if any(label.strip().isdigit() for label in item.labels):
                raise DefinitionError(f"{self.code} item {position}: a label is only digits")
        if len(self._scales) != len(self.scales):
            raise DefinitionError(f"{self.code}: two scales share a code")
        for scale in self.scales:
            self._check_items(scale.items)
        if self.primary is not None:
            self.scale(self.primary)
        for band in self.bands:
            self._check_condition(band.when)
        for rule in self.flags:
            self._check_condition(rule.when)
        for change in self.change:
            self.scale(change.scale)
        languages = [translation.language for translation in self.translations]
        if len(set(languages)) != len(languages):
            raise DefinitionError(f"{self.code}: two translations share a language")
        for translation in self.translations:
            self._check_translation(translation)

    def _check_translation(self, translation: Translation) -> None:
        where = f"{self.code} ({translation.language})"
        if not is_language_code(translation.language):
            raise DefinitionError(f"{where}: not a lower-case language code")
        if translation.language == ORIGINAL_LANGUAGE:
            raise DefinitionError(f"{where}: the original wording is not a translation")
        if len(translation.texts) != len(self.items):
            raise DefinitionError(
                f"{where}: {len(translation.texts)} texts for {len(self.items)} items"
            )
        if len(translation.labels) != len(self.items):
            raise DefinitionError(
                f"{where}: labels for {len(translation.labels)} items, not {len(self.items)}"
            )
        for item, text, labels in zip(
            self.items, translation.texts, translation.labels, strict=True
        ):
            problem = label_problem(labels, len(item.options))
            if not text.strip() or problem:
                raise DefinitionError(f"{where} item {item.number}: {problem or 'no text'}")
        if not translation.source.strip() or not translation.licence.strip():
            raise DefinitionError(f"{where}: a translation names its source and licence")

    def translation(self, language: str) -> Translation | None:
        """Return the shipped translation into ``language``, if there is one."""
        for translation in self.translations:
            if translation.language == language:
                return translation
        return None

    def _check_items(self, numbers: Sequence[int]) -> None:
        for number in numbers:
            if not 1 <= number <= len(self.items):
                raise DefinitionError(f"{self.code}: no item {number}")

    def _check_condition(self, condition: Condition) -> None:
        if isinstance(condition, ScoreRange):
            self.scale(condition.scale)
        elif isinstance(condition, ItemCount | Unanswered):
            self._check_items(condition.items)
        elif isinstance(condition, AllOf):
            for part in condition.conditions:
                self._check_condition(part)

    def scale(self, code: str) -> Scale:
        """Return the scale with this code."""
        try:
            return self._scales[code]
        except KeyError:
            raise DefinitionError(f"{self.code}: no scale {code!r}") from None

    def change_rule(self, scale: str) -> ChangeRule | None:
        """Return the change rule of a scale, if one is defined."""
        for rule in self.change:
            if rule.scale == scale:
                return rule
        return None

    def score_range(self, code: str) -> tuple[Number, Number]:
        """Return the lowest and highest possible score of a scale."""
        scale = self.scale(code)
        lows = [min(self.items[number - 1].values) for number in scale.items]
        highs = [max(self.items[number - 1].values) for number in scale.items]
        if scale.method is Method.MEAN:
            return min(lows), max(highs)
        return sum(lows) * scale.multiplier, sum(highs) * scale.multiplier

    @property
    def is_available(self) -> bool:
        """Return whether the instrument belongs in the default catalogue."""
        return self.unverified is None


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of scoring one administration.

    ``values`` are the scored values per item (``None`` = missing). ``scores``
    maps every scale code to its score, ``None`` when too many items are
    missing. ``total`` is the primary scale's score. ``prorated`` names the
    scales whose score was prorated over missing items.
    """

    instrument: str
    values: tuple[int | None, ...]
    scores: dict[str, Number | None]
    total: Number | None
    band: str | None
    flags: tuple[Flag, ...]
    complete: bool
    missing: tuple[int, ...] = ()
    prorated: tuple[str, ...] = ()


def label_problem(labels: Sequence[str], count: int) -> str | None:
    """Return what is wrong with one item's translated option labels, or None.

    They must be ``count`` non-empty labels (the key's count), unique ignoring case
    and never digits only (a digit answer always means a position).
    """
    if len(labels) != count:
        return f"{len(labels)} option labels where the key has {count}"
    folded = [" ".join(label.split()).casefold() for label in labels]
    if not all(folded):
        return "an option label is empty"
    if len(set(folded)) != len(folded):
        return "two option labels are the same"
    if any(label.isdigit() for label in folded):
        return "an option label is only digits"
    return None


def _fmt(number: Number) -> str:
    """Return a number without a trailing ``.0``."""
    return f"{number:g}"
