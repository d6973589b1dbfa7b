"""Retention and erasure: which closed cases a clinic's retention policy reaches, and who may
ask for and approve the erasure of one partner's data.

| who                                   | erasure page | request | approve | cancel |
|---------------------------------------|--------------|---------|---------|--------|
| clinic admin of the case's clinic     | yes          | yes     | yes (1) | yes    |
| a clinician on the case (its team)    | yes          | no      | yes (1) | yes    |
| another clinician of the clinic       | 404          | 404     | 404     | 404    |
| anyone of another clinic              | 404          | 404     | 404     | 404    |

(1) never the person who asked: a second person approves (four eyes).

A clinic admin reaches the page without clinical access: it shows the case's reference and
the partner's role (A or B), never a name or anything the partner said.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from rebond.access.base import clinic_id_of, get_or_404
from rebond.access.membership import works_on_case
from rebond.accounts.models import User
from rebond.couples.models import Couple, Partner
from rebond.intake.models import ConsultationRequest
from rebond.lifecycle.models import ErasureRequest


def closed_cases_of_clinic(clinic_id: uuid.UUID) -> QuerySet[Couple]:
    """Return the clinic's cases in a terminal status, the ones its retention policy reaches.

    For the retention sweep and the clinic admin's list of cases due (which shows their
    references and dates, never a label).
    """
    return Couple.objects.filter(clinic_id=clinic_id, status__in=Couple.INACTIVE_STATUSES)


def closed_requests_of_clinic(clinic_id: uuid.UUID) -> QuerySet[ConsultationRequest]:
    """Return the clinic's consultation requests that never became a case and never will
    (declined, or marked as spam): the retention sweep erases them after the clinic's period.
    """
    return ConsultationRequest.objects.filter(
        clinic_id=clinic_id,
        couple=None,
        status__in=(ConsultationRequest.Status.DECLINED, ConsultationRequest.Status.SPAM),
    )


def _partner_in_clinic(
    user: User, couple_id: uuid.UUID | str, partner_id: uuid.UUID | str
) -> Partner:
    clinic_id = clinic_id_of(user)
    if clinic_id is None:
        raise Http404("Not found.")
    partners = Partner.objects.filter(couple__clinic_id=clinic_id).select_related(
        "couple", "couple__clinic"
    )
    return get_or_404(partners, partner_id, couple_id=couple_id)


def may_decide_erasure(user: User, couple: Couple) -> bool:
    """Return whether the user may approve a request to erase a partner's data of this case:
    a clinic admin of its clinic or a clinician on its team (the requester is refused later)."""
    if clinic_id_of(user) != couple.clinic_id:
        return False
    return bool(user.is_clinic_admin) or works_on_case(user, couple)


def get_partner_for_erasure(
    user: User, couple_id: uuid.UUID | str, partner_id: uuid.UUID | str
) -> Partner:
    """Return the partner whose erasure page the user may open (clinic admins and the case's
    team); 404 for anyone else, as for a row that does not exist."""
    partner = _partner_in_clinic(user, couple_id, partner_id)
    if not may_decide_erasure(user, partner.couple):
        raise Http404("Not found.")
    return partner


def get_partner_for_erasure_request(
    user: User, couple_id: uuid.UUID | str, partner_id: uuid.UUID | str
) -> Partner:
    """Return the partner whose erasure the user may ask for: clinic admins only (404 else)."""
    partner = _partner_in_clinic(user, couple_id, partner_id)
    if not user.is_clinic_admin:
        raise Http404("Not found.")
    return partner


def pending_erasure_of(partner: Partner, *, lock: bool = False) -> ErasureRequest | None:
    """Return the partner's erasure request waiting for approval (locked where said), or None."""
    requests = ErasureRequest.objects.filter(partner=partner, status=ErasureRequest.Status.PENDING)
    if lock:
        requests = requests.select_for_update()
    return requests.select_related("requested_by").first()


def pending_erasures_of_clinic(clinic_id: uuid.UUID) -> QuerySet[ErasureRequest]:
    """Return the clinic's erasure requests waiting for approval (for its admins' list)."""
    return ErasureRequest.objects.filter(
        couple__clinic_id=clinic_id, status=ErasureRequest.Status.PENDING
    ).select_related("couple", "partner", "requested_by")
