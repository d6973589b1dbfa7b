"""Export actions: each checks access through rebond/access/ and is audited.

Audit entries name what was exported (`interop.export.<kind>`) and of which case, never
the values.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from django.db import transaction

from rebond import access, audit
from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.interop import fhir, person, research
from rebond.interop.records import submitted

# Called with (couples done, couples in all) as a long export goes.
Progress = Callable[[int, int], None]


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


def caseload_of(user: User) -> list[Couple]:
    """Return the couples the clinician works on, in label order (labels are encrypted at
    rest: ordered here, not in SQL)."""
    return sorted(
        access.couples_for_clinician(user).select_related("clinic"),
        key=lambda c: c.label.casefold(),
    )


def build_fhir_for_caseload(
    user: User, couples: list[Couple], *, include_risk: bool, progress: Progress | None = None
) -> str:
    """Return a FHIR bundle of these couples' records (a clinician's caseload), unaudited:
    the caller logs the export when the file leaves (`log_caseload_export`)."""
    pairs = []
    for done, couple in enumerate(couples, start=1):
        pairs.append(
            (couple, submitted(access.administrations_for_clinician(user).filter(couple=couple)))
        )
        if progress is not None:
            progress(done, len(couples))
    bundle = fhir.bundle_for_couples(pairs, include_risk=include_risk)
    return bundle.model_dump_json(exclude_none=True)


def build_research_csv(user: User, couples: list[Couple], progress: Progress | None = None) -> str:
    """Return the de-identified long-format CSV of these couples, unaudited (see above).

    Rows go in the order of the couples' ids, whatever order `couples` comes in."""
    rows: list[list[object]] = []
    ordered = sorted(couples, key=lambda c: str(c.id))
    for done, couple in enumerate(ordered, start=1):
        records = submitted(access.administrations_for_clinician(user).filter(couple=couple))
        rows.extend(research.rows_for(couple, records))
        if progress is not None:
            progress(done, len(ordered))
    return research.to_csv(rows)


def log_caseload_export(user: User, kind: str, *, include_risk: bool = False) -> None:
    """Audit a caseload export as it leaves: what was exported, never its content."""
    _log(user, kind, "caseload", "", fields=("risk",) if include_risk else ())


def fhir_for_caseload(user: User, *, include_risk: bool) -> str:
    """Return a FHIR bundle of every couple the clinician works on."""
    body = build_fhir_for_caseload(user, caseload_of(user), include_risk=include_risk)
    log_caseload_export(user, "fhir", include_risk=include_risk)
    return body


def research_csv(user: User) -> str:
    """Return the de-identified long-format CSV of every couple the clinician works on."""
    body = build_research_csv(user, caseload_of(user))
    log_caseload_export(user, "research")
    return body


def person_export(user: User, partner_id: uuid.UUID | str) -> str:
    """Return one partner's own data (GDPR articles 15 and 20) as JSON."""
    partner = access.get_partner_for_clinician(user, partner_id)
    _log(user, "person", "partner", str(partner.id))
    return json.dumps(person.export_for(partner), indent=2, ensure_ascii=False)
