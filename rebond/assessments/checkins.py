"""What a partner is offered to answer, and what a clinician may schedule.

An instrument is offered only when every item has its wording (`Item.text`): a scoring-only
instrument is offered once a clinic has loaded its licensed wording (`scoring.catalogue`);
without it the instrument cannot be shown to anyone, so it is never offered.
"""

from __future__ import annotations

import uuid

import psychometrics
from psychometrics import Instrument
from rebond import access
from rebond.assessments import scoring
from rebond.assessments.models import Administration, InstrumentApproval
from rebond.couples.models import Partner


def has_wording(inst: Instrument) -> bool:
    """Return whether every item of the instrument has wording to show."""
    return all(item.text for item in inst.items)


def approvable_instruments() -> list[Instrument]:
    """Return the instruments a clinic may choose to offer outside the default catalogue.

    Those kept out only because part of their key is unverified, and that have their wording;
    a scoring-only instrument without wording can never be offered.
    """
    return [inst for inst in scoring.catalogue() if not inst.is_available and has_wording(inst)]


def approved_codes(clinic_id: uuid.UUID | None) -> set[str]:
    """Return the codes of the instruments the clinic chose to offer outside the catalogue."""
    if clinic_id is None:
        return set()
    return set(
        InstrumentApproval.objects.filter(clinic_id=clinic_id).values_list(
            "instrument_code", flat=True
        )
    )


def schedulable_instruments(clinic_id: uuid.UUID | None = None) -> list[Instrument]:
    """Return the instruments a partner can be shown, in registry order.

    The default catalogue's, plus (with `clinic_id`) those the clinic approved (above).
    """
    approved = approved_codes(clinic_id)
    return [
        inst
        for inst in scoring.catalogue()
        if has_wording(inst) and (inst.is_available or inst.code in approved)
    ]


def is_offered(administration: Administration) -> bool:
    """Return whether the administration's instrument can be shown to its partner."""
    try:
        return has_wording(scoring.instrument(administration.instrument_code))
    except psychometrics.ScoringError:
        return False


def open_checkins(partner: Partner) -> list[Administration]:
    """Return the partner's own open administrations they can answer, in the order due.

    Only the partner's own rows are read (access gateway), so nothing here depends on the
    other partner (SECURITY.md AC-05).
    """
    rows = access.administrations_for_partner(partner).filter(
        status__in=Administration.OPEN_STATUSES
    )
    return [a for a in rows.order_by("due_at", "created_at", "id") if is_offered(a)]
