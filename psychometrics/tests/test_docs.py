"""docs/instruments.md is generated from the definitions and must match them."""

from __future__ import annotations

from pathlib import Path

from psychometrics import docs

DOC = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"


def test_the_committed_document_matches_the_definitions():
    assert DOC.read_text(encoding="utf-8") == docs.render(), (
        "regenerate it: python -m psychometrics.docs > docs/instruments.md"
    )


def test_main_prints_the_document(capsys):
    assert docs.main() == 0
    assert capsys.readouterr().out == docs.render()


def test_sections_without_optional_parts():
    from psychometrics.tests.toy import make_toy

    text = docs.render_instrument(make_toy())
    assert "## TOY: Toy scale" in text
    assert "norms SD 2" in text
    assert "Source notes" not in text


def test_modules_without_a_docstring_add_no_source_notes():
    import types

    from psychometrics.tests.toy import make_toy

    text = docs.render_instrument(make_toy(), types.ModuleType("bare"))
    assert "Source notes" not in text


def test_change_rules_without_a_cutoff_or_norms():
    import dataclasses

    from psychometrics.model import ChangeRule
    from psychometrics.tests.toy import make_toy

    toy = dataclasses.replace(make_toy(), change=(ChangeRule("total"),))
    text = docs.render_instrument(toy)
    assert "no published reliable-change figure" in text
    assert "clinical cut-off" not in text
