"""A case's appointments, for its clinicians: the case page's "Appointments" section and its
scheduling form, one appointment's page (time, people, messages, both partners' latest
scores) and its actions: record the session, move, cancel, mark a no-show.

Views parse and render; every change goes through `rebond.appointments.sessions`, and every
fetch through `rebond.access` (a refused one is a 404). Forms post to their own URL and work
without JavaScript (POST, then redirect); bad input is answered with 422 and the form shown
again with what was typed. With htmx, scheduling answers with the case page's section.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import User
from rebond.appointments import recipients, sessions
from rebond.appointments.latest_scores import latest_scores
from rebond.appointments.models import Appointment, AppointmentMessage
from rebond.appointments.session_forms import MoveForm, ScheduleForm
from rebond.couples.models import Couple, Partner
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.therapy import actions as therapy_actions
from rebond.therapy.forms import SessionForm
from rebond.therapy.views import parse_ratings, rating_groups, recorded_with_ratings

UNPROCESSABLE = 422
# How many past or closed appointments the case page lists ("recent"), newest first.
RECENT_SHOWN = 10


# --- The case page's section -------------------------------------------------------------------


def _with_people(appointments: Any) -> Any:
    return appointments.select_related("clinician", "session_type").prefetch_related(
        Prefetch("invited", queryset=Partner.objects.order_by("role"))
    )


def section_context(
    user: User, couple: Couple, form: ScheduleForm | None = None, *, saved: int = 0
) -> dict[str, Any]:
    """Return what the case page's "Appointments" section shows: the upcoming appointments,
    the recent ones, and the form to schedule (re-shown with its errors when given)."""
    at = now()
    of_case = access.appointments_of_case(user, couple)
    upcoming = list(
        _with_people(
            of_case.filter(status__in=Appointment.UPCOMING_STATUSES, ends_at__gt=at)
        ).order_by("starts_at")
    )
    recent = list(
        _with_people(of_case.exclude(id__in=[a.id for a in upcoming])).order_by("-starts_at")[
            :RECENT_SHOWN
        ]
    )
    form = form or ScheduleForm(couple, user)
    return {
        "couple": couple,
        "upcoming": upcoming,
        "recent": recent,
        "schedule_form": form,
        "can_schedule": couple.is_active and form.has_session_types,
        "saved": saved,
    }


@require_POST
def schedule(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Schedule one appointment or a series on the case, and tell the invited partners."""
    couple = access.get_couple_for_clinician(request.user, couple_id)
    form = ScheduleForm(couple, request.user, request.POST)
    placed: list[Appointment] = []
    if form.is_valid():
        try:
            placed = sessions.schedule_sessions(request.user, couple.id, form.draft())
        except ActionError as error:
            add_action_errors(form, error)
    is_htmx = bool(request.headers.get("HX-Request"))
    if form.errors:
        context = section_context(request.user, couple, form)
        if is_htmx:
            body = render_to_string("appointments/_case_appointments.html", context, request)
            return HttpResponse(body, status=UNPROCESSABLE)
        return render(request, "appointments/schedule.html", context, status=UNPROCESSABLE)
    if is_htmx:
        context = section_context(request.user, couple, saved=len(placed))
        return HttpResponse(
            render_to_string("appointments/_case_appointments.html", context, request)
        )
    messages.success(request, _scheduled_message(placed))
    return redirect(reverse("case", args=[couple.id]) + "#appointments")


def _scheduled_message(placed: list[Appointment]) -> str:
    first = localtime(placed[0].starts_at)
    # Translators: a date and a clock time, e.g. "Mon 8 Mar 2027 at 14:00".
    when = _("%(date)s at %(time)s") % {
        "date": dateformat.format(first, "D j M Y"),
        "time": f"{first:%H:%M}",
    }
    if len(placed) == 1:
        return _("Appointment scheduled for %(when)s.") % {"when": when}
    # A series: always two or more.
    return _("%(count)s appointments scheduled, the first on %(when)s.") % {
        "count": len(placed),
        "when": when,
    }


