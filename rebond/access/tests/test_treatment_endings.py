"""When treatment ended, for the clinic's fit and its benchmarks (access.treatment_endings)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils.timezone import now

from rebond import access
from rebond.accounts.models import Clinic, User
from rebond.couples.models import CaseTransition, Couple

pytestmark = pytest.mark.django_db
Status = Couple.Status


def case_with_moves(clinician: User, label: str, moves: list[tuple[str, datetime]]) -> Couple:
    assert clinician.clinic is not None
    couple = Couple.objects.create(
        clinic=clinician.clinic,
        label=label,
        primary_clinician=clinician,
        status=moves[-1][0] if moves else Status.CLOSED,
    )
    previous = ""
    for status, at in moves:
        CaseTransition.objects.create(couple=couple, from_status=previous, to_status=status, at=at)
        previous = status
    return couple


def test_a_case_reopened_and_closed_again_ended_the_second_time(
    alice: User, charlie: User, clinic_a: Clinic
) -> None:
    day = now() - timedelta(days=400)
    week = timedelta(days=7)
    reopened = case_with_moves(
        alice,
        "Reopened",
        [
            (Status.CONJOINT_ACTIVE, day),
            (Status.CLOSED, day + week),
            (Status.CONJOINT_ACTIVE, day + 10 * week),  # reopened: therapy again
            (Status.CLOSED, day + 20 * week),
            (Status.FOLLOW_UP, day + 21 * week),
        ],
    )
    through_follow_up = case_with_moves(
        alice,
        "Ended, followed up, archived",
        [
            (Status.CONJOINT_ACTIVE, day),
            (Status.DROPPED_OUT, day + 2 * week),
            (Status.FOLLOW_UP, day + 3 * week),
            (Status.ARCHIVED, day + 30 * week),
        ],
    )
    case_with_moves(alice, "Closed with no recorded move", [])
    case_with_moves(
        alice,
        "Ended, then reopened: in therapy",
        [(Status.CLOSED, day), (Status.CONJOINT_ACTIVE, day + week)],
    )
    case_with_moves(charlie, "Another clinic's", [(Status.CLOSED, day)])

    assert access.treatment_endings(clinic_a.id) == {
        reopened.id: day + 20 * week,
        through_follow_up.id: day + 2 * week,
    }
