"""FHIR R4 export of a couple's measurement data, and reading scores back from a bundle.

The models are `fhir.resources.R4B` (R4B is R4 with ballot fixes; the resources used here,
Bundle, Group, Patient, Questionnaire, QuestionnaireResponse and Observation, have the same
shape in R4 and R4B). Every bundle is validated by those models before it leaves the server.

LOINC codes are used only where verified (comments cite where); every other instrument gets a
Rebond canonical Questionnaire URL and no LOINC code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils.timezone import localtime
from fhir.resources.R4B.bundle import Bundle

from rebond.couples.models import Couple
from rebond.interop.records import ScoredRecord

LOINC = "http://loinc.org"
CANONICAL_BASE = "urn:rebond:fhir:Questionnaire:"
REBOND_SCORE_SYSTEM = "urn:rebond:score"
COUPLE_SYSTEM = "urn:rebond:couple"
PARTNER_SYSTEM = "urn:rebond:partner"
ROLE_SYSTEM = "urn:rebond:partner-role"
ADMINISTRATION_SYSTEM = "urn:rebond:administration"

# instrument code: (panel LOINC or None, total-score LOINC)
VERIFIED_LOINC: dict[str, tuple[str | None, str]] = {
    # PHQ-9: total score 44261-6, member of panel 44249-1 "PHQ-9 quick depression assessment
    # panel [Reported.PHQ]" (loinc.org/44261-6, "Member of these Panels").
    "PHQ-9": ("44249-1", "44261-6"),
    # GAD-7: total score 70274-6 "Generalized anxiety disorder 7 item (GAD-7) total score
    # [Reported.PHQ]" (loinc.org/69729-2, PHQ-SADS panel hierarchy). The GAD-7 panel code
    # could not be verified at a primary source, so the Questionnaire keeps the Rebond URL.
    "GAD-7": (None, "70274-6"),
}


def questionnaire_url(instrument_code: str) -> str:
    """Return the canonical URL of an instrument's Questionnaire."""
    return CANONICAL_BASE + instrument_code


def fhir_id(*parts: str) -> str:
    """Return a FHIR id from parts joined by "-": the id datatype allows [A-Za-z0-9-.]{1,64}.

    Scale keys such as the ASQ's `yes_answers` hold underscores; each character outside the
    pattern becomes "-" (hl7.org/fhir/R4/datatypes.html#id). The parts are an administration's
    UUID (36 characters) and a scale key, so the result stays well under 64.
    """
    return re.sub(r"[^A-Za-z0-9.-]", "-", "-".join(parts))[:64]


def _ref(resource_type: str, resource_id: str) -> dict[str, str]:
    return {"reference": f"{resource_type}/{resource_id}"}


def _iso(moment: datetime) -> str:
    # The same instant, written with the clinic's UTC offset (the zone active for the export:
    # rebond/portal/locale_middleware.py), as the clinicians who read the file keep time.
    return localtime(moment).isoformat()


def _questionnaire(code: str, item_count: int) -> dict[str, Any]:
    from psychometrics import get_instrument

    inst = get_instrument(code, include_unavailable=True)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": fhir_id("q", code.lower()),
        "url": questionnaire_url(code),
        "name": "".join(ch for ch in code if ch.isalnum()),
        "title": inst.name,
        "status": "active",
        # Item wording stays out: several instruments are licensed (INSTRUMENTS.md).
        "item": [
            {"linkId": str(number), "type": "integer", "required": False}
            for number in range(1, item_count + 1)
        ],
    }
    panel = VERIFIED_LOINC.get(code, (None, ""))[0]
    if panel:
        resource["code"] = [{"system": LOINC, "code": panel}]
    return resource


