"""Pages for a clinic's admins: the clinic calendar (metadata only), the clinic's session types
and its appointment settings.

A clinician of the clinic who is no admin gets the 403 that names who can (SettingsRefused);
anyone else a 404. The clinic calendar shows whose appointment, when, what kind and status,
never a case, a partner or a requester (DOMAIN.md 7.5: clinic admin, "metadata only").
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import Clinic
from rebond.appointments import clinic_settings
from rebond.appointments.forms import (
    AppointmentSettingsForm,
    NewSessionTypeForm,
    SessionTypeForm,
)
from rebond.appointments.models import AppointmentMessage, AppointmentSettings
from rebond.appointments.week import empty_week, fill_week, monday_of, start_of_day
from rebond.appointments.wording import message_text
from rebond.lib.clinic_time import clinic_today, clinic_zone
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors

UNPROCESSABLE = HTTPStatus.UNPROCESSABLE_ENTITY


@require_safe
def clinic_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the week of every clinician of the clinic: who, when, what kind, what status."""
    clinic = access.get_admin_clinic(request.user)
    zone = clinic_zone(clinic)
    today = clinic_today(clinic)
    week = empty_week(monday_of(request.GET.get("week"), today), zone, today)
    fill_week(
        week, zone, entries=access.clinic_calendar(request.user, week.starts_at, week.ends_at)
    )
    context = {"week": week, "clinic": clinic, "this_monday": monday_of(None, today)}
    return render(request, "appointments/clinic_calendar.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def appointment_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show and change the clinic's appointment settings (clinic admins)."""
    clinic = access.get_admin_clinic(request.user)
    current = clinic_settings.appointment_settings(clinic)
    status = 200
    if request.method == "POST":
        form = AppointmentSettingsForm(request.POST)
        if form.is_valid():
            try:
                clinic_settings.set_appointment_settings(request.user, form.cleaned_data)
            except ActionError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Appointment settings saved."))
                return redirect("appointment_settings")
        status = UNPROCESSABLE
    else:
        form = AppointmentSettingsForm(
            initial={name: getattr(current, name) for name in clinic_settings.SETTINGS_FIELDS}
        )
    context = {"form": form, "clinic": clinic, "previews": _previews(clinic, current)}
    return render(request, "appointments/settings.html", context, status=status)


def _previews(clinic: Clinic, current: AppointmentSettings) -> list[tuple[str, str]]:
    """Return how a reminder reads with the saved wordings, for an example time next week."""
    zone = clinic_zone(clinic)
    next_monday = clinic_today(clinic) + timedelta(days=7 - clinic_today(clinic).weekday())
    example = start_of_day(next_monday, zone) + timedelta(hours=14)
    return [
        (
            who,
            message_text(
                current,
                AppointmentMessage.Purpose.REMINDER,
                starts_at=example,
                zone=zone,
                clinic_name=clinic.name,
                may_mention_therapy=is_open,
            ),
        )
        for who, is_open in ((_("Most people"), False), (_("People who allowed more"), True))
    ]


@require_http_methods(["GET", "HEAD", "POST"])
def session_types(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the clinic's session types and add one (clinic admins)."""
    clinic = access.get_admin_clinic(request.user)
    status = 200
    form = NewSessionTypeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            draft = clinic_settings.SessionTypeDraft(
                name=form.cleaned_data["name"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                kind=form.cleaned_data["kind"],
            )
            try:
                added = clinic_settings.add_session_type(request.user, draft)
            except ActionError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("%(name)s added.") % {"name": added.name})
                return redirect("session_types")
        status = UNPROCESSABLE
    context = {
        "clinic": clinic,
        "types": access.session_types_for_admin(request.user),
        "defaults": clinic_settings.default_session_types(clinic),
        "form": form,
    }
    return render(request, "appointments/session_types.html", context, status=status)


@require_POST
def session_types_defaults(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Give the clinic the usual session types (only while it has none)."""
    clinic_settings.seed_session_types(request.user)
    messages.success(request, _("The usual session types are ready: change them as you need."))
    return redirect("session_types")


@require_http_methods(["GET", "HEAD", "POST"])
def session_type_edit(
    request: AuthenticatedHttpRequest, session_type_id: uuid.UUID
) -> HttpResponse:
    """Rename a session type or change its length."""
    session_type = access.get_session_type_for_admin(request.user, session_type_id)
    status = 200
    if request.method == "POST":
        form = SessionTypeForm(request.POST)
        if form.is_valid():
            draft = clinic_settings.SessionTypeDraft(
                name=form.cleaned_data["name"],
                duration_minutes=form.cleaned_data["duration_minutes"],
            )
            try:
                clinic_settings.change_session_type(request.user, session_type.pk, draft)
            except ActionError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Session type saved."))
                return redirect("session_types")
        status = UNPROCESSABLE
    else:
        form = SessionTypeForm(
            initial={"name": session_type.name, "duration_minutes": session_type.duration_minutes}
        )
    context = {"form": form, "session_type": session_type}
    return render(request, "appointments/session_type_form.html", context, status=status)


@require_POST
def session_type_active(
    request: AuthenticatedHttpRequest, session_type_id: uuid.UUID
) -> HttpResponse:
    """Stop offering a session type, or offer it again."""
    is_active = request.POST.get("is_active") == "yes"
    session_type = clinic_settings.set_session_type_active(
        request.user, session_type_id, is_active=is_active
    )
    if session_type.is_active:
        text = _("%(name)s is offered again.")
    else:
        text = _("%(name)s is no longer offered.")
    messages.success(request, text % {"name": session_type.name})
    return redirect(reverse("session_types") + f"#type-{session_type.pk}")
