"""What a partner is offered to answer, and what a clinician may schedule.

An instrument is offered only when every item has its wording (`Item.text`): a scoring-only
instrument is offered once a clinic has loaded its licensed wording (`scoring.catalogue`);
without it the instrument cannot be shown to anyone, so it is never offered.

Each check-in is given in its partner's language (`language_of`), recorded on the
administration; it is offered only while the instrument has wording in that language
(`scoring.instrument_in`).
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

import psychometrics
from psychometrics import Instrument
from psychometrics.model import ORIGINAL_LANGUAGE
from rebond import access
from rebond.accounts.models import Clinic
from rebond.assessments import scoring
from rebond.assessments.models import Administration, InstrumentApproval
from rebond.couples.models import Partner
from rebond.lib.language import first_supported, name_of


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


def language_of(partner: Partner, clinic: Clinic) -> str:
    """Return the language a partner is given questionnaires in: theirs, else the clinic's."""
    return first_supported(partner.language, clinic.default_language)


def no_wording_message(instrument_code: str, language: str) -> str:
    """Return why an instrument cannot be scheduled in a language, and what would allow it."""
    names = {"instrument": instrument_code, "language": name_of(language), "code": language}
    if language == ORIGINAL_LANGUAGE:
        return (
            _(
                "%(instrument)s has no wording in %(language)s: load its licensed wording with "
                "`rebond instruments load-wording FILE`, or choose another instrument."
            )
            % names
        )
    return (
        _(
            "%(instrument)s has no wording in %(language)s: load a licensed translation with "
            "`rebond instruments load-wording --language %(code)s`, or choose another instrument."
        )
        % names
    )


def set_without_wording_message(occasion_label: str, codes: list[str], language: str) -> str:
    """Return why a whole set cannot be given in a language, naming every instrument it lacks.

    A set is scheduled whole or not at all: leaving out the questionnaires with no wording
    would silently drop, say, a suicide-risk screen for the partner who reads that language.
    """
    names = {
        "set": occasion_label,
        "instruments": ", ".join(codes),
        "language": name_of(language),
        "code": language,
    }
    return (
        _(
            "The %(set)s set was not scheduled: %(instruments)s have no wording in "
            "%(language)s. Load a licensed translation with `rebond instruments load-wording "
            "--language %(code)s`, or change this case's schedule."
        )
        % names
    )


def worded(administration: Administration) -> Instrument | None:
    """Return the administration's instrument worded in its language, or None if it cannot be."""
    try:
        return scoring.instrument_in(administration.instrument_code, administration.language)
    except psychometrics.ScoringError:
        return None


def is_offered(administration: Administration) -> bool:
    """Return whether the administration's instrument can be shown to its partner."""
    return worded(administration) is not None


def open_checkins(partner: Partner) -> list[Administration]:
    """Return the partner's own open administrations they can answer, in the order due.

    Only the partner's own rows are read (access gateway), so nothing here depends on the
    other partner (SECURITY.md AC-05).
    """
    rows = access.administrations_for_partner(partner).filter(
        status__in=Administration.OPEN_STATUSES
    )
    return [a for a in rows.order_by("due_at", "created_at", "id") if is_offered(a)]
