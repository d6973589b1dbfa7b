"""Builders for the measurement tests: outcome scores submitted the real way."""

from __future__ import annotations

from rebond.accounts.models import Clinic, User
from rebond.assessments import actions as assessments
from rebond.assessments.models import Submission
from rebond.couples.models import Couple, Partner


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
