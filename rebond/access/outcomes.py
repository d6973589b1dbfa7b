"""Outcome benchmarks (rebond/outcomes): who may see a clinic's, and which rows feed them.

| who                                          | benchmark page and PDF |
|----------------------------------------------|------------------------|
| clinic admin of the clinic                   | yes                    |
| supervisor of the clinic                     | yes                    |
| another clinician of the clinic (therapist)  | 404                    |
| anyone of another clinic, a partner, nobody  | 404 (or the login page)|

Why these two roles: the page is for running the service (the admin; in a solo practice the
therapist is usually the admin too) and for overseeing its clinical quality (the supervisor).
It shows only group figures of five cases or more, never a name or a case; a therapist's own
outcomes are on their cases' progress pages.

Which rows: a partner's scores count only when
1. their case has ended (closed, dropped out, referred out, in follow-up or archived: DOMAIN
   7.2; a dropout's last score is their outcome, RECOVERY-RESEARCH.md 4.6);
2. the partner has an active consent to service evaluation (`ConsentDocument.Kind.
   SERVICE_EVALUATION`; withdrawn consent, or none, leaves all of their scores out);
3. the instrument is not a risk instrument (DOMAIN header: never in a couple-level view);
4. the submission is complete.
Roles come from the case's injuries that are not voided and are not safety threats (a safety
threat is a safety concern first, DOMAIN 0; its record is safety-restricted).
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from rebond.access.base import clinic_id_of
from rebond.access.expected_recovery import TREATMENT_ENDED
from rebond.accounts.models import Clinic, User
from rebond.assessments.models import Submission
from rebond.couples.models import ConsentDocument, ConsentRecord, Couple, Injury


def get_benchmark_clinic(user: User) -> Clinic:
    """Return the clinic whose benchmarks the user may see (its admins and supervisors), or
    raise Http404 for anyone else, as for a page that does not exist."""
    if clinic_id_of(user) is None or user.clinic is None:
        raise Http404("Not found.")
    if user.is_clinic_admin:
        return user.clinic
    if user.is_supervisor:
        return user.clinic
    raise Http404("Not found.")


def _consenting(clinic_id: uuid.UUID) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(
        partner__couple__clinic_id=clinic_id,
        partner__couple__status__in=TREATMENT_ENDED,
        document__kind=ConsentDocument.Kind.SERVICE_EVALUATION,
        withdrawn_at=None,
    )


def benchmark_submissions(clinic_id: uuid.UUID) -> QuerySet[Submission]:
    """Return the complete, non-risk submissions of consenting partners of the clinic's ended
    cases, oldest first, with their administration (its partner, couple and instrument)."""
    partners = _consenting(clinic_id).values("partner_id")
    return (
        Submission.objects.filter(
            administration__couple__clinic_id=clinic_id,
            administration__couple__status__in=TREATMENT_ENDED,
            administration__partner_id__in=partners,
            administration__is_risk=False,
            complete=True,
        )
        .select_related("administration")
        .order_by("submitted_at", "id")
    )


def benchmark_injuries(clinic_id: uuid.UUID) -> QuerySet[Injury]:
    """Return the injuries that say who was hurt on the clinic's ended cases: not voided, not
    safety threats."""
    return (
        Injury.objects.filter(
            couple__clinic_id=clinic_id, couple__status__in=TREATMENT_ENDED, voided_at=None
        )
        .exclude(category=Injury.Category.SAFETY_THREAT)
        .only("couple_id", "hurt_partner_id", "hurtful_partner_id")
    )


def benchmark_case_dates(clinic_id: uuid.UUID) -> QuerySet[Couple]:
    """Return the clinic's ended cases with only their id and last update (no label): the
    end of a case that recorded no move (treatment_endings)."""
    return Couple.objects.filter(clinic_id=clinic_id, status__in=TREATMENT_ENDED).only(
        "id", "updated_at"
    )
