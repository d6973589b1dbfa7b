"""Synthetic closed cases whose CSI-4 scores follow a known curve, for the local-norm tests.

Synthetic only. Each partner's intake is drawn uniformly; each later check-in k scores
b0 + b1 * intake + b2 * ln(k) + noise, rounded to a whole CSI-4 total (0-21) and submitted as
answers scored by `psychometrics`, written with bulk_create (as rebond/measurement/synthetic.py).
No therapy session is recorded, so check-in k is session k, as on the progress page.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.assessments import scoring
from rebond.assessments.models import Administration, Submission
from rebond.couples.models import Couple, Partner
from rebond.measurement.synthetic import submitted_checkin
from rebond.measurement.tests.helpers import csi4_answers


@dataclass(frozen=True)
class Curve:
    b0: float = 3.0
    b1: float = 0.7
    b2: float = 2.5
    sd: float = 1.2


def total_for(curve: Curve, intake: float, session: int, rng: random.Random) -> int:
    """Return the CSI-4 total at `session` on the curve, with noise, as a whole score 0-21."""
    value = curve.b0 + curve.b1 * intake + curve.b2 * math.log(session) + rng.gauss(0, curve.sd)
    return max(0, min(21, round(value)))


def seed_closed_cases(
    clinician: User,
    count: int,
    *,
    curve: Curve | None = None,
    checkins: tuple[int, int] = (3, 9),
    seed: int = 5,
    status: str = Couple.Status.CLOSED,
) -> list[Couple]:
    """Create `count` cases in `status`, both partners with CSI-4 scores on `curve`.

    Each partner answers at intake and at between checkins[0] - 1 and checkins[1] - 1 later
    check-ins (intake included: checkins[0] to checkins[1] scores).
    """
    if clinician.clinic_id is None:
        raise ValueError("The clinician must belong to a clinic.")
    curve = curve or Curve()
    rng = random.Random(seed)  # noqa: S311 - synthetic scores, not security
    began = now() - timedelta(weeks=checkins[1] + 2)
    couples = Couple.objects.bulk_create(
        Couple(
            clinic_id=clinician.clinic_id,
            label=f"Closed synthetic {n + 1:04d}",
            status=status,
            primary_clinician=clinician,
            opened_at=began,
        )
        for n in range(count)
    )
    partners = Partner.objects.bulk_create(
        Partner(couple=c, role=role, display_name=f"Partner {role} {n + 1:04d}")
        for n, c in enumerate(couples)
        for role in ("A", "B")
    )
    instrument = scoring.instrument("CSI-4")
    administrations, submissions = [], []
    for partner in partners:
        intake = rng.randint(3, 12)
        totals = [intake] + [
            total_for(curve, intake, k, rng) for k in range(1, rng.randint(*checkins))
        ]
        for k, total in enumerate(totals):
            at = began + timedelta(weeks=k, hours=rng.randint(0, 8))
            values = csi4_answers(total)
            administration, submission = submitted_checkin(
                partner,
                instrument,
                values,
                at=at,
                clinician=clinician,
                occasion="Intake" if k == 0 else f"Session {k}",
            )
            administrations.append(administration)
            submissions.append(submission)
    Administration.objects.bulk_create(administrations, batch_size=2000)
    Submission.objects.bulk_create(submissions, batch_size=2000)
    return couples
