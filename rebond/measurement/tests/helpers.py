"""Builders for the measurement tests: outcome scores submitted the real way."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from psychometrics import get_instrument
from rebond import cli
from rebond.accounts.models import Clinic, User
from rebond.assessments import actions as assessments
from rebond.assessments.models import Submission
from rebond.couples.models import Couple, Partner
from rebond.measurement.models import MeasurementSettings


def clinic_of(user: User) -> Clinic:
    """Return the clinician's clinic (the personas always have one)."""
    if user.clinic is None:
        raise ValueError("This persona has no clinic.")
    return user.clinic


# CSI-4 item maxima (Funk & Rogge 2007; psychometrics/instruments/csi4.py): 6, 5, 5, 5.
CSI4_MAXIMA = (6, 5, 5, 5)


def csi4_answers(total: int) -> dict[int, int]:
    """Return CSI-4 answers (item number -> scored value) that add up to `total` (0-21)."""
    if not 0 <= total <= sum(CSI4_MAXIMA):
        raise ValueError(f"CSI-4 totals run from 0 to 21, not {total}")
    answers, left = {}, total
    for number, maximum in enumerate(CSI4_MAXIMA, start=1):
        answers[number] = min(maximum, left)
        left -= answers[number]
    return answers


def submit(
    clinician: User, couple: Couple, partner: Partner, code: str, answers: dict[int, int]
) -> Submission:
    """Schedule `code` for that partner only and submit their answers, as they would."""
    administration = assessments.schedule_instrument(
        clinician, couple.id, code, partner_ids=[partner.id]
    )[0]
    return assessments.submit_administration(
        partner, administration.id, administration.submission_key, answers
    ).submission


def submit_csi4_series(
    clinician: User, couple: Couple, a_totals: list[int], b_totals: list[int]
) -> None:
    """Submit both partners' CSI-4 totals, one session at a time (intake first)."""
    a, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    for a_total, b_total in zip(a_totals, b_totals, strict=True):
        submit(clinician, couple, a, "CSI-4", csi4_answers(a_total))
        submit(clinician, couple, b, "CSI-4", csi4_answers(b_total))


def gad7_answers(total: int) -> dict[int, int]:
    """Return GAD-7 answers (7 items, 0-3 each) that add up to `total` (0-21)."""
    if not 0 <= total <= 21:
        raise ValueError(f"GAD-7 totals run from 0 to 21, not {total}")
    return {number: min(3, max(0, total - 3 * (number - 1))) for number in range(1, 8)}


# RDAS item maxima (psychometrics/instruments/rdas.py): consensus 1-6 and satisfaction 7-10
# 0-5, cohesion 11 0-4 and 12-14 0-5; total 0-69.
RDAS_MAXIMA = (5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 5, 5, 5)


def rdas_answers(total: int) -> dict[int, int]:
    """Return RDAS answers (item number -> scored value) that add up to `total` (0-69)."""
    if not 0 <= total <= sum(RDAS_MAXIMA):
        raise ValueError(f"RDAS totals run from 0 to 69, not {total}")
    answers, left = {}, total
    for number, maximum in enumerate(RDAS_MAXIMA, start=1):
        answers[number] = min(maximum, left)
        left -= answers[number]
    return answers


def submit_series(
    clinician: User,
    couple: Couple,
    code: str,
    answers: Callable[[int], dict[int, int]],
    a_totals: list[int],
    b_totals: list[int],
) -> None:
    """Submit both partners' totals on one instrument, one session at a time (intake first)."""
    a, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    for a_total, b_total in zip(a_totals, b_totals, strict=True):
        submit(clinician, couple, a, code, answers(a_total))
        submit(clinician, couple, b, code, answers(b_total))


def use_outcome(user: User, code: str, **values: object) -> MeasurementSettings:
    """Make `code` the outcome questionnaire of the user's clinic (other settings in `values`)."""
    settings, _ = MeasurementSettings.objects.update_or_create(
        clinic=clinic_of(user), defaults={"outcome_instrument": code, **values}
    )
    return settings


def offer_rdas(admin: User, directory: Path) -> None:
    """Load synthetic RDAS wording (the clinic's licensed copy, in real life) and offer it.

    The RDAS is scoring-only (its wording never ships) and its item key is unverified, so a
    clinic admin must load wording and choose to offer it (Check-in settings) before it can be
    scheduled or chosen as the outcome questionnaire.
    """
    inst = get_instrument("RDAS", include_unavailable=True)
    wording = {
        "instrument": inst.code,
        "licence": "Synthetic test wording, not the published form",
        "items": [
            {
                "number": item.number,
                "text": f"Synthetic RDAS question {item.number}",
                "options": list(item.labels),
            }
            for item in inst.items
        ],
    }
    source = directory / "rdas.json"
    source.write_text(json.dumps(wording), encoding="utf-8")
    assert cli.main(["instruments", "load-wording", str(source)]) == 0
    assessments.approve_instrument(admin, "RDAS")
