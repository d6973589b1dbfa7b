"""Expected recovery from a clinic's own closed cases: whose scores the fit reads, whose fits a
progress page draws, and who refits them.

| who                                   | expected-recovery page | refit | threshold |
|---------------------------------------|------------------------|-------|-----------|
| clinic admin                          | yes                    | yes   | yes       |
| supervisor of the clinic              | yes                    | yes   | 403 (1)   |
| another clinician of the clinic       | 403 (1)                | 403   | 403       |
| anyone of another clinic, or none     | 404                    | 404   | 404       |

(1) `SettingsRefused`: a 403 naming who can. The page shows counts and coefficients per
instrument, never a case, a name or a score.

The fit reads every complete, non-risk score of the clinic's closed cases (couple status
terminal: ended, referred out, dropped out, archived, or in follow-up after ending), as a
background job of the clinic: no clinician's view shows any of it, only the coefficients.
A progress page draws the fit of its case's clinic, reached through the case (cases.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from rebond.access.base import clinic_id_of
from rebond.access.clinic import SettingsRefused, get_admin_clinic
from rebond.accounts.models import Clinic, User
from rebond.assessments.models import Submission
from rebond.couples.models import CaseTransition, Couple
from rebond.measurement.models import ExpectedRecoveryFit, ExpectedRecoveryState

# Treatment has ended: the terminal statuses, and follow-up (reached only from closed).
TREATMENT_ENDED = frozenset({*Couple.INACTIVE_STATUSES, Couple.Status.FOLLOW_UP})


class ExpectedRecoveryRefused(SettingsRefused):
    """A clinician of the clinic who is neither a clinic admin nor a supervisor (403)."""

    def __init__(self, clinic: Clinic) -> None:
        super().__init__(clinic)
        self.title = _("Only clinic admins and supervisors can change these settings")

    def deciders(self) -> list[User]:
        """Return the clinic's active clinic admins and supervisors."""
        allowed = Q(is_clinic_admin=True) | Q(is_supervisor=True)
        return list(User.objects.filter(allowed, clinic_id=self.clinic.pk, is_active=True))


def get_expected_recovery_clinic(user: User) -> Clinic:
    """Return the clinic whose expected-recovery page the user may open and refit: its clinic
    admins and supervisors (403 naming them for another clinician; 404 without a clinic)."""
    if clinic_id_of(user) is None or user.clinic is None:
        return get_admin_clinic(user)  # raises Http404
    if user.is_clinic_admin:
        return user.clinic
    if user.is_supervisor:
        return user.clinic
    raise ExpectedRecoveryRefused(user.clinic)


def get_expected_recovery_threshold_clinic(user: User) -> Clinic:
    """Return the clinic whose threshold of closed cases the user may change (clinic admins)."""
    return get_admin_clinic(user)


def closed_cases_for_fit(clinic_id: uuid.UUID) -> QuerySet[Couple]:
    """Return the clinic's cases whose treatment has ended (TREATMENT_ENDED)."""
    return Couple.objects.filter(clinic_id=clinic_id, status__in=TREATMENT_ENDED)


def treatment_endings(clinic_id: uuid.UUID) -> dict[uuid.UUID, datetime]:
    """Return when treatment ended for each of the clinic's closed cases that recorded it.

    The end is the move that began the case's current run of TREATMENT_ENDED statuses: a case
    reopened and closed again ended the second time (its later sessions were treatment), and
    its later moves within the run (ended, then follow-up, then archived) do not move it. A
    case with no recorded move is left out: each caller says what it assumes then. One
    query, reading no reasons.
    """
    transitions = (
        CaseTransition.objects.filter(
            couple__clinic_id=clinic_id, couple__status__in=TREATMENT_ENDED
        )
        .order_by("at", "id")
        .values_list("couple_id", "to_status", "at")
    )
    endings: dict[uuid.UUID, datetime | None] = {}
    for couple_id, to_status, at in transitions:
        if to_status not in TREATMENT_ENDED:
            endings[couple_id] = None  # reopened: treatment goes on
        elif endings.get(couple_id) is None:
            endings[couple_id] = at
    return {couple_id: at for couple_id, at in endings.items() if at is not None}


def closed_case_scores(clinic_id: uuid.UUID) -> QuerySet[Submission]:
    """Return the complete, non-risk submissions of the clinic's closed cases, oldest first.

    Risk instruments never reach a couple-level view (DOMAIN header), so never a fit either.
    """
    return (
        Submission.objects.filter(
            administration__couple__in=closed_cases_for_fit(clinic_id),
            administration__is_risk=False,
            complete=True,
        )
        .order_by("submitted_at", "id")
        .select_related("administration")
        # Scores are encrypted at rest (rebond/crypto): read through the model, never in SQL.
        .only(
            "id",
            "submitted_at",
            "scores",
            "administration__couple_id",
            "administration__partner_id",
            "administration__instrument_code",
        )
    )


def expected_recovery_fits(clinic_id: uuid.UUID) -> QuerySet[ExpectedRecoveryFit]:
    """Return the clinic's fitted curves and counts, one row per instrument."""
    return ExpectedRecoveryFit.objects.filter(clinic_id=clinic_id).order_by("instrument_code")


def expected_recovery_state(clinic_id: uuid.UUID) -> QuerySet[ExpectedRecoveryState]:
    """Return the clinic's threshold and refit status (one row, or none before the first)."""
    return ExpectedRecoveryState.objects.filter(clinic_id=clinic_id)
