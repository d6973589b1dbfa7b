"""The staff pages of a clinic admin: the clinic's people, their roles, deactivation and
reactivation, and invitations.

Every view asks the gateway first (`membership.get_colleague` / `access.get_admin_clinic`):
another clinician of the clinic is told who can (403), anyone else gets 404, and so does a
clinician of another clinic named in the URL. Step-up re-authentication
(rebond/accounts/stepup.py) comes after that check, for deactivation, reactivation (it gives
back access to cases) and any change that grants the clinic admin role. The step-up brings the
admin back to the same address with GET, so each of those actions has its confirmation or form
there, and what the admin chose before re-authenticating is kept in the session and shown again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rebond import access
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import User
from rebond.accounts.stepup import recent_authentication_required
from rebond.staff import invitations, membership, rules
from rebond.staff.models import Invitation
from rebond.staff.rules import StaffRuleError
from rebond.staff.staff_forms import InviteForm, RolesForm

UNPROCESSABLE = 422
CONFLICT = 409  # the change breaks a rule of the clinic as it stands (rebond/staff/rules.py)
# What the admin chose before a step-up sent them to re-authenticate (see the module docstring).
PENDING_KEY = "rebond.staff.pending"


@dataclass(frozen=True)
class StaffRow:
    person: User
    is_you: bool
    # A colleague's lost authenticator is reset from here (never one's own: the account page).
    reset_second_factor_url: str | None


def _keep_pending(request: AuthenticatedHttpRequest, what: str, data: Any) -> None:
    request.session[PENDING_KEY] = {"what": what, "data": data}


def _take_pending(request: AuthenticatedHttpRequest, what: str) -> Any:
    """Return (and forget) what was kept for `what` before a step-up, or None."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("what") != what:
        return None
    del request.session[PENDING_KEY]
    return pending.get("data")


