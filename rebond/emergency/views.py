"""The clinic admin's emergency-access page: grant, list, end."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.stepup import recent_authentication_required
from rebond.emergency import actions
from rebond.emergency.forms import GrantForm
from rebond.emergency.models import EmergencyAccess

GRANTS_SHOWN = 50


def _render(request: AuthenticatedHttpRequest, form: GrantForm, status: int = 200) -> HttpResponse:
    clinic = actions.admin_clinic(request.user)
    grants = EmergencyAccess.objects.filter(couple__clinic=clinic).select_related(
        "couple", "grantee", "granted_by", "ended_by"
    )[:GRANTS_SHOWN]
    return render(
        request,
        "emergency/emergency_access.html",
        {"clinic": clinic, "form": form, "grants": grants},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@recent_authentication_required()
def emergency_access(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinic's grants and the form to grant one; grant on POST (clinic admins only).

    Break-glass needs a fresh password and second factor (SECURITY.md SE-06): after
    re-authenticating the admin comes back to this page and sends the form again.
    """
    clinic = actions.admin_clinic(request.user)
    if request.method != "POST":
        return _render(request, GrantForm(clinic))
    form = GrantForm(clinic, request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    try:
        done = actions.grant_emergency_access(
            request.user,
            actions.GrantDraft(
                couple_id=form.cleaned_data["couple"],
                grantee_id=form.cleaned_data["grantee"],
                reason=form.cleaned_data["reason"],
                hours=form.cleaned_data["hours"],
            ),
        )
    except actions.EmergencyError as exc:
        for field, errors in exc.errors.items():
            for error in errors:
                form.add_error(field, error)
        return _render(request, form, status=400)
    messages.success(
        request,
        f"{done.grantee.display_name} can open {done.couple.label} until "
        f"{done.expires_at:%d %b %H:%M}. The case's clinicians have been told.",
    )
    return redirect("emergency_access")


@require_POST
def end(request: AuthenticatedHttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    """End an emergency grant now."""
    done = actions.end_emergency_access(request.user, grant_id)
    messages.success(request, f"Emergency access of {done.grantee.display_name} has ended.")
    return redirect("emergency_access")
