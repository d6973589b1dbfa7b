"""Free consultations booked from a consultation request: whom, and which rows of a request.

A consultation request is not yet a case, so there is no team: who may see and act on a
request is intake's rule (rebond/intake/access.py: the clinic's therapists and clinic admins,
the clinic first). The functions here take a request the caller already fetched through that
rule, or the one request the sending browser holds (rebond/intake/receipt.py), and return only
rows of that request; a consultation of another request is a 404, like a missing one.

A consultation is booked with one of the clinic's active therapists, never anyone else.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from rebond.accounts.models import User
from rebond.appointments.models import Appointment, AppointmentMessage


def consultation_clinicians(clinic_id: uuid.UUID | str) -> QuerySet[User]:
    """Return the clinic's active therapists: whom a free consultation may be booked with."""
    return User.objects.filter(clinic_id=clinic_id, is_active=True, is_therapist=True).order_by(
        "display_name", "id"
    )


def get_consultation_clinician(clinic_id: uuid.UUID | str, clinician_id: uuid.UUID | str) -> User:
    """Return one of the clinic's active therapists, or raise Http404."""
    try:
        return consultation_clinicians(clinic_id).get(id=clinician_id)
    except (User.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such clinician.") from exc


def consultations_of_request(request_id: uuid.UUID) -> QuerySet[Appointment]:
    """Return the consultations booked from this request (fetched through intake's rule)."""
    return Appointment.objects.filter(request_id=request_id, kind=Appointment.Kind.CONSULTATION)


def get_consultation_of_request(
    request_id: uuid.UUID, consultation_id: uuid.UUID | str, *, for_update: bool = False
) -> Appointment:
    """Return one consultation of this request (locked with `for_update`), or raise Http404."""
    consultations = consultations_of_request(request_id)
    if for_update:
        consultations = consultations.select_for_update()
    try:
        return consultations.get(id=consultation_id)
    except (Appointment.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404("No such consultation.") from exc


def messages_to_requester(request_id: uuid.UUID) -> QuerySet[AppointmentMessage]:
    """Return the messages about appointments queued for this request's sender, oldest first."""
    return AppointmentMessage.objects.filter(request_id=request_id).order_by("created_at")
