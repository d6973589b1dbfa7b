"""The requester's free consultation: choosing a time right after sending a request.

Public pages (no login), answered only to the browser that has just sent a request to this
clinic, within its receipt window (rebond/intake/receipt.py): anyone else is sent to the form.
A dropped submission (the honeypot) has no request and is offered nothing. Where the clinic does
not offer booking, the receipt is all there is.

The calendar file is made only when its link is followed, titled "Appointment" and nothing
else (rebond/appointments/ical.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import localdate, now
from django.views.decorators.http import require_http_methods, require_safe

from rebond.accounts.models import Clinic
from rebond.appointments import consultations
from rebond.appointments.consultation_forms import ChosenTimeForm, slot_value
from rebond.appointments.ical import Entry, calendar_file
from rebond.appointments.models import Appointment
from rebond.appointments.slots import Slot
from rebond.intake.models import ConsultationRequest
from rebond.intake.receipt import receipt_for
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors

CALENDAR_FILE_NAME = "appointment.ics"


def _by_day(slots: Iterable[Slot]) -> list[tuple[date, list[tuple[Slot, str]]]]:
    """Return the slots grouped by their day at the clinic, each with its form value."""
    days: dict[date, list[tuple[Slot, str]]] = {}
    for slot in slots:
        days.setdefault(localdate(slot.starts_at), []).append((slot, slot_value(slot.starts_at)))
    return list(days.items())


def _page(
    request: HttpRequest,
    clinic: Clinic,
    sent: ConsultationRequest,
    offer: consultations.Offer,
    form: ChosenTimeForm,
    *,
    status: int = 200,
) -> HttpResponse:
    at = now()
    current = consultations.current_consultation(sent.id, at=at)
    is_set = current is not None and current.status == Appointment.Status.SCHEDULED
    context: dict[str, Any] = {
        "clinic": clinic,
        "form": form,
        "current": current,
        "zone_name": clinic.timezone.replace("_", " "),
        "duration": offer.session_type.duration_minutes,
        # Once the practice has set the time, it is theirs to change, not the browser's.
        "days": None if is_set else _by_day(consultations.offered_slots(clinic, offer, at=at)),
    }
    return render(request, "appointments/consultation_time.html", context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def consultation_time(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    """Offer the clinic's next free times to the browser that just sent a request; hold one.

    Post/Redirect/Get: a held time is answered with a redirect to this page, which shows it.
    A time taken meanwhile is answered 409 with the fresh times and a message.
    """
    clinic = get_object_or_404(Clinic, slug=clinic_slug)
    sent = receipt_for(request, clinic)
    if sent is None:
        return redirect("consultation_request", clinic_slug=clinic.slug)
    offer = consultations.booking_offer(clinic)
    if sent.request is None or offer is None:
        return redirect("consultation_request_sent", clinic_slug=clinic.slug)
    if request.method != "POST":
        return _page(request, clinic, sent.request, offer, ChosenTimeForm())
    form = ChosenTimeForm(request.POST)
    if not form.is_valid():
        return _page(request, clinic, sent.request, offer, form, status=400)
    try:
        consultations.hold_consultation(sent.request, form.cleaned_data["slot"])
    except ActionError as refused:
        add_action_errors(form, refused)
        return _page(request, clinic, sent.request, offer, form, status=refused.status)
    return redirect("consultation_time", clinic_slug=clinic.slug)


@login_not_required
@require_safe
def consultation_time_file(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    """Send the held or confirmed time as a calendar file, titled "Appointment" only."""
    clinic = get_object_or_404(Clinic, slug=clinic_slug)
    sent = receipt_for(request, clinic)
    if sent is None:
        return redirect("consultation_request", clinic_slug=clinic.slug)
    current = consultations.current_consultation(sent.request.id) if sent.request else None
    if current is None:
        return redirect("consultation_time", clinic_slug=clinic.slug)
    body = calendar_file([Entry(str(current.id), current.starts_at, current.ends_at)])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{CALENDAR_FILE_NAME}"'
    return response
