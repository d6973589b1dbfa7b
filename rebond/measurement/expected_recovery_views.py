"""The expected-recovery page: per instrument, the clinic's closed cases eligible, its threshold,
and its fitted curve; refit on demand with progress shown (clinic admins and supervisors), and
the threshold (clinic admins). The rules are in rebond/access/expected_recovery.py; the work in
rebond/measurement/local_norms.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import Clinic
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.measurement import local_norms
from rebond.measurement.models import MIN_CLOSED_CASES_RANGE

# How often the page asks for the refit's progress while one is queued or running.
POLL_SECONDS = 2


class ThresholdForm(forms.Form):
    min_closed_cases = forms.IntegerField(
        label=gettext_lazy("Closed cases needed before a curve is fitted"),
        help_text=gettext_lazy(
            "A judgement, not a published figure: Rebond's default is 150 (docs/measurement.md). "
            "From %(low)s to %(high)s."
        )
        % {"low": MIN_CLOSED_CASES_RANGE[0], "high": MIN_CLOSED_CASES_RANGE[1]},
        error_messages={"invalid": gettext_lazy("Enter a whole number of closed cases.")},
    )


def _context(clinic: Clinic, request: AuthenticatedHttpRequest, **extra: Any) -> dict[str, Any]:
    state, rows = local_norms.overview(clinic.id)
    busy = local_norms.is_busy(state)
    return {
        "clinic": clinic,
        "state": state,
        "rows": rows,
        "busy": busy,
        "stale": state.status in (state.Status.QUEUED, state.Status.RUNNING) and not busy,
        "poll_seconds": POLL_SECONDS,
        "may_set_threshold": access.is_clinic_admin(request.user),
        **extra,
    }


@require_safe
def expected_recovery(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinic's expected recovery per instrument, with the refit and its progress."""
    clinic = access.get_expected_recovery_clinic(request.user)
    state = local_norms.state_of(clinic.id)
    form = ThresholdForm(initial={"min_closed_cases": state.min_closed_cases})
    context = _context(clinic, request, form=form)
    return render(request, "measurement/expected_recovery.html", context)


@require_safe
def expected_recovery_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Return the refit's progress and the instruments' table: the fragment the page polls."""
    clinic = access.get_expected_recovery_clinic(request.user)
    return render(request, "measurement/_expected_recovery_status.html", _context(clinic, request))


@require_POST
def expected_recovery_refit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Queue a refit of the clinic's curves now (clinic admins and supervisors)."""
    access.get_expected_recovery_clinic(request.user)
    if local_norms.request_refit(request.user):
        messages.success(request, _("Refit queued. Its progress shows below."))
    else:
        messages.info(request, _("A refit is already under way; its progress shows below."))
    return redirect("expected_recovery")


@require_http_methods(["POST"])
def expected_recovery_threshold(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save the clinic's threshold of closed cases (clinic admins); a change queues a refit."""
    clinic = access.get_expected_recovery_threshold_clinic(request.user)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            local_norms.set_threshold(request.user, form.cleaned_data["min_closed_cases"])
        except ActionError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Saved. The curves are refitted with the new threshold."))
            return redirect("expected_recovery")
    return render(
        request,
        "measurement/expected_recovery.html",
        _context(clinic, request, form=form),
        status=422,
    )
