"""Errors raised by the scoring core.

Every error the package raises on purpose derives from ``ScoringError``, so a
caller (the web app, the command line) can catch that one class::

    ScoringError
    ├── UnknownInstrument       no instrument with that code
    ├── UnavailableInstrument   known, but kept out of the catalogue (and why)
    ├── InvalidAnswer           an answer that is not one of the item's options
    ├── WrongAnswerCount        more or fewer answers than the instrument has items
    ├── ChangeNotAvailable      no published threshold or norms to judge change with
    ├── InvalidNorms            norms a caller supplied that cannot be used
    ├── InvalidScore            a score outside the scale's possible range
    ├── InvalidWording          a clinic's wording file that does not fit the key
    ├── InsufficientData        too few cases or a singular design for a local fit
    └── DefinitionError         an instrument definition that contradicts itself
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ChangeNotAvailable",
    "DefinitionError",
    "InsufficientData",
    "InvalidAnswer",
    "InvalidNorms",
    "InvalidScore",
    "InvalidWording",
    "ScoringError",
    "UnavailableInstrument",
    "UnknownInstrument",
    "WrongAnswerCount",
]


class ScoringError(Exception):
    """Base class of every error raised by ``psychometrics``."""


class UnknownInstrument(ScoringError):
    """No instrument has the requested code."""

    def __init__(self, code: str, known: Sequence[str]) -> None:
        self.code = code
        self.known = tuple(known)
        super().__init__(f"unknown instrument {code!r}; known instruments: {', '.join(known)}")


class UnavailableInstrument(ScoringError):
    """The instrument is defined but kept out of the default catalogue."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"{code} is not available: {reason}")


class InvalidAnswer(ScoringError):
    """An answer does not name one of the item's response options.

    ``allowed`` lists the accepted answers as they should be shown, for example
    ``"0 = Not at all"``.
    """

    def __init__(self, instrument: str, item: int, answer: str, allowed: Sequence[str]) -> None:
        self.instrument = instrument
        self.item = item
        self.answer = answer
        self.allowed = tuple(allowed)
        super().__init__(
            f"{instrument} item {item}: {answer!r} is not an allowed answer; "
            f"allowed: {'; '.join(allowed)}"
        )


class WrongAnswerCount(ScoringError):
    """The number of answers differs from the number of items."""

    def __init__(self, instrument: str, expected: int, got: int) -> None:
        self.instrument = instrument
        self.expected = expected
        self.got = got
        super().__init__(
            f"{instrument} has {expected} items but {got} answers were given "
            "(leave an answer empty to mark an item as missing)"
        )


class ChangeNotAvailable(ScoringError):
    """Change cannot be judged: no published threshold and no norms were supplied."""


class InvalidNorms(ScoringError):
    """Caller-supplied norms cannot be used (for example a reliability of 1)."""


class InvalidScore(ScoringError):
    """A score given for change lies outside the scale's possible range."""


class InvalidWording(ScoringError):
    """A wording file does not match the instrument's scoring key."""


class InsufficientData(ScoringError):
    """A clinic's closed cases cannot carry a local fit: too few, or a singular design."""


class DefinitionError(ScoringError):
    """An instrument definition contradicts itself (a bug in a module, not in input)."""
