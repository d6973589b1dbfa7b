"""Translations: positional answer labels, so scoring never depends on the language."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from psychometrics import Translation, score_answers, score_positions
from psychometrics.errors import DefinitionError, InvalidWording
from psychometrics.instruments import REGISTRY, get
from psychometrics.model import ORIGINAL_LANGUAGE, is_language_code
from psychometrics.tests.toy import LABELS, make_toy
from psychometrics.wording import (
    in_language,
    languages,
    load_translation,
    load_wording,
    read_translation,
    translated,
    validate_translation,
)

SPANISH_LABELS = ("Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días")


@pytest.fixture
def toy(monkeypatch):
    instrument = make_toy()
    monkeypatch.setitem(REGISTRY, "TOY", instrument)
    return instrument


def translation_file(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "instrument": "TOY",
        "licence": "Licensed to Example Clinic, 2025",
        "source": "Example publisher, Spanish edition",
        "items": [
            {
                "number": n,
                "text": f"Pregunta {n}",
                "options": ["Nunca", "A veces", "A menudo", "Siempre"],
            }
            for n in range(1, 5)
        ],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("code", ["PHQ-9", "GAD-7"])
def test_the_spanish_phq9_and_gad7_ship_with_positional_labels(code):
    instrument = get(code)
    spanish = instrument.translation("es")
    assert spanish is not None
    assert len(spanish.texts) == len(instrument.items)
    assert all(labels == SPANISH_LABELS for labels in spanish.labels)
    assert "phqscreeners.com" in spanish.source
    assert "No permission is required" in spanish.licence
    assert any("before clinical use" in note for note in spanish.notes)
    assert spanish.instructions is not None
    assert spanish.instructions.startswith("Durante las últimas 2 semanas")


def test_only_phq9_and_gad7_ship_a_translation():
    shipped = {code for code, inst in REGISTRY.items() if inst.translations}
    assert shipped == {"PHQ-9", "GAD-7"}


@pytest.mark.parametrize(
    ("code", "answers"),
    [
        # INSTRUMENTS.md 5.1 and 5.2, worked examples.
        ("PHQ-9", [2, 2, 1, 2, 1, 2, 1, 1, 1]),
        ("PHQ-9", [3, 3, 3, 2, 2, 3, 2, 2, 0]),
        ("GAD-7", [2, 2, 1, 2, 1, 2, 1]),
        ("GAD-7", [3, 3, 3, 2, 3, 3, 2]),
    ],
)
def test_the_same_answers_score_the_same_in_spanish_and_english(code, answers):
    english = get(code)
    spanish = in_language(english, "es", _nowhere())
    assert spanish is not None
    by_position = score_positions(spanish, answers)
    assert by_position == score_positions(english, answers)
    spanish_labels = [spanish.items[n].labels[a] for n, a in enumerate(answers)]
    english_labels = [english.items[n].labels[a] for n, a in enumerate(answers)]
    assert score_answers(spanish, spanish_labels) == score_answers(english, english_labels)
    assert [item.values for item in spanish.items] == [item.values for item in english.items]
    assert (spanish.scales, spanish.bands, spanish.flags) == (
        english.scales,
        english.bands,
        english.flags,
    )


def test_the_spanish_form_carries_texts_labels_and_instructions():
    phq9 = in_language(get("PHQ-9"), "es", _nowhere())
    assert phq9 is not None
    assert phq9.items[0].text == "Poco interés o placer en hacer cosas"
    assert phq9.items[8].labels == SPANISH_LABELS
    assert phq9.instructions is not None
    assert "qué tan seguido" in phq9.instructions


def _nowhere() -> Path:
    return Path("/nonexistent/rebond-wording")


def test_english_is_the_original_and_other_languages_need_wording():
    phq9 = get("PHQ-9")
    assert in_language(phq9, ORIGINAL_LANGUAGE, _nowhere()) == phq9
    assert in_language(phq9, "fr", _nowhere()) is None
    assert in_language(get("WHO-5"), "es", _nowhere()) is None
    assert in_language(get("HITS", include_unavailable=True), "en", _nowhere()) is None
    assert languages(phq9, _nowhere()) == ("en", "es")
    assert languages(get("WHO-5"), _nowhere()) == ("en",)


def test_instructions_of_a_shipped_form_show_only_when_the_english_form_shows_them():
    phq9 = get("PHQ-9")
    without = dataclasses.replace(phq9, instructions=None)
    spanish = phq9.translation("es")
    assert spanish is not None
    assert translated(without, spanish).instructions is None
    assert translated(phq9, spanish).instructions == spanish.instructions


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"language": "EN"}, "not a lower-case language code"),
        ({"language": "en"}, "the original wording is not a translation"),
        ({"texts": ("x",)}, "1 texts for 4 items"),
        ({"labels": (("a", "b", "c", "d"),)}, "labels for 1 items, not 4"),
        ({"labels": (("a", "b", "c"),) * 4}, "3 option labels where the key has 4"),
        ({"labels": (("a", "A", "c", "d"),) * 4}, "two option labels are the same"),
        ({"labels": (("a", "1", "c", "d"),) * 4}, "only digits"),
        ({"labels": (("a", " ", "c", "d"),) * 4}, "an option label is empty"),
        ({"texts": ("x", "", "y", "z")}, "item 2: no text"),
        ({"source": " "}, "names its source and licence"),
    ],
)
def test_a_translation_that_does_not_fit_the_key_is_refused(changes, message):
    good = Translation(
        language="es",
        texts=("a", "b", "c", "d"),
        labels=(("Nunca", "A veces", "A menudo", "Siempre"),) * 4,
        source="s",
        licence="l",
    )
    with pytest.raises(DefinitionError, match=message):
        dataclasses.replace(make_toy(), translations=(dataclasses.replace(good, **changes),))
    with pytest.raises(DefinitionError, match="two translations share a language"):
        dataclasses.replace(make_toy(), translations=(good, good))


def test_language_codes():
    assert all(is_language_code(c) for c in ("es", "pt-br", "ast"))
    assert not any(is_language_code(c) for c in ("", "E", "ES", "es_ES", "../x", 3))


def test_a_clinic_loads_a_translation_per_language(toy, tmp_path):
    source = tmp_path / "toy-es.json"
    source.write_text(json.dumps(translation_file(instructions="Conteste todo")))
    directory = tmp_path / "wording"
    assert in_language(toy, "es", directory) is None
    instrument, translation, stored = load_translation(source, directory, "es")
    assert stored == directory / "es" / "toy.json"
    assert (instrument.code, translation.language) == ("TOY", "es")
    assert read_translation(toy, "es", directory) == translation
    spanish = in_language(toy, "es", directory)
    assert spanish is not None
    assert [item.text for item in spanish.items] == [f"Pregunta {n}" for n in range(1, 5)]
    assert spanish.instructions == "Conteste todo"
    # Item 4 is reverse keyed: the label at each position keeps that position's value.
    assert spanish.items[3].options[0].label == "Nunca"
    assert spanish.items[3].values == toy.items[3].values == (3, 2, 1, 0)
    assert score_positions(spanish, [0, 1, 2, 0]) == score_positions(toy, [0, 1, 2, 0])
    # English wording is separate: still not loaded.
    assert in_language(toy, "en", directory) is None
    assert languages(toy, directory) == ("es",)
    english = tmp_path / "toy-en.json"
    english.write_text(
        json.dumps(
            translation_file(
                items=[{"number": n, "text": f"Q{n}", "options": list(LABELS)} for n in range(1, 5)]
            )
        )
    )
    load_wording(english, directory)
    assert languages(toy, directory) == ("en", "es")
    assert read_translation(toy, "en", directory) is None
    assert read_translation(toy, "../x", directory) is None


@pytest.mark.parametrize(
    ("data", "language", "message"),
    [
        (translation_file(), "ES", "'ES' is not a language code"),
        (translation_file(), "en", "en is the original wording, not a translation"),
        (
            translation_file(language="fr"),
            "es",
            "the file is in 'fr', but it is being loaded as 'es'",
        ),
        (translation_file(instrument="PHQ-9"), "es", "PHQ-9 wording in es already ships"),
        (translation_file(licence=""), "es", "'licence' must be a non-empty string"),
        (translation_file(items=[]), "es", "TOY has 4 items; the file gives 0"),
        (
            translation_file(
                items=[
                    {"number": n, "text": "q", "options": ["Nunca", "A veces", "Siempre"]}
                    for n in range(1, 5)
                ]
            ),
            "es",
            "TOY item 1: 3 option labels where the key has 4. Give 4 translated labels, in the "
            "order of the key: Never; Sometimes; Often; Always",
        ),
        (
            translation_file(
                items=[{"number": n, "text": "q", "options": "Nunca"} for n in range(1, 5)]
            ),
            "es",
            "TOY item 1: options must be a list of labels",
        ),
        (
            translation_file(
                items=[
                    {"number": n, "text": "q", "options": ["a", 2, "c", "d"]} for n in range(1, 5)
                ]
            ),
            "es",
            "TOY item 1: options must be a list of labels",
        ),
        (
            translation_file(
                items=[
                    {"number": n, "text": "q", "options": ["a", "A ", "c", "d"]}
                    for n in range(1, 5)
                ]
            ),
            "es",
            "TOY item 1: two option labels are the same",
        ),
        (
            translation_file(items=["x"] * 4),
            "es",
            'TOY item 1: expected an object with "number": 1',
        ),
    ],
)
def test_a_bad_translation_file_is_refused_naming_the_problem(toy, data, language, message):
    with pytest.raises(InvalidWording, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_translation(data, language)


def test_stored_translations_that_no_longer_fit_are_ignored(toy, tmp_path):
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "toy.json").write_text("{")
    assert read_translation(toy, "es", tmp_path) is None
    assert in_language(toy, "es", tmp_path) is None
    (tmp_path / "es" / "other.json").write_text(json.dumps(translation_file()))
    assert read_translation(make_toy(code="OTHER"), "es", tmp_path) is None
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "Not-A-Language").mkdir()
    assert languages(toy, tmp_path) == ()