def _forget_pending(request: AuthenticatedHttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


# --- The staff page ---------------------------------------------------------------------------


@require_GET
def staff(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the clinic's active clinicians, pending invitations and deactivated clinicians."""
    clinic = access.get_admin_clinic(request.user)
    enrolled = rules.enrolled(clinic).order_by("display_name", "email")
    active = [
        StaffRow(
            person,
            person.pk == request.user.pk,
            None
            if person.pk == request.user.pk
            else reverse("staff_reset_second_factor", kwargs={"user_id": person.pk}),
        )
        for person in enrolled.filter(is_active=True)
    ]
    deactivated = list(enrolled.filter(is_active=False))
    context = {
        "clinic": clinic,
        "active": active,
        "pending": list(invitations.pending_for(clinic)),
        "deactivated": deactivated,
    }
    return render(request, "staff/staff.html", context)


# --- Invitations ------------------------------------------------------------------------------

INVITE_PENDING = "invite"


def _invite_page(
    request: AuthenticatedHttpRequest, form: InviteForm, *, resumed: bool = False, status: int = 200
) -> HttpResponse:
    clinic = access.get_admin_clinic(request.user)
    context = {"clinic": clinic, "form": form, "resumed": resumed}
    return render(request, "staff/invite.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Invite a clinician by e-mail with their roles; inviting a clinic admin needs a recent
    login, as granting the role does."""
    access.get_admin_clinic(request.user)
    if request.method != "POST":
        kept = _take_pending(request, INVITE_PENDING)
        initial = kept if isinstance(kept, dict) else {"roles": [User.Role.THERAPIST]}
        return _invite_page(request, InviteForm(initial=initial), resumed=kept is not None)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _invite_page(request, form, status=UNPROCESSABLE)
    if User.Role.CLINIC_ADMIN in form.chosen_roles():
        kept = {
            "display_name": form.cleaned_data["display_name"],
            "email": form.cleaned_data["email"],
            "roles": sorted(form.chosen_roles()),
        }
        _keep_pending(request, INVITE_PENDING, kept)
        return _invite_clinic_admin(request, form)
    return _send_invitation(request, form)


def _send_invitation(request: AuthenticatedHttpRequest, form: InviteForm) -> HttpResponse:
    clinic = access.get_admin_clinic(request.user)
    try:
        invitation, _link = invitations.invite(
            clinic,
            email=form.cleaned_data["email"],
            display_name=form.cleaned_data["display_name"],
            roles=form.chosen_roles(),
            invited_by=request.user,
        )
    except ValidationError as refused:
        form.add_error(None, refused)
        return _invite_page(request, form, status=UNPROCESSABLE)
    _forget_pending(request)
    _say_sent(request, invitation, resent=False)
    return redirect("staff")


# Inviting someone as a clinic admin grants the role: the same step-up as granting it.
_invite_clinic_admin = recent_authentication_required()(_send_invitation)


def _say_sent(request: AuthenticatedHttpRequest, invitation: Invitation, *, resent: bool) -> None:
    """Tell the admin whether the e-mail went out (it is sent right after the commit)."""
    invitation.refresh_from_db()
    values = {
        "name": invitation.user.display_name,
        "email": invitation.user.email,
        "until": invitations.local_expiry(invitation),
    }
    if invitation.emailed_at is None:
        messages.warning(
            request,
            _(
                "The invitation for %(name)s (%(email)s) is ready, but the e-mail could not be"
                " sent. Check the server's e-mail settings, then send it again from this page."
            )
            % values,
        )
        return
    if resent:
        sent = _(
            "A new link was sent to %(name)s (%(email)s). The link works once, until %(until)s."
        )
    else:
        sent = _("Invitation sent to %(name)s (%(email)s). The link works once, until %(until)s.")
    messages.success(request, sent % values)


def _pending_invitation(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> Invitation | None:
    """Return the pending invitation of a person invited to the admin's clinic.

    None when the person is of the clinic but has none waiting (already enrolled, or it was
    cancelled); Http404 when they are not of the admin's clinic at all.
    """
    clinic = access.get_admin_clinic(request.user)
    if not User.objects.filter(pk=user_id, clinic=clinic).exists():
        raise Http404("Not found.")
    return invitations.pending_for(clinic).filter(user_id=user_id).first()


@require_POST
def resend_invitation(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Give a pending invitation a new link and 72 hours; the old link stops working."""
    invitation = _pending_invitation(request, user_id)
    if invitation is None:
        messages.info(request, _("That invitation was already accepted or cancelled."))
        return redirect("staff")
    try:
        invitations.resend(invitation, by=request.user)
    except ValidationError:
        messages.info(request, _("That invitation was already accepted or cancelled."))
        return redirect("staff")
    _say_sent(request, invitation, resent=True)
    return redirect("staff")


@require_POST
def cancel_invitation(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """End a pending invitation: its link stops working at once."""
    invitation = _pending_invitation(request, user_id)
    if invitation is None:
        messages.info(request, _("That invitation was already accepted or cancelled."))
        return redirect("staff")
    try:
        membership.cancel_invitation(request.user, invitation)
    except ValidationError:
        messages.info(request, _("That invitation was already accepted or cancelled."))
        return redirect("staff")
    messages.success(
        request,
        _("The invitation of %(name)s is cancelled; its link no longer works.")
        % {"name": invitation.user.display_name},
    )
    return redirect("staff")


# --- Roles ------------------------------------------------------------------------------------


def _roles_page(
    request: AuthenticatedHttpRequest,
    colleague: User,
    form: RolesForm,
    *,
    resumed: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {"colleague": colleague, "form": form, "resumed": resumed}
    return render(request, "staff/roles.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def roles(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Show and change a clinician's roles; granting clinic admin needs a recent login."""
    colleague = membership.get_colleague(request.user, user_id)
    if not colleague.is_active:
        messages.info(
            request,
            _("%(name)s is deactivated: reactivate them first.") % {"name": colleague.display_name},
        )
        return redirect("staff")
    pending_for = f"roles:{colleague.pk}"
    if request.method != "POST":
        kept = _take_pending(request, pending_for)
        chosen = kept if isinstance(kept, list) else sorted(rules.roles_of(colleague))
        return _roles_page(
            request, colleague, RolesForm(initial={"roles": chosen}), resumed=kept is not None
        )
    form = RolesForm(request.POST)
    if not form.is_valid():
        return _roles_page(request, colleague, form, status=UNPROCESSABLE)
    if User.Role.CLINIC_ADMIN in form.chosen_roles() and not colleague.is_clinic_admin:
        _keep_pending(request, pending_for, sorted(form.chosen_roles()))
        return _grant_clinic_admin(request, colleague, form)
    return _save_roles(request, colleague, form)


def _save_roles(
    request: AuthenticatedHttpRequest, colleague: User, form: RolesForm
) -> HttpResponse:
    try:
        changed = membership.change_roles(request.user, colleague.pk, form.chosen_roles())
    except StaffRuleError as refused:
        form.add_error(None, refused.message)
        return _roles_page(request, colleague, form, status=CONFLICT)
    _forget_pending(request)
    roles_now = ", ".join(str(role.label) for role in changed.roles)
    messages.success(
        request,
        _("%(name)s's roles are now: %(roles)s.")
        % {"name": changed.display_name, "roles": roles_now},
    )
    if changed.pk == request.user.pk and not changed.is_clinic_admin:
        return redirect("caseload")  # no longer theirs to manage
    return redirect("staff")


# Granting the clinic admin role gives access to every setting and person of the clinic.
_grant_clinic_admin = recent_authentication_required()(_save_roles)


# --- Deactivation and reactivation ------------------------------------------------------------


def _deactivation_page(
    request: AuthenticatedHttpRequest,
    colleague: User,
    refused: StaffRuleError | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "colleague": colleague,
        "is_you": colleague.pk == request.user.pk,
        "refused": refused,
    }
    return render(request, "staff/deactivate.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def deactivate(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Refuse whoever may not manage staff before asking anyone to re-authenticate."""
    colleague = membership.get_colleague(request.user, user_id)
    return _deactivate(request, colleague)


@recent_authentication_required()
def _deactivate(request: AuthenticatedHttpRequest, colleague: User) -> HttpResponse:
    """Confirm (GET), then deactivate (POST); what blocks it is said on both."""
    if not colleague.is_active:
        messages.info(
            request, _("%(name)s is already deactivated.") % {"name": colleague.display_name}
        )
        return redirect("staff")
    if request.method != "POST":
        try:
            rules.check_may_deactivate(colleague, by=request.user)
        except StaffRuleError as refused:
            return _deactivation_page(request, colleague, refused)
        return _deactivation_page(request, colleague, None)
    try:
        done = membership.deactivate(request.user, colleague.pk)
    except StaffRuleError as refused:
        return _deactivation_page(request, colleague, refused, status=CONFLICT)
    if done.pk == request.user.pk:
        logout(request)  # their own session was just ended with the others
        messages.info(request, _("Your account is deactivated; your sessions have ended."))
        return redirect("login")
    messages.success(
        request,
        _(
            "%(name)s is deactivated. Their sessions have ended, their API tokens are revoked"
            " and they have been told by e-mail."
        )
        % {"name": done.display_name},
    )
    return redirect("staff")


@require_http_methods(["GET", "HEAD", "POST"])
def reactivate(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Refuse whoever may not manage staff before asking anyone to re-authenticate."""
    colleague = membership.get_colleague(request.user, user_id)
    return _reactivate(request, colleague)


@recent_authentication_required()
def _reactivate(request: AuthenticatedHttpRequest, colleague: User) -> HttpResponse:
    """Confirm (GET), then reactivate (POST): the clinician's cases open to them again."""
    if colleague.is_active:
        messages.info(request, _("%(name)s is already active.") % {"name": colleague.display_name})
        return redirect("staff")
    if request.method != "POST":
        return render(request, "staff/reactivate.html", {"colleague": colleague})
    done = membership.reactivate(request.user, colleague.pk)
    messages.success(
        request,
        _("%(name)s can log in again, and has been told by e-mail.") % {"name": done.display_name},
    )
    return redirect("staff")