def bundle_for_couples(
    couples: Iterable[tuple[Couple, list[ScoredRecord]]], *, include_risk: bool
) -> Bundle:
    """Return a validated collection Bundle of the couples' partners and scored check-ins.

    Without `include_risk` (a clinician's explicit authorisation) administrations of risk
    instruments are left out whole: their answers and scores can reveal a risk disclosure.
    """
    entries: list[dict[str, Any]] = []
    questionnaires: dict[str, int] = {}
    for couple, records in couples:
        partners = list(couple.partners.order_by("role"))
        for partner in partners:
            entries.append(
                {
                    "resourceType": "Patient",
                    "id": str(partner.id),
                    "identifier": [
                        {"system": PARTNER_SYSTEM, "value": str(partner.id)},
                        {"system": ROLE_SYSTEM, "value": partner.role},
                    ],
                    "name": [{"text": partner.display_name}],
                }
            )
        entries.append(
            {
                "resourceType": "Group",
                "id": str(couple.id),
                "identifier": [{"system": COUPLE_SYSTEM, "value": str(couple.id)}],
                "type": "person",
                "actual": True,
                "name": "Couple",
                "member": [{"entity": _ref("Patient", str(p.id))} for p in partners],
            }
        )
        for record in records:
            if record.is_risk and not include_risk:
                continue
            questionnaires[record.instrument_code] = max(
                questionnaires.get(record.instrument_code, 0), len(record.answers)
            )
            response_id = record.administration_id
            subject = _ref("Patient", record.partner_id)
            response: dict[str, Any] = {
                "resourceType": "QuestionnaireResponse",
                "id": response_id,
                "identifier": {"system": ADMINISTRATION_SYSTEM, "value": response_id},
                "questionnaire": questionnaire_url(record.instrument_code),
                "status": "completed",
                "subject": subject,
                "authored": _iso(record.administered_at),
                "item": [
                    {"linkId": str(number), "answer": [{"valueInteger": value}]}
                    if value is not None
                    else {"linkId": str(number)}
                    for number, value in sorted(record.answers.items())
                ],
            }
            if record.language:
                # Resource.language: the language the partner answered in (BCP 47 code).
                response["language"] = record.language
            entries.append(response)
            total_loinc = VERIFIED_LOINC.get(record.instrument_code, (None, ""))[1]
            for scale, value in sorted(record.scores.items()):
                if value is None:
                    continue
                coding = [
                    {"system": REBOND_SCORE_SYSTEM, "code": f"{record.instrument_code}/{scale}"}
                ]
                if total_loinc and scale == "total":
                    coding.insert(0, {"system": LOINC, "code": total_loinc})
                entries.append(
                    {
                        "resourceType": "Observation",
                        "id": fhir_id(response_id, scale.lower()),
                        "status": "final",
                        "code": {"coding": coding, "text": f"{record.instrument_code} {scale}"},
                        "subject": subject,
                        "effectiveDateTime": _iso(record.administered_at),
                        "valueQuantity": {"value": value, "unit": "score"},
                        "derivedFrom": [_ref("QuestionnaireResponse", response_id)],
                    }
                )
    for code, count in sorted(questionnaires.items()):
        entries.insert(0, _questionnaire(code, count))
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"fullUrl": _full_url(e), "resource": e} for e in entries],
        }
    )


def _full_url(resource: dict[str, Any]) -> str:
    return f"urn:rebond:{resource['resourceType']}:{resource['id']}"


def records_from_bundle(text: str) -> list[ScoredRecord]:
    """Parse a bundle with the fhir.resources models and return its answered check-ins."""
    bundle = Bundle.model_validate_json(text)
    roles: dict[str, str] = {}
    responses = []
    for entry in bundle.entry or []:
        resource: Any = entry.resource  # typed as the base Resource; checked by its type name
        if resource is None:
            continue
        kind = resource.get_resource_type()
        if kind == "Patient":
            for identifier in resource.identifier or []:
                if identifier.system == ROLE_SYSTEM:
                    roles[f"Patient/{resource.id}"] = identifier.value
        elif kind == "QuestionnaireResponse":
            responses.append(resource)
    records = []
    response: Any
    for response in responses:
        answers: dict[int, int | None] = {}
        for item in response.item or []:
            values = [a.valueInteger for a in (item.answer or [])]
            answers[int(item.linkId)] = values[0] if values else None
        records.append(
            ScoredRecord(
                partner_role=roles[response.subject.reference],
                instrument_code=str(response.questionnaire).removeprefix(CANONICAL_BASE),
                administered_at=response.authored,
                occasion="",
                answers=answers,
                administration_id=str(response.id),
            )
        )
    return records
