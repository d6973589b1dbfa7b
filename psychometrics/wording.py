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

Languages
---------
An instrument's own wording is its English form (``ORIGINAL_LANGUAGE``). A
translation into another language is either shipped with the instrument
(``Instrument.translations``: published translations whose licence allows it) or
loaded by a clinic that holds a licence for it, with ``rebond instruments
load-wording --language es FILE``, and stored per language
(``<wording dir>/es/<code>.json``). The file has the same shape, plus optional
``"language"`` (it must then be the one asked for) and ``"source"``; each item's
``options`` are the translated labels, as many as the key has, in the key's
printed order: they are matched to the key by position, never by their words.
A shipped translation is never replaced by a loaded one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from psychometrics.errors import InvalidWording, ScoringError
from psychometrics.instruments import get, normalise_code
from psychometrics.model import (
    ORIGINAL_LANGUAGE,
    Instrument,
    Item,
    ResponseOption,
    Translation,
    is_language_code,
    label_problem,
)

__all__ = [
    "Availability",
    "Wording",
    "availability",
    "in_language",
    "languages",
    "load_translation",
    "load_wording",
    "read_translation",
    "read_wording",
    "translated",
    "validate_translation",
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


def _instrument_of(data: object) -> tuple[Instrument, dict[str, object]]:
    """Return the instrument a wording file names, and the file as a JSON object."""
    if not isinstance(data, dict):
        raise InvalidWording("the wording file must hold a JSON object")
    code = _text(data, "instrument", "wording file", required=True)
    try:
        return get(str(code), include_unavailable=True), data
    except ScoringError as error:
        raise InvalidWording(str(error)) from None


def validate_wording(data: object) -> tuple[Instrument, Wording]:
    """Return the instrument and wording described by parsed JSON, or raise.

    Raise ``InvalidWording`` naming the first problem: a missing field, an
    instrument whose wording already ships, a wrong item count, or options
    that differ from the key.
    """
    instrument, data = _instrument_of(data)
    if instrument.licence.wording_ships:
        raise InvalidWording(f"{instrument.code} wording already ships with Rebond")
    licence = str(_text(data, "licence", "wording file", required=True))
    texts = []
    for item, entry, where in _entries(instrument, data):
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


def _entries(
    instrument: Instrument, data: Mapping[str, object]
) -> Iterator[tuple[Item, Mapping[str, object], str]]:
    """Yield each item of the key with the file's entry for it and where it is, for messages.

    Raise ``InvalidWording`` when the file gives another number of items, or, on reaching it,
    an entry that is not an object numbered as its item (one item at a time, so the caller's
    checks of an earlier item come first: the message names the first problem).
    """
    items = data.get("items")
    if not isinstance(items, list) or len(items) != len(instrument.items):
        count = len(items) if isinstance(items, list) else 0
        raise InvalidWording(
            f"{instrument.code} has {len(instrument.items)} items; the file gives {count}"
        )
    for item, entry in zip(instrument.items, items, strict=True):
        where = f"{instrument.code} item {item.number}"
        if not isinstance(entry, dict) or entry.get("number") != item.number:
            raise InvalidWording(f'{where}: expected an object with "number": {item.number}')
        yield item, entry, where


def validate_translation(data: object, language: str) -> tuple[Instrument, Translation]:
    """Return the instrument and its translation into ``language`` described by parsed JSON.

    Raise ``InvalidWording`` naming the first problem. The options of each item are
    checked by count and position only: as many labels as the key has, non-empty, unique,
    never digits only; the j-th label is taken to name the key's j-th option.
    """
    if not is_language_code(language):
        raise InvalidWording(f"{language!r} is not a language code such as es or pt-br")
    if language == ORIGINAL_LANGUAGE:
        raise InvalidWording(f"{language} is the original wording, not a translation")
    instrument, data = _instrument_of(data)
    given = data.get("language", language)
    if given != language:
        raise InvalidWording(f"the file is in {given!r}, but it is being loaded as {language!r}")
    if instrument.translation(language) is not None:
        raise InvalidWording(f"{instrument.code} wording in {language} already ships with Rebond")
    licence = str(_text(data, "licence", "wording file", required=True))
    texts = []
    labels = []
    for item, entry, where in _entries(instrument, data):
        texts.append(str(_text(entry, "text", where, required=True)))
        options = entry.get("options")
        given_labels = (
            [" ".join(o.split()) for o in options if isinstance(o, str)]
            if isinstance(options, list)
            else []
        )
        problem = (
            label_problem(given_labels, len(item.options))
            if isinstance(options, list) and len(given_labels) == len(options)
            else "options must be a list of labels"
        )
        if problem:
            raise InvalidWording(
                f"{where}: {problem}. Give {len(item.options)} translated labels, in the order "
                f"of the key: {'; '.join(item.labels)} (the file gives {options!r})"
            )
        labels.append(tuple(given_labels))
    translation = Translation(
        language=language,
        texts=tuple(texts),
        labels=tuple(labels),
        source=_text(data, "source", "wording file", required=False) or "loaded by the clinic",
        licence=licence,
        instructions=_text(data, "instructions", "wording file", required=False),
        version=_text(data, "version", "wording file", required=False),
    )
    return instrument, translation


def _path(directory: Path, code: str, language: str = ORIGINAL_LANGUAGE) -> Path:
    if language != ORIGINAL_LANGUAGE:
        directory = directory / language
    return directory / f"{normalise_code(code)}.json"


def _read_json(source: Path) -> object:
    try:
        return json.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidWording(f"cannot read {source}: {error.strerror}") from None
    except ValueError as error:
        raise InvalidWording(f"{source} is not valid JSON: {error}") from None


def _store(target: Path, stored: Mapping[str, object]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".json.partial")
    partial.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(target)
    return target


def load_translation(
    source: Path, directory: Path, language: str
) -> tuple[Instrument, Translation, Path]:
    """Validate a translation file and store it under ``<directory>/<language>/``.

    Return the instrument, its translation and the path it was stored at.
    """
    instrument, translation = validate_translation(_read_json(source), language)
    stored = {
        "instrument": instrument.code,
        "language": language,
        "licence": translation.licence,
        "source": translation.source,
        "version": translation.version,
        "instructions": translation.instructions,
        "items": [
            {"number": item.number, "text": text, "options": list(labels)}
            for item, text, labels in zip(
                instrument.items, translation.texts, translation.labels, strict=True
            )
        ],
    }
    return instrument, translation, _store(_path(directory, instrument.code, language), stored)


def load_wording(source: Path, directory: Path) -> tuple[Wording, Path]:
    """Validate a wording file of the original (English) form and store it.

    Return the wording and the path it was stored at.
    """
    data = _read_json(source)
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
    return wording, _store(_path(directory, wording.instrument), stored)


def read_wording(instrument: Instrument, directory: Path) -> Wording | None:
    """Return the stored wording of an instrument, or None if none is stored or valid."""
    try:
        data = json.loads(_path(directory, instrument.code).read_text(encoding="utf-8"))
        found, wording = validate_wording(data)
    except (OSError, ValueError, ScoringError):
        return None
    return wording if found.code == instrument.code else None


def read_translation(instrument: Instrument, language: str, directory: Path) -> Translation | None:
    """Return the clinic's stored translation of an instrument, or None if none is valid."""
    if not is_language_code(language) or language == ORIGINAL_LANGUAGE:
        return None
    try:
        data = json.loads(_path(directory, instrument.code, language).read_text(encoding="utf-8"))
        found, translation = validate_translation(data, language)
    except (OSError, ValueError, ScoringError):
        return None
    return translation if found.code == instrument.code else None


def translated(instrument: Instrument, translation: Translation) -> Instrument:
    """Return the instrument worded in the translation's language; its key stays the same.

    Each option keeps its scored value and takes the translated label at its position.
    The translated instructions are shown when the original form shows instructions, or
    when the instrument's wording is the clinic's own; otherwise they stay data only.
    """
    items = tuple(
        replace(
            item,
            text=text,
            options=tuple(
                ResponseOption(label, option.value)
                for label, option in zip(labels, item.options, strict=True)
            ),
        )
        for item, text, labels in zip(
            instrument.items, translation.texts, translation.labels, strict=True
        )
    )
    shows = instrument.instructions is not None or not instrument.licence.wording_ships
    return replace(
        instrument, items=items, instructions=translation.instructions if shows else None
    )


def in_language(instrument: Instrument, language: str, directory: Path) -> Instrument | None:
    """Return the instrument worded in ``language``, or None when it has no wording there.

    English is the original wording (shipped, or loaded by the clinic); another language
    is a shipped translation, else one the clinic loaded. Scoring is the same in every
    language: only texts, option labels and instructions change.
    """
    if language == ORIGINAL_LANGUAGE:
        worded = with_stored_wording(instrument, directory)
        return worded if all(item.text for item in worded.items) else None
    translation = instrument.translation(language) or read_translation(
        instrument, language, directory
    )
    return None if translation is None else translated(instrument, translation)


def languages(instrument: Instrument, directory: Path) -> tuple[str, ...]:
    """Return the languages the instrument has wording in: English first, then by code."""
    found = {translation.language for translation in instrument.translations}
    if directory.is_dir():
        for child in directory.iterdir():
            if (
                child.is_dir()
                and is_language_code(child.name)
                and read_translation(instrument, child.name, directory) is not None
            ):
                found.add(child.name)
    original = in_language(instrument, ORIGINAL_LANGUAGE, directory) is not None
    return ((ORIGINAL_LANGUAGE,) if original else ()) + tuple(sorted(found))


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
