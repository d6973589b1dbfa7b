"""psychometrics.__all__ is the contract the web app relies on (like httpx's test)."""

from __future__ import annotations

import psychometrics

EXPECTED = {
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
}


def test_all_is_exactly_the_public_api():
    assert set(psychometrics.__all__) == EXPECTED
    assert len(psychometrics.__all__) == len(EXPECTED)


def test_every_exported_name_exists_and_is_documented():
    for name in psychometrics.__all__:
        member = getattr(psychometrics, name)
        if callable(member):
            assert member.__doc__, name


def test_every_error_is_a_scoring_error():
    for name in psychometrics.__all__:
        member = getattr(psychometrics, name)
        if isinstance(member, type) and issubclass(member, Exception):
            assert issubclass(member, psychometrics.ScoringError), name
