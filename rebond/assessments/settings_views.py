"""The clinic's default check-in schedule, reminders and approved instruments (clinic admins)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from psychometrics import Instrument
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import Clinic
from rebond.assessments import actions, checkins, schedule
from rebond.assessments.forms import (
    ApproveInstrumentForm,
    OccasionSetsForm,
    ReminderSettingsForm,
)
from rebond.assessments.models import InstrumentApproval
from rebond.lib.errors import ActionError

# --- The clinic's default schedule and reminders (clinic admins) ------------------------------


def _render_settings(
    request: AuthenticatedHttpRequest,
    *,
    sets_form: OccasionSetsForm | None = None,
    reminders_form: ReminderSettingsForm | None = None,
    approve_form: ApproveInstrumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    clinic = actions.get_settings_clinic(request.user)
    current = actions.checkin_settings(clinic.id)
    context = {
        "clinic": clinic,
        "sets_form": sets_form
        or OccasionSetsForm(
            initial=schedule.clinic_schedule(clinic.id), prefix="clinic", clinic_id=clinic.id
        ),
        "reminders_form": reminders_form
        or ReminderSettingsForm(
            initial={
                "remind_after_days": current.remind_after_days,
                "max_reminders": current.max_reminders,
            },
            prefix="reminders",
        ),
        "not_yet_offered": schedule.NOT_YET_OFFERED,
        "outside_catalogue": _outside_catalogue(clinic, approve_form),
    }
    return render(request, "assessments/schedule_settings.html", context, status=status)


@dataclass
class OutsideCatalogueRow:
    """One instrument a clinic may offer outside the default catalogue, and its state there."""

    instrument: Instrument
    approval: InstrumentApproval | None
    form: ApproveInstrumentForm


def _outside_catalogue(
    clinic: Clinic, bound: ApproveInstrumentForm | None
) -> list[OutsideCatalogueRow]:
    approvals = {
        a.instrument_code: a for a in clinic.instrument_approvals.select_related("approved_by")
    }
    rows = []
    for inst in checkins.approvable_instruments():
        form = ApproveInstrumentForm(
            initial={"instrument": inst.code}, auto_id=f"approve-{inst.code}-%s"
        )
        if bound is not None and bound.data.get("instrument") == inst.code:
            form = bound
        rows.append(OutsideCatalogueRow(inst, approvals.get(inst.code), form))
    return rows


@require_safe
def schedule_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinic's default schedule and reminder settings (clinic admins only)."""
    return _render_settings(request)


@require_POST
def save_schedule_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save the clinic's default sets of questionnaires."""
    clinic = actions.get_settings_clinic(request.user)
    form = OccasionSetsForm(request.POST, prefix="clinic", clinic_id=clinic.id)
    if not form.is_valid():
        return _render_settings(request, sets_form=form, status=400)
    try:
        actions.set_clinic_schedule(request.user, form.cleaned_data)
    except ActionError as exc:
        form.add_error(None, str(exc))
        return _render_settings(request, sets_form=form, status=exc.status)
    messages.success(request, _("The clinic's default schedule is saved."))
    return redirect("schedule_settings")


@require_POST
def save_reminder_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save when and how often partners are reminded of open check-ins."""
    actions.get_settings_clinic(request.user)
    form = ReminderSettingsForm(request.POST, prefix="reminders")
    if not form.is_valid():
        return _render_settings(request, reminders_form=form, status=400)
    try:
        actions.set_reminder_settings(request.user, **form.cleaned_data)
    except ActionError as exc:
        form.add_error(None, str(exc))
        return _render_settings(request, reminders_form=form, status=exc.status)
    messages.success(request, _("Reminder settings saved."))
    return redirect(reverse("schedule_settings") + "#reminders")


@require_POST
def approve_instrument(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Offer a questionnaire outside the default catalogue at the admin's clinic."""
    clinic = actions.get_settings_clinic(request.user)
    code = request.POST.get("instrument", "")
    form = ApproveInstrumentForm(request.POST, auto_id=f"approve-{code[:20]}-%s")
    if not form.is_valid():
        return _render_settings(request, approve_form=form, status=400)
    try:
        approval = actions.approve_instrument(request.user, form.cleaned_data["instrument"])
    except ActionError as exc:
        form.add_error(None, str(exc))
        return _render_settings(request, approve_form=form, status=exc.status)
    messages.success(
        request,
        _(
            "%(instrument)s is now offered at %(clinic)s. Its results say that its key is not "
            "verified by Rebond."
        )
        % {"instrument": approval.instrument_code, "clinic": clinic.name},
    )
    return redirect(reverse("schedule_settings") + "#outside-catalogue")


@require_POST
def withdraw_instrument(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Stop offering a questionnaire outside the default catalogue for new check-ins."""
    actions.get_settings_clinic(request.user)
    code = request.POST.get("instrument", "")[:20]
    if actions.withdraw_instrument_approval(request.user, code):
        messages.success(
            request,
            _("%(instrument)s is no longer offered for new check-ins; open ones stay open.")
            % {"instrument": code},
        )
    return redirect(reverse("schedule_settings") + "#outside-catalogue")
