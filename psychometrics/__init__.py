"""Rebond's scoring core: published questionnaires scored exactly as published.

Pure Python, standard library only; it never imports Django or the web app.
The names in ``__all__`` are the contract other code may rely on.

    >>> from psychometrics import get_instrument, score
    >>> result = score(get_instrument("PHQ-9"), [1, 1, 0, 1, 0, 0, 1, 0, 0])
    >>> result.total, result.band
    (4, 'minimal')
"""

from __future__ import annotations

from psychometrics.change import Category, ChangeResult, assess_change
from psychometrics.errors import (
    ChangeNotAvailable,
    DefinitionError,
    InvalidAnswer,
    InvalidNorms,
    InvalidScore,
    InvalidWording,
    ScoringError,
    UnavailableInstrument,
    UnknownInstrument,
    WrongAnswerCount,
)
from psychometrics.instruments import REGISTRY, available
from psychometrics.instruments import get as get_instrument
from psychometrics.model import (
    Band,
    ChangeRule,
    Flag,
    FlagRule,
    Instrument,
    Item,
    Licence,
    Method,
    MissingRule,
    Norms,
    ResponseOption,
    Result,
    Scale,
    Status,
    Translation,
)
from psychometrics.norms import Population, cutoff_a, cutoff_b, cutoff_c
from psychometrics.scoring import Scorer, score, score_answers, score_positions

__all__ = [
    "REGISTRY",
    "Band",
    "Category",
    "ChangeNotAvailable",
    "ChangeResult",
    "ChangeRule",
    "DefinitionError",
    "Flag",
    "FlagRule",
    "Instrument",
    "InvalidAnswer",
    "InvalidNorms",
    "InvalidScore",
    "InvalidWording",
    "Item",
    "Licence",
    "Method",
    "MissingRule",
    "Norms",
    "Population",
    "ResponseOption",
    "Result",
    "Scale",
    "Scorer",
    "ScoringError",
    "Status",
    "Translation",
    "UnavailableInstrument",
    "UnknownInstrument",
    "WrongAnswerCount",
    "assess_change",
    "available",
    "cutoff_a",
    "cutoff_b",
    "cutoff_c",
    "get_instrument",
    "score",
    "score_answers",
    "score_positions",
]
