"""Enrolment: an invited clinician's link, their password, then the authenticator app.

1. The link (/enrol/<token>/) is swapped for a note in this browser's session (the id of
   the invitation and the hash the link matched) and the browser is sent on to the page
   without the token, /enrol/. A GET spends nothing, so a mail scanner opening the link
   does no harm; the token never becomes the address of a page, so it cannot leave in a
   Referer, and the response says `Referrer-Policy: no-referrer` all the same. Logs name
   the route, never the path (rebond/ops/logging.py), and gunicorn's access line and the
   development server's lines replace the token with "-" (rebond/lib/logs.py).
2. /enrol/ asks for a password (AUTH_PASSWORD_VALIDATORS, shown). Setting it spends the
   invitation (rebond/staff/enrolment.py: once, even under a race) and logs the clinician in.
3. The existing authenticator enrolment follows (rebond/accounts/mfa_views.enrol): QR code,
   a code to confirm it, the recovery codes shown once, then the home page. Until the code
   is confirmed, SecondFactorMiddleware keeps every clinician page shut.

Unknown, expired, used and cancelled links, and a session whose link was since replaced,
all get one page (404) that says to ask the clinic admin: nothing tells them apart.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from rebond.staff import enrolment, invitations
from rebond.staff.forms import EnrolmentPasswordForm, password_rules
from rebond.staff.models import Invitation

SESSION_KEY = "rebond.enrolment"
_BACKEND = "django.contrib.auth.backends.ModelBackend"


def not_valid(request: HttpRequest) -> HttpResponse:
    """Return the one page for every link that does not open an enrolment."""
    return render(request, "staff/enrolment_not_valid.html", status=404)


def signed_in_elsewhere(request: HttpRequest) -> HttpResponse:
    """Return the page for a link opened in a browser where a clinician is logged in.

    Shown whatever the link, so it tells a logged-in clinician nothing about it either.
    """
    return render(request, "staff/enrolment_signed_in.html", status=403)


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@require_GET  # Not HEAD: nothing to check for a link checker.
def open_link(request: HttpRequest, invitation_token: str) -> HttpResponse:
    """Remember the link's invitation in this browser and go on to the address without it."""
    if request.user.is_authenticated:
        return _no_referrer(signed_in_elsewhere(request))
    invitation = invitations.find_usable(invitation_token)
    if invitation is None:
        return _no_referrer(not_valid(request))
    # A fresh session: nothing from before (a partner's space, say) rides along with it.
    request.session.flush()
    request.session[SESSION_KEY] = {
        "invitation": str(invitation.pk),
        "token_hash": invitation.token_hash,
    }
    return _no_referrer(redirect("enrolment_password"))


def _pending_invitation(request: HttpRequest) -> Invitation | None:
    """Return the invitation this session's link opened, if that link is still usable."""
    note = request.session.get(SESSION_KEY)
    if not isinstance(note, dict):
        return None
    invitation = (
        Invitation.objects.select_related("user", "clinic")
        .filter(
            pk=str(note.get("invitation")),
            token_hash=str(note.get("token_hash")),
            user__is_active=True,
        )
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


@login_not_required
@require_http_methods(["GET", "POST"])
def choose_password(request: HttpRequest) -> HttpResponse:
    """Ask the invited clinician for a password; set it, log them in, and go on to the app."""
    if request.user.is_authenticated:
        return signed_in_elsewhere(request)
    try:
        invitation = _pending_invitation(request)
    except ValidationError:  # a session note that is no invitation id
        invitation = None
    if invitation is None:
        request.session.pop(SESSION_KEY, None)
        return not_valid(request)
    form = EnrolmentPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = enrolment.accept(invitation, form.cleaned_data["password"])
        request.session.pop(SESSION_KEY, None)
        if user is None:
            return not_valid(request)
        # A new session key (login cycles it); the second factor is still to do.
        login(request, user, backend=_BACKEND)
        return redirect("mfa_enrol")
    context: dict[str, Any] = {
        "form": form,
        "invitation": invitation,
        "rules": password_rules(),
        "expires": invitations.local_expiry(invitation),
    }
    return render(
        request,
        "staff/enrolment_password.html",
        context,
        status=400 if form.errors else 200,
    )
