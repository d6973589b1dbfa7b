"""The registry of instruments: one module per instrument, listed in ``MODULES``.

Adding an instrument
--------------------
1. Copy ``phq9.py`` to ``<code>.py`` (lower case, no hyphen). Keep its shape:
   a module docstring naming the source, the version of the form, and the page
   of the scoring key you checked; then one ``INSTRUMENT = Instrument(...)``.
2. Give every item its options in the printed order with their scored values
   (``likert_items`` in ``_build.py`` covers items sharing one scale; pass
   ``reverse=`` for reverse-keyed items). Never score from a screen position.
3. For a scoring-only instrument set ``Licence(status=Status.SCORING_ONLY,
   wording_ships=False, ...)``, leave ``Item.text`` and ``instructions`` empty
   and give each item a neutral ``topic`` (not its wording). Clinics load the
   wording with ``rebond instruments load-wording FILE``.
4. If a part of the key could not be checked against a primary source, set
   ``unverified="<what and why>"``: the instrument then stays out of the
   default catalogue and ``rebond instruments`` shows the reason.
5. Add the module to ``MODULES`` below (one line), add
   ``tests/instruments/test_<code>.py`` with table-driven cases citing their
   source, and regenerate the docs: ``python -m psychometrics.docs >
   docs/instruments.md``.
"""

from __future__ import annotations

from types import ModuleType

from psychometrics.errors import UnavailableInstrument, UnknownInstrument
from psychometrics.instruments import (
    asq,
    csi4,
    csi16,
    csi32,
    dts,
    ecrr,
    ecrrs,
    ecrs,
    ehits,
    gad7,
    hark,
    hits,
    msi,
    pcl5,
    phq9,
    ras,
    rdas,
    rses,
    trim18,
    who5,
)
from psychometrics.model import Instrument

__all__ = ["MODULES", "REGISTRY", "available", "get", "normalise_code"]

MODULES: tuple[ModuleType, ...] = (
    phq9,
    gad7,
    pcl5,
    who5,
    rses,
    asq,
    hark,
    csi4,
    csi16,
    csi32,
    ecrrs,
    hits,  # scoring-only (SCORING_ONLY_SOURCES.md)
    ehits,  # scoring-only (SCORING_ONLY_SOURCES.md)
    msi,  # scoring-only (SCORING_ONLY_SOURCES.md)
    rdas,  # scoring-only (SCORING_ONLY_SOURCES.md)
    ras,  # scoring-only (SCORING_ONLY_SOURCES.md)
    dts,  # scoring-only (SCORING_ONLY_SOURCES.md)
    trim18,  # scoring-only (SCORING_ONLY_SOURCES.md)
    ecrr,  # scoring-only (SCORING_ONLY_SOURCES.md)
    ecrs,  # scoring-only (SCORING_ONLY_SOURCES.md)
)

REGISTRY: dict[str, Instrument] = {module.INSTRUMENT.code: module.INSTRUMENT for module in MODULES}


def normalise_code(code: str) -> str:
    """Return a code folded for lookup: case, hyphens, underscores and spaces ignored."""
    return "".join(char for char in code.casefold() if char not in "-_ /")


def get(code: str, *, include_unavailable: bool = False) -> Instrument:
    """Return the instrument with this code (``"phq9"`` finds ``"PHQ-9"``).

    Raise ``UnknownInstrument`` for an unknown code and, unless
    ``include_unavailable``, ``UnavailableInstrument`` for an instrument kept
    out of the default catalogue.
    """
    wanted = normalise_code(code)
    for instrument in REGISTRY.values():
        if normalise_code(instrument.code) == wanted:
            if instrument.unverified is not None and not include_unavailable:
                raise UnavailableInstrument(instrument.code, instrument.unverified)
            return instrument
    raise UnknownInstrument(code, sorted(REGISTRY))


def available() -> tuple[Instrument, ...]:
    """Return the instruments of the default catalogue, in registry order."""
    return tuple(instrument for instrument in REGISTRY.values() if instrument.is_available)
