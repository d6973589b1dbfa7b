"""Synthetic closed cases with chosen scores, for the benchmark tests and a dev database.

Synthetic only: no real person's data. Each case is opened, moved along the lifecycle to the
status it ends in (`couples.lifecycle.move_case`, the one way a case moves; the moves are then
dated back to when the case ended, as synthetic history), given its partners' scores (each
total turned into item answers and scored by `psychometrics`, exactly as a submission is), and
its injury (who was hurt) and consents the way a clinician records them
(rebond/couples/actions.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.db import transaction

from psychometrics import Instrument
from rebond.accounts.models import User
from rebond.assessments import scoring
from rebond.assessments.models import Submission
from rebond.couples import actions
from rebond.couples.lifecycle import lock_case, move_case
from rebond.couples.models import CaseTransition, ConsentDocument, Couple, Injury, Partner
from rebond.measurement.synthetic import submitted_checkin

WEEK = timedelta(weeks=1)
S = Couple.Status
# The moves from conjoint therapy to each status a case may end in (couples/lifecycle.py).
PATHS: dict[str, tuple[str, ...]] = {
    S.CONJOINT_ACTIVE: (),
    S.CLOSED: (S.TERMINATION_PLANNED, S.CLOSED),
    S.FOLLOW_UP: (S.TERMINATION_PLANNED, S.CLOSED, S.FOLLOW_UP),
    S.ARCHIVED: (S.TERMINATION_PLANNED, S.CLOSED, S.ARCHIVED),
    S.DROPPED_OUT: (S.DROPPED_OUT,),
    S.REFERRED_OUT: (S.INDIVIDUAL_ONLY, S.REFERRED_OUT),
}


def answers_for_total(inst: Instrument, total: int) -> dict[int, int]:
    """Return item answers (scored values) adding up to `total`, filling items in order."""
    answers = {}
    left = total
    for item in inst.items:
        value = max((v for v in item.values if v <= left), default=min(item.values))
        answers[item.number] = value
        left -= value
    if left != 0:
        raise ValueError(f"{inst.code} cannot total {total}")
    return answers


def add_scores(
    clinician: User,
    partner: Partner,
    code: str,
    totals: Sequence[int],
    first_at: datetime,
    *,
    every: timedelta = WEEK,
) -> list[Submission]:
    """Give the partner one submitted check-in of `code` per total, `every` apart."""
    inst = scoring.instrument(code)
    made = []
    for n, total in enumerate(totals):
        at = first_at + n * every
        answers = answers_for_total(inst, total)
        administration, submission = submitted_checkin(
            partner,
            inst,
            answers,
            at=at,
            clinician=clinician,
            occasion="Intake" if n == 0 else f"Session {n}",
        )
        administration.save()
        submission.save()
        made.append(submission)
    return made


@transaction.atomic
def closed_case(
    clinician: User,
    label: str,
    *,
    ended_at: datetime,
    scores: Mapping[str, Mapping[str, Sequence[int]]],
    consenting: Sequence[str] = ("A", "B"),
    hurt: str | None = "A",
    status: str = Couple.Status.CLOSED,
    names: tuple[str, str] = ("Partner A", "Partner B"),
) -> Couple:
    """Return a case that ended at `ended_at`, its partners' scores weekly up to then.

    `scores` maps a role ("A", "B") to {instrument code: totals, first to last}. `consenting`
    names the partners who agreed to service evaluation; `hurt` the hurt partner of its one
    injury (the other is the hurtful partner), or None for no injury.
    """
    if clinician.clinic is None:
        raise ValueError("The clinician must belong to a clinic.")
    couple = Couple.objects.create(
        clinic=clinician.clinic,
        label=label,
        status=Couple.Status.CONJOINT_ACTIVE,
        primary_clinician=clinician,
        opened_at=ended_at - 30 * WEEK,
    )
    partners = {
        role: Partner.objects.create(couple=couple, role=role, display_name=name)
        for role, name in zip(("A", "B"), names, strict=True)
    }
    locked = lock_case(couple.id)
    for step, to_status in enumerate(PATHS[status]):
        moved = move_case(locked, to_status, by=clinician, reason="Synthetic case")
        # Synthetic history: the last move on the day the case ended, the others a week apart.
        at = ended_at - (len(PATHS[status]) - 1 - step) * WEEK
        CaseTransition.objects.filter(pk=moved.pk).update(at=at)
    for role, by_code in scores.items():
        for code, totals in by_code.items():
            first_at = ended_at - len(totals) * WEEK
            add_scores(clinician, partners[role], code, totals, first_at)
    documents = actions.current_documents()
    for role in consenting:
        actions.record_consent(
            clinician, partners[role].id, documents[ConsentDocument.Kind.SERVICE_EVALUATION].id
        )
    if hurt is not None:
        other = "B" if hurt == "A" else "A"
        actions.record_injury(
            clinician,
            couple.id,
            actions.InjuryDraft(
                category=Injury.Category.BROKEN_TRUST,
                subtype=Injury.Subtype.HIDDEN_HABIT,
                hurt_partner_id=partners[hurt].id,
                hurtful_partner_id=partners[other].id,
                disclosure_state=Injury.Disclosure.KNOWN_TO_BOTH,
            ),
        )
    couple.refresh_from_db()
    return couple
