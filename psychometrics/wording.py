"""Clinic-supplied wording for scoring-only instruments.

Rebond ships the scoring key of some instruments but not their wording (the
licence does not let it). A clinic that holds a licence writes the wording to a
JSON file and loads it; the file is checked against the key and stored in the
wording directory (``REBOND_WORDING_DIR``, default ``./var/wording``)::

    {
      "instrument": "RDAS",
      "licence": "Used under licence ... (who granted it, when)",
      "version": "optional: the form's version",
      "instructions": "optional: the form's instructions",
      "items": [
        {"number": 1, "text": "Religious matters", "options": ["Always agree", "..."]},
        ...
      ]
    }

Each item's ``options`` must be the key's labels in the key's printed order
(case and spacing may differ), so scoring stays bound to the published key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from psychometrics.errors import InvalidWording, ScoringError
from psychometrics.instruments import get, normalise_code
from psychometrics.model import Instrument

__all__ = [
    "Availability",
    "Wording",
    "availability",
    "load_wording",
    "read_wording",
    "validate_wording",
    "with_stored_wording",
    "wording_dir",
]

DEFAULT_DIR = Path("var") / "wording"


@dataclass(frozen=True, slots=True)
class Wording:
    """Validated wording of one instrument."""

    instrument: str
    licence: str
    texts: tuple[str, ...]
    instructions: str | None = None
    version: str | None = None


def wording_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return the wording directory: ``$REBOND_WORDING_DIR`` or ``var/wording``."""
    env = os.environ if environ is None else environ
    configured = env.get("REBOND_WORDING_DIR", "")
    return Path(configured) if configured else DEFAULT_DIR


def _fold(label: str) -> str:
    return " ".join(label.split()).casefold()


def _text(data: Mapping[str, object], key: str, where: str, *, required: bool) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidWording(f"{where}: {key!r} must be a non-empty string")
    return value.strip()


def validate_wording(data: object) -> tuple[Instrument, Wording]:
    """Return the instrument and wording described by parsed JSON, or raise.

    Raise ``InvalidWording`` naming the first problem: a missing field, an
    instrument whose wording already ships, a wrong item count, or options
    that differ from the key.
    """
    if not isinstance(data, dict):
        raise InvalidWording("the wording file must hold a JSON object")
    code = _text(data, "instrument", "wording file", required=True)
    try:
        instrument = get(str(code), include_unavailable=True)
    except ScoringError as error:
        raise InvalidWording(str(error)) from None
    if instrument.licence.wording_ships:
        raise InvalidWording(f"{instrument.code} wording already ships with Rebond")
    licence = str(_text(data, "licence", "wording file", required=True))
    items = data.get("items")
    if not isinstance(items, list) or len(items) != len(instrument.items):
        count = len(items) if isinstance(items, list) else 0
        raise InvalidWording(
            f"{instrument.code} has {len(instrument.items)} items; the file gives {count}"
        )
    texts = []
    for item, entry in zip(instrument.items, items, strict=True):
        where = f"{instrument.code} item {item.number}"
        if not isinstance(entry, dict) or entry.get("number") != item.number:
            raise InvalidWording(f'{where}: expected an object with "number": {item.number}')
        texts.append(str(_text(entry, "text", where, required=True)))
        given = entry.get("options")
        expected = list(item.labels)
        if not isinstance(given, list) or [_fold(str(o)) for o in given] != [
            _fold(label) for label in expected
        ]:
            raise InvalidWording(
                f"{where}: options must be, in this order: {'; '.join(expected)} "
                f"(the file gives {given!r})"
            )
    wording = Wording(
        instrument=instrument.code,
        licence=licence,
        texts=tuple(texts),
        instructions=_text(data, "instructions", "wording file", required=False),
        version=_text(data, "version", "wording file", required=False),
    )
    return instrument, wording


def _path(directory: Path, code: str) -> Path:
    return directory / f"{normalise_code(code)}.json"


def load_wording(source: Path, directory: Path) -> tuple[Wording, Path]:
    """Validate a wording file and store it in the wording directory.

    Return the wording and the path it was stored at.
    """
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidWording(f"cannot read {source}: {error.strerror}") from None
    except ValueError as error:
        raise InvalidWording(f"{source} is not valid JSON: {error}") from None
    _, wording = validate_wording(data)
    stored = {
        "instrument": wording.instrument,
        "licence": wording.licence,
        "version": wording.version,
        "instructions": wording.instructions,
        "items": [
            {"number": number, "text": text, "options": list(item.labels)}
            for number, (text, item) in enumerate(
                zip(
                    wording.texts,
                    get(wording.instrument, include_unavailable=True).items,
                    strict=True,
                ),
                start=1,
            )
        ],
    }
    directory.mkdir(parents=True, exist_ok=True)
    target = _path(directory, wording.instrument)
    partial = target.with_suffix(".json.partial")
    partial.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(target)
    return wording, target


def read_wording(instrument: Instrument, directory: Path) -> Wording | None:
    """Return the stored wording of an instrument, or None if none is stored or valid."""
    try:
        data = json.loads(_path(directory, instrument.code).read_text(encoding="utf-8"))
        found, wording = validate_wording(data)
    except (OSError, ValueError, ScoringError):
        return None
    return wording if found.code == instrument.code else None


def with_stored_wording(instrument: Instrument, directory: Path) -> Instrument:
    """Return the instrument with the clinic's stored wording in its items, when there is one.

    Scoring never changes: only ``Item.text`` and ``instructions`` are filled in, and the
    wording was checked against the key's option labels when it was loaded.
    """
    if instrument.licence.wording_ships:
        return instrument
    wording = read_wording(instrument, directory)
    if wording is None:
        return instrument
    items = tuple(
        replace(item, text=text) for item, text in zip(instrument.items, wording.texts, strict=True)
    )
    return replace(instrument, items=items, instructions=wording.instructions)


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether an instrument can be administered here, and why not."""

    available: bool
    wording: str
    reason: str | None


def availability(instrument: Instrument, directory: Path) -> Availability:
    """Return whether the instrument can be administered with the wording at hand.

    An instrument is unavailable when its key is unverified, or when its
    wording does not ship and no valid clinic wording is stored.
    """
    if instrument.licence.wording_ships:
        wording = "ships"
    elif read_wording(instrument, directory) is not None:
        wording = "loaded by the clinic"
    else:
        wording = "not loaded"
    if instrument.unverified is not None:
        return Availability(False, wording, instrument.unverified)
    if wording == "not loaded":
        reason = (
            f"{instrument.licence.status} instrument: its wording cannot ship; load licensed "
            "wording with `rebond instruments load-wording FILE`"
        )
        return Availability(False, wording, reason)
    return Availability(True, wording, None)
