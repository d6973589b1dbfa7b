"""Pages and JSON endpoints of passkeys (rebond/accounts/passkeys.py): add one from the
two-factor settings, sign in with one after the password, remove one.

Step-up with a passkey happens on the re-authenticate page itself (mfa_views.reauthenticate).
The options endpoints answer JSON to the static accounts/passkeys.js; the ceremonies end with
an ordinary form post, so the result (or the error) is a page like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rebond.accounts import mfa, passkeys, throttle
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.mfa_views import (
    CodeForm,
    _begin_attempt,
    _maybe_refused,
    _next_url,
    _trusted_from_now,
)
from rebond.accounts.middleware import second_factor_not_required
from rebond.accounts.models import Passkey
from rebond.accounts.stepup import STEP_UP_MAX_AGE, recent_authentication_required
from rebond.accounts.views import refused_message
from rebond.lib.forms import NameField

# A credential as the browser's JSON: ids, client data, authenticator data and a signature or
# an attestation, all base64url. Far below this; a bound keeps a hostile post small.
CREDENTIAL_MAX_LENGTH = 20_000


class PasskeyNameForm(forms.Form):
    name = NameField(
        max_length=60,
        strip=True,
        error_messages={
            "required": gettext_lazy("Give the passkey a name, such as the device it is on."),
            "max_length": gettext_lazy("Keep the name to 60 characters or fewer."),
        },
    )


class PasskeyAddForm(PasskeyNameForm):
    credential = forms.CharField(max_length=CREDENTIAL_MAX_LENGTH, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "name" in cleaned and not cleaned.get("credential"):
            # The browser's part did not run (no JavaScript, or the post was made by hand).
            self.add_error(None, _("Choose Add passkey and follow your browser's steps."))
        return cleaned


class PasskeyAssertionForm(forms.Form):
    credential = forms.CharField(max_length=CREDENTIAL_MAX_LENGTH)


View = Callable[..., HttpResponse]


def _json_error(message: str, status: int, **extra: str) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _app_enrolled_first(view: View) -> View:
    """Send a clinician who has no confirmed authenticator app to its enrolment, by any method.

    A passkey is a second factor beside the app, never instead of enrolling it; these views
    are reachable before the second factor, so they answer an enrolling clinician (who set a
    password but has not confirmed a code) exactly as every other page does.
    """

    @wraps(view)
    def guarded(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if mfa.confirmed_device(request.user) is None:
            return redirect("mfa_enrol")
        return view(request, *args, **kwargs)

    return guarded


@second_factor_not_required
@_app_enrolled_first
@require_POST
def authentication_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Give the browser a fresh challenge and the clinician's passkeys, for login or step-up."""
    if not passkeys.offered_to(request.user):
        return _json_error(_("You have no passkey set up here."), 409)
    return JsonResponse({"options": passkeys.authentication_options(request.session, request.user)})


@require_POST
def registration_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check the name, then give the browser a fresh challenge to create a passkey with.

    The add page itself needs a recent authentication; this endpoint, called from it, answers
    a stale one in JSON with where to confirm (a redirect would reach fetch(), not the page).
    """
    if not mfa.authenticated_within(request, timedelta(seconds=STEP_UP_MAX_AGE)):
        again = reverse("reauthenticate") + "?" + urlencode({"next": reverse("passkey_add")})
        return _json_error(_("Please confirm it is you again."), 403, redirect=again)
    if not passkeys.available():
        return _json_error(_("Passkeys cannot be used at this server's address."), 409)
    form = PasskeyNameForm(request.POST)
    if not form.is_valid():
        return _json_error(str(form.errors["name"][0]), 400, field="name")
    try:
        options = passkeys.registration_options(request.session, request.user)
    except passkeys.PasskeyError as error:
        return _json_error(error.message, 409)
    return JsonResponse({"options": options})


@require_http_methods(["GET", "POST"])
@recent_authentication_required()
def add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Name a new passkey and create it (the browser's part is in passkeys.js)."""
    form = PasskeyAddForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            passkeys.discard_challenge(request.session)
        else:
            try:
                passkey = passkeys.register(
                    request.session,
                    request.user,
                    form.cleaned_data["name"],
                    form.cleaned_data["credential"],
                )
            except passkeys.PasskeyError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Passkey “%(name)s” added. You can use it instead of a code when you log in.")
                    % {"name": passkey.name},
                )
                return redirect("mfa_settings")
    context = {"form": form, "available": passkeys.available()}
    return render(request, "accounts/passkey_add.html", context)


@second_factor_not_required
@_app_enrolled_first
@require_POST
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Complete the login's second factor with a passkey instead of a code."""
    user = request.user
    if mfa.is_session_verified(request):
        return HttpResponseRedirect(_next_url(request))
    form = PasskeyAssertionForm(request.POST)
    attempt = _begin_attempt(request)
    if isinstance(attempt, throttle.Throttled):
        passkeys.discard_challenge(request.session)
        page = _verify_page(request, refused_message(attempt))
        return _maybe_refused(page, attempt)
    if not form.is_valid():
        passkeys.discard_challenge(request.session)
        mfa.log(user, "accounts.passkey.fail", user)
        return _verify_page(request, str(passkeys.NOT_VERIFIED))
    try:
        passkey = passkeys.authenticate(request.session, user, form.cleaned_data["credential"])
    except passkeys.PasskeyError as error:
        return _verify_page(request, error.message)
    throttle.succeeded(attempt)
    mfa.complete_second_factor(request, user)
    mfa.log(user, "accounts.passkey.verify", passkey)
    return _trusted_from_now(request, HttpResponseRedirect(_next_url(request)), user)


def _verify_page(request: AuthenticatedHttpRequest, passkey_error: str) -> HttpResponse:
    """The code page again, with what went wrong with the passkey said beside its button."""
    context = {
        "form": CodeForm(),
        "next": _next_url(request),
        "passkey_offered": passkeys.offered_to(request.user),
        "passkey_error": passkey_error,
    }
    return render(request, "accounts/mfa_verify.html", context)


@require_http_methods(["GET", "POST"])
@recent_authentication_required()
def remove(request: AuthenticatedHttpRequest, passkey_id: UUID) -> HttpResponse:
    """Confirm (GET), then remove one of the clinician's own passkeys (POST)."""
    passkey = get_object_or_404(Passkey, pk=passkey_id, user=request.user)
    if request.method == "POST":
        try:
            passkeys.remove(request.user, passkey)
        except passkeys.PasskeyError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Passkey “%(name)s” removed.") % {"name": passkey.name})
        return redirect("mfa_settings")
    context = {"passkey": passkey, "can_remove": passkeys.can_remove(request.user)}
    return render(request, "accounts/passkey_remove.html", context)
