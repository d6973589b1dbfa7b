"""FHIR R4 export: validated bundles, verified LOINC codes, and a lossless round trip."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from rebond.accounts.models import User
from rebond.assessments.models import Administration
from rebond.couples.models import Couple
from rebond.interop import exports, fhir, importer
from rebond.interop.records import submitted
from rebond.test import make_couple

pytestmark = pytest.mark.django_db


def _kinds(text: str) -> list[str]:
    return [entry["resource"]["resourceType"] for entry in json.loads(text)["entry"]]


def _comparable(couple: Couple) -> list[tuple[object, ...]]:
    return sorted(
        (
            r.partner_role,
            r.instrument_code,
            r.administered_at,
            tuple(sorted(r.answers.items())),
            tuple(sorted(r.scores.items())),
            r.total,
        )
        for r in submitted(Administration.objects.filter(couple=couple))
    )


def test_a_demo_couple_round_trips_through_fhir_with_identical_scores(
    demo_couple: Couple,
) -> None:
    therapist = demo_couple.primary_clinician
    text = exports.fhir_for_couple(therapist, demo_couple.id, include_risk=True)
    Bundle.model_validate_json(text)  # parses with the fhir.resources models
    records = fhir.records_from_bundle(text)
    assert records, "the demo couple's check-ins were not exported"
    fresh = make_couple(therapist, "Round trip")
    importer.import_records(therapist, fresh.id, records)
    original = _comparable(demo_couple)
    assert original
    assert _comparable(fresh) == original


def test_the_bundle_has_patients_a_group_questionnaires_responses_and_observations(
    demo_couple: Couple,
) -> None:
    text = exports.fhir_for_couple(demo_couple.primary_clinician, demo_couple.id, include_risk=True)
    kinds = _kinds(text)
    assert kinds.count("Patient") == 2
    assert kinds.count("Group") == 1
    answered = Administration.objects.filter(couple=demo_couple, status="submitted").count()
    assert kinds.count("QuestionnaireResponse") == answered
    assert {"Questionnaire", "Observation"} <= set(kinds)


def test_phq9_carries_its_verified_loinc_codes(demo_couple: Couple) -> None:
    text = exports.fhir_for_couple(demo_couple.primary_clinician, demo_couple.id, include_risk=True)
    resources = [entry["resource"] for entry in json.loads(text)["entry"]]
    phq9 = next(r for r in resources if r.get("url") == fhir.questionnaire_url("PHQ-9"))
    assert phq9["code"] == [{"system": fhir.LOINC, "code": "44249-1"}]
    totals = [
        r
        for r in resources
        if r["resourceType"] == "Observation" and r["code"]["text"] == "PHQ-9 total"
    ]
    assert totals
    assert all(r["code"]["coding"][0] == {"system": fhir.LOINC, "code": "44261-6"} for r in totals)
    csi = next(r for r in resources if r.get("url") == fhir.questionnaire_url("CSI-4"))
    assert "code" not in csi  # no verified LOINC code: the Rebond canonical URL only


def test_risk_questionnaires_stay_out_unless_the_clinician_authorises_them(
    demo_couple: Couple,
) -> None:
    therapist = demo_couple.primary_clinician
    without = exports.fhir_for_couple(therapist, demo_couple.id, include_risk=False)
    assert fhir.questionnaire_url("PHQ-9") not in without
    assert fhir.questionnaire_url("CSI-4") in without
    with_risk = exports.fhir_for_couple(therapist, demo_couple.id, include_risk=True)
    assert fhir.questionnaire_url("PHQ-9") in with_risk


def test_a_clinician_off_the_case_cannot_export_it(demo_couple: Couple, bob: User) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        exports.fhir_for_couple(bob, demo_couple.id, include_risk=True)


def test_every_export_is_audited_without_values(demo_couple: Couple) -> None:
    from rebond.audit.models import AuditEntry

    exports.fhir_for_couple(demo_couple.primary_clinician, demo_couple.id, include_risk=True)
    entry = AuditEntry.objects.filter(action="interop.export.fhir").get()
    assert entry.object_id == str(demo_couple.id)
    assert entry.fields == ["risk"]
