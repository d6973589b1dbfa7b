"""The emergency-access page: a clinic admin grants, lists and ends; a second clinic admin or
a safety lead approves an admin's grant to themselves."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import dateformat
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.stepup import recent_authentication_required
from rebond.emergency import actions
from rebond.emergency.forms import GrantForm
from rebond.emergency.models import EmergencyAccess
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors

GRANTS_SHOWN = 50


def _render(
    request: AuthenticatedHttpRequest, form: GrantForm | None, status: int = 200
) -> HttpResponse:
    """Render the page: the approvals waiting for this user, and for admins the form and grants."""
    clinic = actions.approver_clinic(request.user)
    grants = EmergencyAccess.objects.filter(couple__clinic=clinic).select_related(
        "couple", "grantee", "granted_by", "approved_by", "ended_by"
    )
    waiting = grants.filter(approved_at=None, ended_at=None, expires_at__gt=now())
    return render(
        request,
        "emergency/emergency_access.html",
        {
            "clinic": clinic,
            "form": form,
            "waiting": list(waiting),
            "grants": grants[:GRANTS_SHOWN] if form is not None else [],
        },
        status=status,
    )


def _opened(grant: EmergencyAccess) -> str:
    return _(
        "%(name)s can open %(label)s until %(until)s. The case's clinicians have been told."
    ) % {
        "name": grant.grantee.display_name,
        "label": grant.couple.label,
        "until": dateformat.format(localtime(grant.expires_at), "d M H:i"),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def emergency_access(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Refuse whoever may not use the page before asking anyone to re-authenticate."""
    actions.approver_clinic(request.user)
    return _emergency_access(request)


@recent_authentication_required()
def _emergency_access(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinic's grants and the form to grant one; grant on POST (clinic admins only).

    A safety lead who is not a clinic admin sees only the self-grants waiting for approval.
    Break-glass needs a fresh password and second factor (SECURITY.md SE-06): after
    re-authenticating the admin comes back to this page and sends the form again.
    """
    if not access.is_clinic_admin(request.user) and request.method != "POST":
        return _render(request, None)
    clinic = actions.admin_clinic(request.user)  # only clinic admins grant (403 naming them)
    if request.method != "POST":
        return _render(request, GrantForm(clinic))
    form = GrantForm(clinic, request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    try:
        done = actions.grant_emergency_access(
            request.user,
            actions.GrantDraft(
                couple_id=form.cleaned_data["case"].id,
                grantee_id=form.cleaned_data["grantee"],
                reason=form.cleaned_data["reason"],
                hours=form.cleaned_data["hours"],
            ),
        )
    except ActionError as exc:
        add_action_errors(form, exc, fields={"couple": "case"})
        return _render(request, form, status=400)
    if done.is_pending:
        messages.success(
            request,
            _(
                "Your emergency access to %(label)s waits for a second clinic admin or a safety"
                " lead to approve it; they have been asked."
            )
            % {"label": done.couple.label},
        )
    else:
        messages.success(request, _opened(done))
    return redirect("emergency_access")


@require_POST
def approve(request: AuthenticatedHttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    """Approve a clinic admin's emergency access to a case for themselves.

    Who may approve is decided before the step-up (actions.refuse_unless_approvable): anyone
    else is refused whatever the age of their login.
    """
    actions.refuse_unless_approvable(request.user, grant_id)
    return _approve_after_step_up(request, grant_id)


@recent_authentication_required()
def _approve_after_step_up(request: AuthenticatedHttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    try:
        done = actions.approve_emergency_access(request.user, grant_id)
    except ActionError as exc:
        messages.info(request, str(exc))
        return redirect("emergency_access")
    messages.success(request, _opened(done))
    return redirect("emergency_access")


@require_POST
def end(request: AuthenticatedHttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    """End an emergency grant now."""
    done = actions.end_emergency_access(request.user, grant_id)
    messages.success(
        request,
        _("Emergency access of %(name)s has ended.") % {"name": done.grantee.display_name},
    )
    return redirect("emergency_access")
