"""Clinic-loaded wording for scoring-only instruments."""

from __future__ import annotations

import json

import pytest

from psychometrics.errors import InvalidWording
from psychometrics.instruments import REGISTRY, get
from psychometrics.tests.toy import LABELS, make_toy
from psychometrics.wording import (
    availability,
    load_wording,
    read_wording,
    validate_wording,
    with_stored_wording,
    wording_dir,
)


@pytest.fixture
def toy(monkeypatch):
    instrument = make_toy()
    monkeypatch.setitem(REGISTRY, "TOY", instrument)
    return instrument


def wording(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "instrument": "toy",
        "licence": "Licensed to Example Clinic, 2025",
        "items": [
            {"number": n, "text": f"Question {n}", "options": [label.upper() for label in LABELS]}
            for n in range(1, 5)
        ],
    }
    data.update(changes)
    return data


def test_valid_wording_is_stored_and_makes_the_instrument_available(toy, tmp_path):
    source = tmp_path / "toy.json"
    source.write_text(json.dumps(wording(instructions="Answer all", version="v2")))
    directory = tmp_path / "wording"
    assert availability(toy, directory).available is False
    loaded, stored = load_wording(source, directory)
    assert stored == directory / "toy.json"
    assert loaded.texts == ("Question 1", "Question 2", "Question 3", "Question 4")
    assert read_wording(toy, directory) == loaded
    state = availability(toy, directory)
    assert (state.available, state.wording, state.reason) == (True, "loaded by the clinic", None)


def test_unverified_instruments_stay_unavailable_with_wording(monkeypatch, tmp_path):
    instrument = make_toy(unverified="scoring key not verified: test")
    monkeypatch.setitem(REGISTRY, "TOY", instrument)
    state = availability(instrument, tmp_path)
    assert (state.available, state.reason) == (False, "scoring key not verified: test")


def test_shipped_wording_is_available():
    state = availability(get("PHQ-9"), wording_dir({}))
    assert (state.available, state.wording) == (True, "ships")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must hold a JSON object"),
        (wording(instrument=""), "'instrument' must be a non-empty string"),
        (wording(instrument="nope"), "unknown instrument 'nope'"),
        (wording(instrument="PHQ-9"), "PHQ-9 wording already ships"),
        (wording(licence=3), "'licence' must be a non-empty string"),
        (wording(items=[]), "TOY has 4 items; the file gives 0"),
        (wording(items={}), "TOY has 4 items; the file gives 0"),
        (wording(items=[{"number": 1}] * 4), "TOY item 1: 'text' must be a non-empty string"),
        (wording(items=["x"] * 4), 'TOY item 1: expected an object with "number": 1'),
        (
            wording(items=[{"number": n, "text": "q", "options": ["Never"]} for n in range(1, 5)]),
            "TOY item 1: options must be, in this order: Never; Sometimes; Often; Always",
        ),
        (
            wording(items=[{"number": n, "text": "q", "options": "Never"} for n in range(1, 5)]),
            "TOY item 1: options must be",
        ),
        (wording(instructions=""), "'instructions' must be a non-empty string"),
    ],
)
def test_bad_wording_is_refused_with_a_clear_message(toy, data, message):
    with pytest.raises(InvalidWording, match=message):
        validate_wording(data)


def test_unreadable_files_are_refused(toy, tmp_path):
    with pytest.raises(InvalidWording, match="cannot read"):
        load_wording(tmp_path / "missing.json", tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(InvalidWording, match="is not valid JSON"):
        load_wording(broken, tmp_path)


def test_stored_wording_that_no_longer_fits_is_ignored(toy, tmp_path):
    (tmp_path / "toy.json").write_text("{}")
    assert read_wording(toy, tmp_path) is None
    other = make_toy(code="OTHER")
    (tmp_path / "other.json").write_text(json.dumps(wording()))
    assert read_wording(other, tmp_path) is None


def test_the_wording_directory_comes_from_the_environment(tmp_path):
    assert str(wording_dir({"REBOND_WORDING_DIR": str(tmp_path)})) == str(tmp_path)
    assert str(wording_dir({})) == "var/wording"
    assert wording_dir() is not None


def test_stored_wording_fills_the_items_and_leaves_the_key_alone(toy, tmp_path):
    source = tmp_path / "toy.json"
    source.write_text(json.dumps(wording(instructions="Answer all")))
    directory = tmp_path / "wording"
    assert with_stored_wording(toy, directory) is toy
    load_wording(source, directory)
    worded = with_stored_wording(toy, directory)
    assert [item.text for item in worded.items] == [f"Question {n}" for n in range(1, 5)]
    assert worded.instructions == "Answer all"
    assert [item.options for item in worded.items] == [item.options for item in toy.items]
    assert (worded.scales, worded.bands, worded.flags) == (toy.scales, toy.bands, toy.flags)


def test_shipped_wording_is_never_replaced(tmp_path):
    phq9 = get("PHQ9")
    assert with_stored_wording(phq9, tmp_path) is phq9
