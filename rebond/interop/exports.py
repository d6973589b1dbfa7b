"""Export actions: each checks access through rebond/access/ and is audited.

Audit entries name what was exported (`interop.export.<kind>`) and of which case, never
the values.
"""

from __future__ import annotations

import json
import uuid

from django.db import transaction

from rebond import access, audit
from rebond.accounts.models import User
from rebond.interop import fhir, person, research
from rebond.interop.records import submitted


def _log(
    user: User, kind: str, object_type: str, object_id: str, *, fields: tuple[str, ...] = ()
) -> None:
    with transaction.atomic():
        audit.log(
            actor=user,
            action=f"interop.export.{kind}",
            object_type=object_type,
            object_id=object_id,
            clinic_id=user.clinic_id,
            fields=fields,
        )


def fhir_for_couple(user: User, couple_id: uuid.UUID | str, *, include_risk: bool) -> str:
    """Return one couple's FHIR bundle (JSON) for a clinician on the case."""
    couple = access.get_couple_for_clinician(user, couple_id)
    records = submitted(access.administrations_for_clinician(user).filter(couple=couple))
    bundle = fhir.bundle_for_couples([(couple, records)], include_risk=include_risk)
    _log(user, "fhir", "couple", str(couple.id), fields=("risk",) if include_risk else ())
    return bundle.model_dump_json(exclude_none=True)


def fhir_for_caseload(user: User, *, include_risk: bool) -> str:
    """Return a FHIR bundle of every couple the clinician works on."""
    pairs = [
        (couple, submitted(access.administrations_for_clinician(user).filter(couple=couple)))
        # Labels are encrypted at rest: ordered here, not in SQL.
        for couple in sorted(access.couples_for_clinician(user), key=lambda c: c.label.casefold())
    ]
    bundle = fhir.bundle_for_couples(pairs, include_risk=include_risk)
    _log(user, "fhir", "caseload", "", fields=("risk",) if include_risk else ())
    return bundle.model_dump_json(exclude_none=True)


def research_csv(user: User) -> str:
    """Return the de-identified long-format CSV of every couple the clinician works on."""
    rows: list[list[object]] = []
    for couple in access.couples_for_clinician(user).select_related("clinic").order_by("id"):
        records = submitted(access.administrations_for_clinician(user).filter(couple=couple))
        rows.extend(research.rows_for(couple, records))
    _log(user, "research", "caseload", "")
    return research.to_csv(rows)


def person_export(user: User, partner_id: uuid.UUID | str) -> str:
    """Return one partner's own data (GDPR articles 15 and 20) as JSON."""
    partner = access.get_partner_for_clinician(user, partner_id)
    _log(user, "person", "partner", str(partner.id))
    return json.dumps(person.export_for(partner), indent=2, ensure_ascii=False)