def _couple_of(appointment: Appointment) -> Couple:
    """Return the case of an appointment fetched under it (`get_appointment_of_case`)."""
    if appointment.couple is None:  # a consultation not converted: never fetched here
        raise Http404("Not found.")
    return appointment.couple


# --- One appointment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageRow:
    message: AppointmentMessage
    to: str
    channel: str
    when: datetime | None


CHANNEL_WORDS = {"email": gettext_lazy("E-mail"), "text": gettext_lazy("Text message")}


def _message_rows(appointment: Appointment) -> list[MessageRow]:
    rows = []
    for message in appointment.messages.select_related("partner").order_by("created_at"):
        to = message.partner.display_name if message.partner else _("The requester")
        when = message.sent_at if message.status == AppointmentMessage.Status.SENT else None
        if message.status == AppointmentMessage.Status.PENDING:
            when = message.send_after
        channel = str(CHANNEL_WORDS.get(message.kind, _("No channel")))
        rows.append(MessageRow(message, to, channel, when))
    return rows


def _appointment_page(
    request: AuthenticatedHttpRequest,
    appointment: Appointment,
    *,
    move_form: MoveForm | None = None,
    action_error: str = "",
    status: int = 200,
) -> HttpResponse:
    couple = _couple_of(appointment)
    at = now()
    is_scheduled = appointment.status == Appointment.Status.SCHEDULED
    has_started = appointment.starts_at <= at
    local = localtime(appointment.starts_at)
    context = {
        "couple": couple,
        "appointment": appointment,
        "invited": list(appointment.invited.order_by("role")),
        "message_rows": _message_rows(appointment),
        "scores": latest_scores(couple),
        "series_position": _series_position(request.user, appointment),
        "may_record": is_scheduled and has_started and appointment.kind in sessions.RECORDED_KINDS,
        "may_no_show": is_scheduled and has_started,
        "may_change": is_scheduled and not has_started,
        "cancel_is_late": is_scheduled and sessions.is_late_cancellation(appointment, at),
        "late_cancel_hours": recipients.clinic_settings(appointment.clinic_id).late_cancel_hours,
        "move_form": move_form
        or MoveForm(initial={"day": local.date(), "clock": local.time().replace(second=0)}),
        "action_error": action_error,
    }
    return render(request, "appointments/appointment.html", context, status=status)


def _series_position(user: User, appointment: Appointment) -> tuple[int, int] | None:
    """Return (n, of) for an appointment of a series, else None."""
    if appointment.series_id is None or appointment.couple is None:
        return None
    starts = list(
        access.appointments_of_case(user, appointment.couple)
        .filter(series_id=appointment.series_id)
        .order_by("starts_at")
        .values_list("id", flat=True)
    )
    return starts.index(appointment.id) + 1, len(starts)


@require_safe
def appointment_page(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, appointment_id: uuid.UUID
) -> HttpResponse:
    """Show one appointment of the case with both partners' latest scores."""
    appointment = access.get_appointment_of_case(request.user, couple_id, appointment_id)
    return _appointment_page(request, appointment)


def _after_change(
    request: AuthenticatedHttpRequest, appointment: Appointment, message: str
) -> HttpResponse:
    messages.success(request, message)
    return redirect("appointment", couple_id=appointment.couple_id, appointment_id=appointment.id)


def _refused(
    request: AuthenticatedHttpRequest,
    couple_id: uuid.UUID,
    appointment_id: uuid.UUID,
    error: ActionError,
) -> HttpResponse:
    appointment = access.get_appointment_of_case(request.user, couple_id, appointment_id)
    return _appointment_page(request, appointment, action_error=error.message, status=error.status)


