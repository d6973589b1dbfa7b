"""The adapter between stored answers and `psychometrics` (the only importer of it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

import psychometrics
from psychometrics import Instrument, Result
from psychometrics.wording import in_language, with_stored_wording


def catalogue() -> list[Instrument]:
    """Return every instrument Rebond knows, in registry order, with the clinic's loaded wording.

    A scoring-only instrument gets its item texts from `rebond instruments load-wording`
    (stored in settings.WORDING_DIR); without them it has no wording and is never shown.
    """
    return [
        with_stored_wording(inst, settings.WORDING_DIR) for inst in psychometrics.REGISTRY.values()
    ]


def instrument(code: str) -> Instrument:
    """Return the instrument of a scheduled administration (raises UnknownInstrument otherwise).

    Scheduling decides what may be given (`checkins.schedulable_instruments`: the default
    catalogue plus what a clinic approved); an administration that exists is scored by its
    instrument even if the clinic later withdraws its approval.
    """
    found = psychometrics.get_instrument(code, include_unavailable=True)
    return with_stored_wording(found, settings.WORDING_DIR)


def instrument_in(code: str, language: str) -> Instrument | None:
    """Return the instrument worded in `language`, or None when it has no wording in it.

    English is its own wording (shipped, or loaded by the clinic); another language is a
    published translation that ships, or one the clinic loaded with `rebond instruments
    load-wording --language`. Only texts and option labels differ: every option keeps its
    scored value, so an answer scores the same in every language. Raises UnknownInstrument
    for an unknown code.
    """
    found = psychometrics.get_instrument(code, include_unavailable=True)
    return in_language(found, language, settings.WORDING_DIR)


def is_risk_instrument(inst: Instrument) -> bool:
    """Return whether any answer can raise a risk flag (scheduled for both partners, always)."""
    return any(rule.flag.risk for rule in inst.flags)


def values_in_order(inst: Instrument, answers: Mapping[int, int | None]) -> list[int | None]:
    """Return one scored value (or None) per item, in item order, from {item number: value}."""
    return [answers.get(item.number) for item in inst.items]


def score(inst: Instrument, answers: Mapping[int, int | None]) -> Result:
    """Score stored answers; raises psychometrics.ScoringError on a value the key lacks."""
    return psychometrics.score(inst, values_in_order(inst, answers))


def result_payload(result: Result) -> dict[str, Any]:
    """Return the parts of a Result stored with a submission (plain JSON types)."""
    return {
        "scores": dict(result.scores),
        "total": result.total,
        "band": result.band,
        "flags": [
            {"code": flag.code, "risk": flag.risk, "message": flag.message} for flag in result.flags
        ],
        "complete": result.complete,
        "missing": list(result.missing),
        "prorated": list(result.prorated),
    }


def is_allowed_value(inst: Instrument, item_number: int, value: int) -> bool:
    """Return whether `value` is a scored value of that item's published options."""
    if not 1 <= item_number <= len(inst.items):
        return False
    return value in inst.items[item_number - 1].values
