"""The free consultation of a consultation request, for clinicians triaging the inbox.

The request page (rebond/intake/templates/intake/request_detail.html) shows the held or set
time and posts Confirm and Cancel here; "Propose another time" (or "Offer a time") is its own
page, listing the free times of the clinic's therapists beside a typed date and time. Who may
act is intake's rule (the clinic's therapists and clinic admins); every change is an action
in consultations.py, which queues the requester's message.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.timezone import localdate, now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import User
from rebond.appointments import consultations
from rebond.appointments.consultation_forms import ProposedSlotForm, TypedTimeForm, slot_value
from rebond.appointments.recipients import clinic_settings
from rebond.appointments.slots import Slot
from rebond.intake import access as intake_access
from rebond.intake.models import ConsultationRequest
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors

SET = gettext_noop("The time is set. Their message is shown below, with when it can go.")
CONFIRMED = gettext_noop(
    "Consultation confirmed. Their message is shown below, with when it can go."
)
CANCELLED = gettext_noop(
    "Consultation cancelled. Their message is shown below, with when it can go."
)


def _require_triage(request: AuthenticatedHttpRequest) -> None:
    if not intake_access.can_triage(request.user):
        raise Http404("No inbox.")


def _seen_consultation(request: AuthenticatedHttpRequest) -> str:
    """Return the consultation the page showed when it was sent ("" for none)."""
    return str(request.POST.get("consultation", ""))[:40]


@require_POST
def confirm(request: AuthenticatedHttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Confirm the time the requester holds."""
    _require_triage(request)
    try:
        consultations.confirm_consultation(request.user, request_id, _seen_consultation(request))
    except ActionError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _(CONFIRMED))
    return redirect("inbox_request", request_id=request_id)


@require_POST
def cancel(request: AuthenticatedHttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Cancel the requester's held or scheduled consultation."""
    _require_triage(request)
    try:
        consultations.cancel_consultation(request.user, request_id, _seen_consultation(request))
    except ActionError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _(CANCELLED))
    return redirect("inbox_request", request_id=request_id)


def _page(
    request: AuthenticatedHttpRequest,
    consultation: ConsultationRequest,
    *,
    slot_form: ProposedSlotForm | None = None,
    typed_form: TypedTimeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    clinic = consultation.clinic
    at = now()
    session_type = consultations.consultation_type(clinic.id)
    current = consultations.current_consultation(consultation.id, at=at)
    clinicians = access.consultation_clinicians(clinic.id)
    days: dict[date, list[tuple[User, Slot, str]]] = {}
    if session_type is not None:
        horizon = clinic_settings(clinic.id).booking_horizon_days
        for clinician, slot in consultations.proposable_slots(
            clinic, session_type, at=at, days=horizon
        ):
            days.setdefault(localdate(slot.starts_at), []).append(
                (clinician, slot, slot_value(slot.starts_at, clinician.id))
            )
    context: dict[str, Any] = {
        "consultation": consultation,
        "current": current,
        "session_type": session_type,
        "days": list(days.items()),
        "slot_form": slot_form or ProposedSlotForm(),
        "typed_form": typed_form
        or TypedTimeForm(
            clinicians=clinicians,
            initial={"clinician": current.clinician_id if current else None},
        ),
        "zone_name": clinic.timezone.replace("_", " "),
    }
    return render(request, "appointments/inbox_consultation_time.html", context, status=status)


@require_http_methods(["GET", "POST"])
def consultation_time(request: AuthenticatedHttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Propose another time for the request's consultation, or offer one where none is held.

    A free time of any of the clinic's therapists, or a date and time typed in the clinic's
    zone for a chosen therapist. A refusal (the time was taken meanwhile: 409) keeps what was
    chosen or typed, with the message beside it.
    """
    _require_triage(request)
    consultation = intake_access.get_request_for_clinician(request.user, request_id)
    if request.method != "POST":
        return _page(request, consultation)
    seen = _seen_consultation(request) or None
    clinicians = access.consultation_clinicians(consultation.clinic_id)
    slot_form, typed_form = None, None
    if "slot" in request.POST:
        slot_form = ProposedSlotForm(request.POST)
        if not slot_form.is_valid():
            return _page(request, consultation, slot_form=slot_form, status=400)
        clinician_id, starts_at = slot_form.cleaned_data["slot"]
        form: ProposedSlotForm | TypedTimeForm = slot_form
        field = "slot"
    else:
        typed_form = TypedTimeForm(request.POST, clinicians=clinicians)
        if not typed_form.is_valid():
            return _page(request, consultation, typed_form=typed_form, status=400)
        clinician_id = typed_form.cleaned_data["clinician"].id
        starts_at = typed_form.cleaned_data["starts_at"]
        form, field = typed_form, "starts_at"
    try:
        consultations.propose_consultation_time(
            request.user,
            request_id,
            consultation_id=seen,
            clinician_id=clinician_id,
            starts_at=starts_at,
            field=field,
        )
    except ActionError as refused:
        add_action_errors(form, refused)
        return _page(
            request,
            consultation,
            slot_form=slot_form,
            typed_form=typed_form,
            status=refused.status,
        )
    messages.success(request, _(SET))
    return redirect("inbox_request", request_id=request_id)
