"""Synthetic couples with scored check-ins, for tests, the benchmark and the demo.

Synthetic only: no real person's data. Answers are generated item by item and scored by
`psychometrics` exactly as a partner's submission is, then written with bulk_create (the
benchmark's clinic has about 320,000 submissions). Each partner either improves at a steady
synthetic rate or stays flat, plus noise (a shape made for tests, not an expected course), so
on an instrument with a published reliable-change figure each couple's signal is known in
advance: both improving, one partner without reliable improvement, or both.
"""

from __future__ import annotations

import enum
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.timezone import now

from psychometrics import Instrument
from rebond.accounts.models import User
from rebond.assessments import scoring
from rebond.assessments.models import Administration, Submission
from rebond.couples.models import Couple, Partner
from rebond.measurement.tracking import refresh_tracks

DEFAULT_INSTRUMENTS = ("CSI-4", "GAD-7", "WHO-5", "PHQ-9")


class Scenario(enum.StrEnum):
    IMPROVING = "improving"
    ONE_FLAT = "one_flat"  # partner B stays flat
    BOTH_FLAT = "both_flat"


def values_for_total(inst: Instrument, fraction: float) -> dict[int, int]:
    """Return item values whose sum is about `fraction` of the maximum, spread evenly."""
    values = {}
    for item in inst.items:
        choices = sorted(item.values)
        index = round(max(0.0, min(1.0, fraction)) * (len(choices) - 1))
        values[item.number] = choices[index]
    return values


@dataclass(frozen=True)
class Trajectory:
    """Where a partner starts and how far along the way to health they move per session."""

    start: float  # 0 = worst possible, 1 = best possible
    gain_per_session: float


def submitted_checkin(
    partner: Partner,
    inst: Instrument,
    values: dict[int, int],
    *,
    at: datetime,
    clinician: User,
    occasion: str,
    schedule_group: uuid.UUID | None = None,
) -> tuple[Administration, Submission]:
    """A partner's check-in on `inst`, answered with `values` and scored, not yet saved.

    Synthetic data only (demo, trials, tests): callers save the pairs, often in bulk.
    """
    payload = scoring.result_payload(scoring.score(inst, values))
    administration = Administration(
        couple_id=partner.couple_id,
        partner=partner,
        instrument_code=inst.code,
        is_risk=scoring.is_risk_instrument(inst),
        schedule_group=schedule_group or uuid.uuid4(),
        occasion=occasion,
        status=Administration.Status.SUBMITTED,
        due_at=at,
        created_at=at,
        created_by=clinician,
        submitted_at=at,
    )
    submission = Submission(
        administration=administration,
        submission_key=administration.submission_key,
        answers={str(k): v for k, v in values.items()},
        scores=payload["scores"],
        total=payload["total"],
        band=payload["band"] or "",
        flags=payload["flags"],
        complete=payload["complete"],
        missing=payload["missing"],
        submitted_at=at,
    )
    return administration, submission


def trajectory_for(
    scenario: Scenario, role: str, start: float, rate: float, rng: random.Random
) -> Trajectory:
    """Return a partner's trajectory: improving rises with the couple; flat stays flat."""
    flat = scenario == Scenario.BOTH_FLAT or (scenario == Scenario.ONE_FLAT and role == "B")
    return Trajectory(start + rng.uniform(-0.01, 0.01), 0.0 if flat else rate)


def _health_to_fraction(inst: Instrument, health: float) -> float:
    scale = inst.scale(inst.primary or inst.scales[0].code)
    return health if scale.higher_is_better else 1 - health


@transaction.atomic
def build_couples(
    clinician: User,
    count: int,
    *,
    sessions: int = 20,
    instruments: Sequence[str] = DEFAULT_INSTRUMENTS,
    scenarios: Sequence[Scenario] = (Scenario.IMPROVING,),
    seed: int = 7,
    label: str = "Synthetic couple",
    start: datetime | None = None,
) -> list[Couple]:
    """Create `count` active couples with `sessions` scored check-ins per instrument each."""
    if clinician.clinic_id is None:
        raise ValueError("The clinician must belong to a clinic.")
    rng = random.Random(seed)  # noqa: S311 - synthetic scores, not security
    began = start or now() - timedelta(weeks=sessions + 1)
    couples = Couple.objects.bulk_create(
        Couple(
            clinic_id=clinician.clinic_id,
            label=f"{label} {n + 1:04d}",
            status=Couple.Status.CONJOINT_ACTIVE,
            primary_clinician=clinician,
            # A minute apart, in label order: the caseload breaks ties on the opening date.
            opened_at=began + timedelta(minutes=n),
        )
        for n in range(count)
    )
    partners = Partner.objects.bulk_create(
        Partner(couple=c, role=role, display_name=f"{role_name} {n + 1:04d}")
        for n, c in enumerate(couples)
        for role, role_name in (("A", "Partner A"), ("B", "Partner B"))
    )
    loaded = [scoring.instrument(code) for code in instruments]
    administrations: list[Administration] = []
    submissions: list[Submission] = []
    for n in range(len(couples)):
        scenario = scenarios[n % len(scenarios)]
        pair = partners[2 * n : 2 * n + 2]
        health, rate = rng.uniform(0.2, 0.3), rng.uniform(0.03, 0.04)
        paths = {p.role: trajectory_for(scenario, p.role, health, rate, rng) for p in pair}
        for inst in loaded:
            for session in range(sessions):
                group = uuid.uuid4()
                at = began + timedelta(weeks=session, hours=rng.randint(0, 8))
                for partner in pair:
                    path = paths[partner.role]
                    health = path.start + path.gain_per_session * session + rng.gauss(0, 0.01)
                    values = values_for_total(inst, _health_to_fraction(inst, health))
                    administration, submission = submitted_checkin(
                        partner,
                        inst,
                        values,
                        at=at,
                        clinician=clinician,
                        occasion="Intake" if session == 0 else f"Session {session}",
                        schedule_group=group,
                    )
                    administrations.append(administration)
                    submissions.append(submission)
    Administration.objects.bulk_create(administrations, batch_size=2000)
    Submission.objects.bulk_create(submissions, batch_size=2000)
    refresh_tracks([c.id for c in couples])
    return couples
