"""Who may see and triage consultation requests: the clinic's therapists and clinic admins.

The same rules as the gateway in `rebond.access`: the clinician's clinic is filtered
first and unconditionally; a refused fetch is a 404, identical to a missing row. A request is
not yet a case, so there is no case membership to check: any therapist or clinic admin of the
clinic triages the clinic's requests (issue 4).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from rebond.accounts.models import Clinic, User
from rebond.intake.models import ConsultationRequest


def _clinic_id(user: User) -> uuid.UUID | None:
    """Return the clinic whose requests the user may triage, or None."""
    if not user.is_authenticated:
        return None
    if not user.is_active:
        return None
    return user.clinic_id


def can_triage(user: User) -> bool:
    """Return whether the user may see and act on their clinic's consultation requests."""
    if _clinic_id(user) is None:
        return False
    return user.is_therapist or user.is_clinic_admin


def requests_for_clinician(user: User) -> QuerySet[ConsultationRequest]:
    """Return the consultation requests of the clinician's own clinic, newest first."""
    clinic_id = _clinic_id(user)
    if clinic_id is None:
        return ConsultationRequest.objects.none()
    requests = ConsultationRequest.objects.filter(clinic_id=clinic_id)
    if not can_triage(user):
        return ConsultationRequest.objects.none()
    return requests.order_by("-created_at")


def get_request_for_clinician(
    user: User, request_id: uuid.UUID | str, *, for_update: bool = False
) -> ConsultationRequest:
    """Return one of the clinic's requests, or raise Http404 (never 403: no probing).

    With `for_update`, lock the row until the surrounding transaction ends, so that two
    clinicians triaging the same request at once cannot both act on it.
    """
    requests = requests_for_clinician(user)
    if for_update:
        requests = requests.select_for_update()
    try:
        return requests.get(id=request_id)
    except (ConsultationRequest.DoesNotExist, ValidationError) as exc:
        raise Http404("No such request.") from exc


def new_request_count(user: User) -> int:
    """Return how many of the clinic's requests are waiting for a first look."""
    return requests_for_clinician(user).filter(status=ConsultationRequest.Status.NEW).count()


def request_sent_by_this_browser(clinic: Clinic, request_id: str) -> ConsultationRequest | None:
    """Return the request whose id this browser's session kept when sending it, or None.

    For the receipt page only (rebond/intake/views.py): the id comes from the server-side
    session of the browser that sent it, never from the address, and must be of this clinic.
    """
    try:
        return ConsultationRequest.objects.filter(clinic=clinic, id=request_id).first()
    except ValidationError:
        return None