@require_POST
def move(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, appointment_id: uuid.UUID
) -> HttpResponse:
    """Move the appointment to a new time; the invited partners are told of the change."""
    appointment = access.get_appointment_of_case(request.user, couple_id, appointment_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            appointment = sessions.move_appointment(
                request.user,
                couple_id,
                appointment.id,
                form.cleaned_data["day"],
                form.cleaned_data["clock"],
            )
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        fresh = access.get_appointment_of_case(request.user, couple_id, appointment_id)
        return _appointment_page(request, fresh, move_form=form, status=UNPROCESSABLE)
    return _after_change(request, appointment, _("Moved. The invited partners will be told."))


@require_POST
def cancel(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, appointment_id: uuid.UUID
) -> HttpResponse:
    """Cancel the appointment (late within the clinic's hours); the partners are told."""
    appointment = access.get_appointment_of_case(request.user, couple_id, appointment_id)
    try:
        appointment = sessions.cancel_appointment(request.user, couple_id, appointment.id)
    except ActionError as error:
        return _refused(request, couple_id, appointment_id, error)
    if appointment.status == Appointment.Status.LATE_CANCELLED:
        return _after_change(
            request, appointment, _("Cancelled late: recorded on the session as cancelled.")
        )
    return _after_change(request, appointment, _("Cancelled. The invited partners will be told."))


@require_POST
def no_show(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, appointment_id: uuid.UUID
) -> HttpResponse:
    """Record that nobody came (after the start): on the appointment and on the session."""
    appointment = access.get_appointment_of_case(request.user, couple_id, appointment_id)
    try:
        appointment = sessions.mark_no_show(request.user, couple_id, appointment.id)
    except ActionError as error:
        return _refused(request, couple_id, appointment_id, error)
    return _after_change(request, appointment, _("Recorded as a no-show, on the session too."))


# --- Record this session -----------------------------------------------------------------------


def _record_page(
    request: AuthenticatedHttpRequest,
    appointment: Appointment,
    form: SessionForm,
    *,
    status: int = 200,
) -> HttpResponse:
    couple = _couple_of(appointment)
    data = request.POST if request.method == "POST" else None
    context = {
        "couple": couple,
        "appointment": appointment,
        "form": form,
        "groups": rating_groups(couple, data),
        "record_url": reverse("appointment_record", args=[couple.id, appointment.id]),
    }
    return render(request, "appointments/record.html", context, status=status)


def _prefilled(appointment: Appointment) -> SessionForm:
    """Return the session form filled from the appointment: its kind, time and invited
    partners. Attendance stays empty: one click must not record a session nobody described."""
    couple = _couple_of(appointment)
    return SessionForm(
        couple,
        initial={
            "kind": appointment.kind,
            "occurred_at": localtime(appointment.starts_at).replace(second=0, microsecond=0),
            "attendees": [str(p.pk) for p in appointment.invited.all()],
            "shared_label": _("Session"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def record(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, appointment_id: uuid.UUID
) -> HttpResponse:
    """Record the session this appointment was, with the therapy record's own form."""
    appointment = access.get_appointment_of_case(request.user, couple_id, appointment_id)
    couple = _couple_of(appointment)
    if request.method != "POST":
        if appointment.status != Appointment.Status.SCHEDULED:
            messages.info(request, _("This appointment is already recorded or closed."))
            return redirect("appointment", couple_id=couple.id, appointment_id=appointment.id)
        return _record_page(request, appointment, _prefilled(appointment))
    form = SessionForm(couple, request.POST)
    drafts, rating_errors = parse_ratings(request.POST)
    if not form.is_valid() or rating_errors:
        for error in rating_errors[:1]:
            form.add_error(None, error)
        return _record_page(request, appointment, form, status=UNPROCESSABLE)
    data = form.cleaned_data
    try:
        session = sessions.record_appointment(
            request.user,
            couple.id,
            appointment.id,
            therapy_actions.SessionDraft.from_form(data, drafts),
            drafts,
        )
    except ActionError as error:
        add_action_errors(form, error)
        for message in error.errors.get("ratings", []):
            form.add_error(None, message)
        # Recorded already (a second tab, a double click): a conflict, not bad input.
        status = error.status if error.status == HTTPStatus.CONFLICT else UNPROCESSABLE
        return _record_page(request, appointment, form, status=status)
    messages.success(request, recorded_with_ratings(session, len(drafts)))
    return redirect("appointment", couple_id=couple.id, appointment_id=appointment.id)
