"""Research export: de-identified long format, consent-gated risk data, no formula injection."""

from __future__ import annotations

import csv
import io

import pytest

from rebond.couples import actions as couple_actions
from rebond.couples.models import ConsentDocument, Couple
from rebond.interop import exports, research

pytestmark = pytest.mark.django_db


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("dangerous", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_could_be_a_formula_is_neutralised_with_a_quote(dangerous: str) -> None:
    assert research.safe_cell(dangerous) == "'" + dangerous
    text = research.to_csv([[dangerous, "A", "PHQ-9", "item_1", 1, "", "", 0]])
    assert _rows(text)[0]["couple_id"] == "'" + dangerous


def test_ordinary_cells_and_numbers_are_left_alone() -> None:
    assert research.safe_cell("PHQ-9") == "PHQ-9"
    assert research.safe_cell(3) == "3"
    assert research.safe_cell(None) == ""


def test_quotes_and_commas_are_quoted_as_rfc_4180_says() -> None:
    text = research.to_csv([['a "b", c', "A", "X", "item_1", 1, "", "", 0]])
    assert '"a ""b"", c"' in text
    assert text.endswith("\r\n")


def test_the_export_is_long_format_with_pseudonyms_and_no_names(demo_couple: Couple) -> None:
    text = exports.research_csv(demo_couple.primary_clinician)
    rows = _rows(text)
    assert rows
    assert set(rows[0]) == set(research.COLUMNS)
    assert str(demo_couple.id) not in text
    assert demo_couple.label not in text
    for partner in demo_couple.partners.all():
        assert partner.display_name not in text
    assert {r["partner_role"] for r in rows} <= {"A", "B"}
    assert any(r["item"] == "score:total" for r in rows)


def test_risk_instruments_need_the_partners_research_consent(demo_couple: Couple) -> None:
    therapist = demo_couple.primary_clinician
    assert not any(r["instrument"] == "PHQ-9" for r in _rows(exports.research_csv(therapist)))
    document = couple_actions.current_documents()[ConsentDocument.Kind.RESEARCH]
    partner_a = demo_couple.partners.get(role="A")
    couple_actions.record_consent(therapist, partner_a.id, document.id)
    rows = _rows(exports.research_csv(therapist))
    assert {r["partner_role"] for r in rows if r["instrument"] == "PHQ-9"} == {"A"}


def test_free_text_occasions_never_leave(demo_couple: Couple) -> None:
    from rebond.assessments.models import Administration

    # The occasion is sealed (issue 15 A3), so each row is saved, not updated in SQL.
    for administration in Administration.objects.filter(couple=demo_couple):
        administration.occasion = "=HYPERLINK(evil)"
        administration.save(update_fields=["occasion"])
    text = exports.research_csv(demo_couple.primary_clinician)
    assert "HYPERLINK" not in text
