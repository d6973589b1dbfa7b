"""The glossary in docs/architecture.md names real models, URL names and templates."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.apps import apps
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse

NONE = "\u2013"  # The en dash the glossary uses for "not applicable".
ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def glossary_rows() -> list[list[str]]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Glossary", 1)[1]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("Word", "---"):
            rows.append(cells)
    return rows


def test_the_glossary_has_entries() -> None:
    words = {row[0] for row in glossary_rows()}
    assert {"Clinic", "Clinician", "Couple", "Partner", "Caseload"} <= words


def test_every_model_named_in_the_glossary_exists() -> None:
    for word, _, model, _, _ in glossary_rows():
        if model == NONE:
            continue
        package, name = model.rsplit(".", 1)
        if package == "psychometrics":
            assert hasattr(importlib.import_module(package), name), word
        else:
            assert apps.get_model(package, name), word


def test_every_url_name_in_the_glossary_resolves() -> None:
    for word, _, _, url_name, _ in glossary_rows():
        if url_name == NONE:
            continue
        try:
            reverse(url_name)
        except NoReverseMatch:
            # Names that need arguments (a case id, and a row of it) still have to exist.
            sample = "00000000-0000-4000-8000-000000000000"
            try:
                reverse(url_name, args=[sample])
            except NoReverseMatch:
                reverse(url_name, args=[sample, sample])
        assert word


def test_every_template_in_the_glossary_exists() -> None:
    for _, _, _, _, template in glossary_rows():
        if template != NONE:
            get_template(template)
