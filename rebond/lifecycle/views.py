"""Pages: the clinic's retention policy and its cases due (clinic admins), and one partner's
erasure page (asked for by a clinic admin, approved by a second person).

Every view asks the gateway first (rebond/access/lifecycle.py); step-up re-authentication
(rebond/accounts/stepup.py) comes after that check, on the erasure page and its actions.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rebond import access
from rebond.accounts import mfa
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.stepup import STEP_UP_MAX_AGE, recent_authentication_required
from rebond.lib.clinic_time import clinic_today
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.lifecycle import actions
from rebond.lifecycle.forms import (
    KEEP_FOR_YEARS,
    KEEP_INDEFINITELY,
    ErasureRequestForm,
    RetentionPolicyForm,
)
from rebond.lifecycle.models import ErasureRecord, RetentionNotice, RetentionPolicy
from rebond.lifecycle.retention import cases_coming_due

UNPROCESSABLE = HTTPStatus.UNPROCESSABLE_ENTITY
NOTICES_SHOWN = 20
RECORDS_SHOWN = 50


@require_http_methods(["GET", "HEAD", "POST"])
def retention_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show and change how long the clinic keeps closed cases (clinic admins)."""
    clinic = access.get_admin_clinic(request.user)
    policy = RetentionPolicy.of_clinic(clinic.pk)
    status = 200
    if request.method == "POST":
        form = RetentionPolicyForm(request.POST)
        if form.is_valid():
            try:
                actions.set_retention_policy(
                    request.user,
                    keep_years=form.chosen_years(),
                    notice_days=form.cleaned_data["notice_days"],
                )
            except ActionError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Retention policy saved."))
                return redirect("retention_settings")
        status = UNPROCESSABLE
    else:
        form = RetentionPolicyForm(
            initial={
                "keep": KEEP_INDEFINITELY if policy.keeps_indefinitely else KEEP_FOR_YEARS,
                "keep_years": policy.keep_years,
                "notice_days": policy.notice_days,
            }
        )
    context = {"form": form, "clinic": clinic, "policy": policy}
    return render(request, "lifecycle/retention_settings.html", context, status=status)


@require_safe
def retention_due(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the closed cases due for erasure and coming due within the notice period."""
    clinic = access.get_admin_clinic(request.user)
    policy = RetentionPolicy.of_clinic(clinic.pk)
    today = clinic_today(clinic)
    coming = cases_coming_due(clinic, policy, today)
    context = {
        "clinic": clinic,
        "policy": policy,
        "today": today,
        "due": [case for case in coming if case.is_due(today)],
        "coming": [case for case in coming if not case.is_due(today)],
        "notices": RetentionNotice.objects.filter(clinic=clinic, erase_on__gte=today)[
            :NOTICES_SHOWN
        ],
        "pending": access.pending_erasures_of_clinic(clinic.pk),
        "records": ErasureRecord.objects.filter(clinic=clinic)[:RECORDS_SHOWN],
    }
    return render(request, "lifecycle/retention_due.html", context)


def _page_url(couple_id: uuid.UUID, partner_id: uuid.UUID) -> str:
    return reverse("partner_erasure", kwargs={"couple_id": couple_id, "partner_id": partner_id})


def _stepped_up(request: AuthenticatedHttpRequest) -> bool:
    return mfa.authenticated_within(request, timedelta(seconds=STEP_UP_MAX_AGE))


@require_http_methods(["GET", "HEAD", "POST"])
def partner_erasure(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Refuse whoever may not see the page, or ask, before asking anyone to re-authenticate."""
    access.get_partner_for_erasure(request.user, couple_id, partner_id)
    if request.method == "POST":  # only a clinic admin asks (404 for the case's team)
        access.get_partner_for_erasure_request(request.user, couple_id, partner_id)
    return _partner_erasure(request, couple_id, partner_id)


@recent_authentication_required()
def _partner_erasure(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Show what erasing the partner's data removes and keeps; ask for it (clinic admins)."""
    partner = access.get_partner_for_erasure(request.user, couple_id, partner_id)
    may_request = access.is_clinic_admin(request.user)
    status = 200
    form = ErasureRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.request_partner_erasure(
                    request.user,
                    couple_id,
                    partner_id,
                    reason=form.cleaned_data["reason"],
                    stepped_up=_stepped_up(request),
                )
            except ActionError as error:
                add_action_errors(form, error)
                status = error.status
            else:
                messages.success(request, _("Erasure requested: a second person must approve it."))
                return redirect(_page_url(couple_id, partner_id))
        else:
            status = UNPROCESSABLE
    pending = access.pending_erasure_of(partner)
    context = {
        "couple": partner.couple,
        "partner": partner,
        "form": form,
        "may_request": may_request,
        "pending": pending,
        "may_approve": pending is not None and pending.requested_by_id != request.user.pk,
        "erased": ErasureRecord.objects.filter(
            kind=ErasureRecord.Kind.PARTNER, object_id=partner.pk
        ).first(),
    }
    return render(request, "lifecycle/partner_erasure.html", context, status=status)


def _after_refusal(
    request: AuthenticatedHttpRequest, error: ActionError, page: str
) -> HttpResponse:
    if error.message == _(actions.STEP_UP_NEEDED):
        return redirect(reverse("reauthenticate") + "?" + urlencode({"next": page}))
    # A refusal (the requester approving, nothing pending) is answered with its reason.
    return HttpResponse(error.message, status=error.status, content_type="text/plain")


@require_POST
def partner_erasure_approve(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Approve the pending erasure (a second person) and erase the partner's data now."""
    page = _page_url(couple_id, partner_id)
    try:
        actions.approve_partner_erasure(
            request.user, couple_id, partner_id, stepped_up=_stepped_up(request)
        )
    except ActionError as error:
        return _after_refusal(request, error, page)
    messages.success(request, _("The partner's own data was erased."))
    return redirect(page)


@require_POST
def partner_erasure_cancel(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Cancel the pending erasure (whoever may approve it): nothing is erased."""
    page = _page_url(couple_id, partner_id)
    try:
        actions.cancel_partner_erasure(request.user, couple_id, partner_id)
    except ActionError as error:
        return _after_refusal(request, error, page)
    messages.success(request, _("The erasure request was cancelled."))
    return redirect(page)
