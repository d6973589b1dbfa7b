"""Bad input to the exports and the import (issue 15, D15): never a server error.

Each defect has a precise test through the real page, then a Hypothesis property over any
input of that kind. The figure "D15 exports and import" counts server errors across them.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import psychometrics
from rebond.accounts.models import User
from rebond.assessments import scoring
from rebond.assessments.models import Administration
from rebond.couples.models import ContactChannel, Couple
from rebond.interop import exports, fhir, importer, research
from rebond.interop.models import BackgroundJob
from rebond.interop.records import ScoredRecord
from rebond.interop.tests.uploads import upload_csv
from rebond.test import make_couple, sign_in
from rebond.tests import figures

pytestmark = pytest.mark.django_db

SECTION = "D15 exports and import"
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# FHIR R4 "id" datatype (hl7.org/fhir/R4/datatypes.html#id).
FHIR_ID = re.compile(r"[A-Za-z0-9\-\.]{1,64}")
HEADER = "partner_role,instrument,date," + ",".join(f"item_{n}" for n in range(1, 10))
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)


def _server_errors(status: int) -> None:
    figures.add(SECTION, "server errors", int(status >= 500))
    figures.add(SECTION, "requests", 1)


def _import(client: Client, couple: Couple, body: bytes) -> tuple[Any, bool]:
    """Upload the file and run its import job; return the job's page (or the upload's
    refusal: a file too large or not UTF-8) and whether the file was refused."""
    response, job = upload_csv(client, couple, body)
    _server_errors(response.status_code)
    refused = job is None or job.status == BackgroundJob.Status.FAILED
    if job is not None and refused:
        assert b"Nothing was imported" in response.content
    return response, refused


def _record_asq(clinician: User, couple: Couple) -> None:
    # A fully answered negative ASQ (four "no" answers, acuity item unanswered).
    inst = scoring.instrument("ASQ")
    answers: dict[int, int | None] = {item.number: 0 for item in inst.items}
    answers[len(inst.items)] = None
    now = datetime(2025, 1, 10, 12, tzinfo=UTC)
    importer.import_records(clinician, couple.id, [ScoredRecord("A", "ASQ", now, "", answers)])


def test_the_fhir_export_with_safety_questionnaires_includes_an_asq(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice)
    _record_asq(alice, couple)
    sign_in(client, alice)
    path = reverse("interop:case_exports", kwargs={"couple_id": couple.id})
    response = client.post(path, {"export": "fhir", "include_risk": "on"})
    _server_errors(response.status_code)
    assert response.status_code == 200
    resources = [entry["resource"] for entry in json.loads(response.content)["entry"]]
    observations = [r for r in resources if r["resourceType"] == "Observation"]
    assert any(r["code"]["text"] == "ASQ yes_answers" for r in observations)
    assert all(FHIR_ID.fullmatch(r["id"]) for r in resources)


def _answers(inst: psychometrics.Instrument) -> st.SearchStrategy[dict[int, int | None]]:
    return st.fixed_dictionaries(
        {item.number: st.none() | st.sampled_from(item.values) for item in inst.items}
    )


@st.composite
def _scored_records(draw: st.DrawFn) -> ScoredRecord:
    code = draw(st.sampled_from(sorted(psychometrics.REGISTRY)))
    inst = scoring.instrument(code)
    answers = draw(_answers(inst))
    result = scoring.score(inst, answers)
    return ScoredRecord(
        partner_role=draw(st.sampled_from(["A", "B"])),
        instrument_code=code,
        administered_at=datetime(2025, 1, 10, 12, tzinfo=UTC),
        occasion="",
        answers=answers,
        scores=dict(result.scores),
        total=result.total,
        is_risk=True,
        administration_id=str(draw(st.uuids())),
    )


def test_every_instrument_and_any_answers_export_as_a_valid_fhir_bundle(alice: User) -> None:
    couple = make_couple(alice)
    partner_ids = {p.role: str(p.id) for p in couple.partners.all()}

    @FUZZ
    @given(records=st.lists(_scored_records(), min_size=1, max_size=4))
    def export(records: list[ScoredRecord]) -> None:
        records = [
            ScoredRecord(**{**r.__dict__, "partner_id": partner_ids[r.partner_role]})
            for r in records
        ]
        bundle = fhir.bundle_for_couples([(couple, records)], include_risk=True)
        figures.add(SECTION, "FHIR bundles validated", 1)
        text = bundle.model_dump_json(exclude_none=True)
        ids = [entry["resource"]["id"] for entry in json.loads(text)["entry"]]
        assert len(ids) == len(set(ids))
        assert len(fhir.records_from_bundle(text)) == len(records)

    export()


def test_a_field_longer_than_the_csv_module_allows_is_named_not_a_500(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)
    long_occasion = "x" * (csv.field_size_limit() + 1)
    body = f"{HEADER},occasion\nA,PHQ-9,2025-01-10,0,0,0,0,0,0,0,0,0,{long_occasion}\n"
    response, refused = _import(client, couple, body.encode())
    assert refused
    assert b"Row 2: a field is longer than 131072 characters; nothing was read" in (
        response.content
    )
    assert not Administration.objects.filter(couple=couple).exists()


@pytest.mark.parametrize("total", ["nan", "NaN", "inf", "-inf", "1e309", "Infinity"])
def test_a_total_that_is_not_a_finite_number_is_refused(
    client: Client, alice: User, total: str
) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)
    body = f"{HEADER},total\nA,PHQ-9,2025-01-10,0,0,0,0,0,0,0,0,0,{total}\n"
    response, refused = _import(client, couple, body.encode())
    assert refused
    message = f"Row 2, total: {total!r} is not a finite number."
    assert escape(message).encode() in response.content
    assert not Administration.objects.filter(couple=couple).exists()


CELL = st.one_of(
    TEXT,
    st.sampled_from(["nan", "inf", "-1", "1e309", "9" * 5000, "2025-02-30", "PHQ-9", "A", "B"]),
    st.builds(lambda n: "y" * n, st.sampled_from([131_072, 131_073, 200_000])),
)


@st.composite
def _csv_bodies(draw: st.DrawFn) -> bytes:
    columns = ["partner_role", "instrument", "date", *(f"item_{n}" for n in range(1, 10))]
    columns += draw(st.lists(st.sampled_from(["total", "occasion", "extra"]), max_size=2))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(columns) + 1), max_size=3))
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(cell.replace("\x00", "") for cell in row))
    quote = draw(st.sampled_from(["", '"']))
    return (quote + "\n".join(lines)).encode()


def test_no_uploaded_csv_makes_a_server_error_or_keeps_a_refused_row(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)

    @FUZZ
    @given(body=_csv_bodies())
    def upload(body: bytes) -> None:
        before = Administration.objects.filter(couple=couple).count()
        response, refused = _import(client, couple, body)
        assert response.status_code in (200, 422)
        after = Administration.objects.filter(couple=couple).count()
        assert not refused or after == before

    upload()


FORMULAS = ['=HYPERLINK("http://x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_formula_strings_are_neutralised_in_the_per_person_export(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice)
    partner = couple.partners.get(role="A")
    partner.display_name = FORMULAS[0]
    partner.pronouns = FORMULAS[3]
    partner.save(update_fields=["display_name", "pronouns"])
    ContactChannel.objects.create(
        partner=partner, kind="text", value="+44 7700 900123", safe_hours=FORMULAS[1]
    )
    inst = scoring.instrument("PHQ-9")
    answers: dict[int, int | None] = {item.number: 0 for item in inst.items}
    when = datetime(2025, 1, 10, 12, tzinfo=UTC)
    importer.import_records(alice, couple.id, [ScoredRecord("A", "PHQ-9", when, "-2+3", answers)])
    sign_in(client, alice)
    path = reverse("interop:case_exports", kwargs={"couple_id": couple.id})
    response = client.post(path, {"export": "person_A"})
    _server_errors(response.status_code)
    data = json.loads(response.content)
    assert data["partner"]["display_name"] == "'" + FORMULAS[0]
    assert data["partner"]["pronouns"] == "'" + FORMULAS[3]
    assert data["contact_channels"][0]["safe_hours"] == "'" + FORMULAS[1]
    assert data["contact_channels"][0]["value"] == "'+44 7700 900123"
    # The occasion is the clinician's words and never reaches a partner (issue 15 A3).
    assert "occasion" not in data["checkins"][0]
    assert "-2+3" not in response.content.decode()


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_no_text_in_the_per_person_export_could_be_read_as_a_formula(alice: User) -> None:
    couple = make_couple(alice)
    partner = couple.partners.get(role="A")
    channel = ContactChannel.objects.create(partner=partner, kind="email", value="a@example.org")
    prefix = st.sampled_from(["", *research.FORMULA_STARTS])
    texts = st.builds(str.__add__, prefix, TEXT.map(lambda s: s.replace("\x00", "")))

    @FUZZ
    @given(name=texts, pronouns=texts, hours=texts)
    def export(name: str, pronouns: str, hours: str) -> None:
        partner.display_name, partner.pronouns = name[:120], pronouns[:40]
        partner.save(update_fields=["display_name", "pronouns"])
        channel.safe_hours = hours[:200]
        channel.save(update_fields=["safe_hours"])
        data = json.loads(exports.person_export(alice, partner.id))
        figures.add(SECTION, "per-person exports checked", 1)
        assert not [s for s in _strings(data) if s.startswith(research.FORMULA_STARTS)]

    export()
