"""Pages of the second factor: enrol an authenticator app, verify a code at login, re-authenticate
before a sensitive action, and manage the app and recovery codes (rebond/accounts/mfa.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from rebond.accounts import devices, mfa, passkeys, throttle
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.middleware import second_factor_not_required
from rebond.accounts.models import LoginAttempt, User
from rebond.accounts.stepup import recent_authentication_required
from rebond.accounts.views import refused, refused_message

WRONG_CODE = gettext_lazy(
    "That code is not valid. Codes change every 30 seconds and each works only once."
)
WRONG_RECOVERY = gettext_lazy(
    "That is not a valid code, or that recovery code has already been used."
)


class CodeForm(forms.Form):
    code = forms.CharField(max_length=40, strip=True)


class ReauthenticateForm(forms.Form):
    """The password, and either a code from the app or a passkey's answer (passkeys.js)."""

    password = forms.CharField(max_length=4096, strip=False)
    code = forms.CharField(max_length=40, strip=True, required=False)
    passkey_credential = forms.CharField(max_length=20_000, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("code") and not cleaned.get("passkey_credential"):
            self.add_error("code", _("Enter the code from your authenticator app."))
        return cleaned


def _next_url(request: HttpRequest) -> str:
    """Return the safe ?next= (or posted next) address, else the page after login."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _throttle_key(user: User) -> str:
    return f"second-factor:{user.pk}"


def _begin_attempt(request: AuthenticatedHttpRequest) -> LoginAttempt | throttle.Throttled:
    """Start a throttled code attempt; a browser trusted for this clinician is counted alone."""
    device = devices.trusted_key_for(request, request.user)
    try:
        return throttle.begin(_throttle_key(request.user), throttle.client_ip(request), device)
    except throttle.Throttled as refusal:
        mfa.log(request.user, "accounts.mfa.throttled", request.user)
        return refusal


def _trusted_from_now(request: HttpRequest, response: HttpResponse, user: User) -> HttpResponse:
    """Both factors are done: this browser is trusted for the clinician from now (devices.py)."""
    devices.remember(request, response, user)
    return response


def _maybe_refused(response: HttpResponse, refusal: throttle.Throttled | None) -> HttpResponse:
    return refused(response, refusal) if refusal is not None else response


@second_factor_not_required
@require_http_methods(["GET", "POST"])
def enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: show the seed (text and QR code), confirm with a code."""
    user = request.user
    if mfa.has_confirmed_device(user):
        # Enrolment is for a clinician without an app; replacing one is a step-up action.
        return redirect("mfa_settings" if mfa.is_session_verified(request) else "mfa_verify")
    device = mfa.device_being_enrolled(user)
    form = CodeForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        attempt = _begin_attempt(request)
        if isinstance(attempt, throttle.Throttled):
            refusal = attempt
            form.add_error("code", refused_message(refusal))
        elif mfa.check_totp(user, device.secret, form.cleaned_data["code"]):
            throttle.succeeded(attempt)
            codes = mfa.confirm_device(device)
            mfa.complete_second_factor(request, user)
            response = _show_recovery_codes(request, codes, enrolled=True)
            return _trusted_from_now(request, response, user)
        else:
            mfa.log(user, "accounts.mfa.fail", device)
            form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "secret": _grouped(device.secret),
        "qr_svg": mfa.qr_svg(mfa.provisioning_uri(device)),
        "next": _next_url(request),
    }
    return _maybe_refused(render(request, "accounts/mfa_enrol.html", context), refusal)


def _grouped(secret: str) -> str:
    """Return the seed in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _show_recovery_codes(request: HttpRequest, codes: list[str], *, enrolled: bool) -> HttpResponse:
    """Render the recovery codes, the one time they are ever shown (never stored in clear)."""
    context = {"codes": codes, "enrolled": enrolled, "next": _next_url(request)}
    return render(request, "accounts/mfa_recovery_codes.html", context)


@second_factor_not_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for the code from the app, or a recovery code, after the password."""
    user = request.user
    if mfa.is_session_verified(request):
        return HttpResponseRedirect(_next_url(request))
    device = mfa.confirmed_device(user)
    if device is None:
        return redirect("mfa_enrol")
    form = CodeForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        attempt = _begin_attempt(request)
        code = form.cleaned_data["code"]
        if isinstance(attempt, throttle.Throttled):
            refusal = attempt
            form.add_error("code", refused_message(refusal))
        elif kind := mfa.check_second_factor(user, code):
            throttle.succeeded(attempt)
            mfa.complete_second_factor(request, user)
            if kind == "recovery":
                mfa.log(user, "accounts.mfa.recovery_code_use", device)
                left = mfa.unused_recovery_codes(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)s left. If your authenticator app is"
                        " lost, reset it under Two-factor login.",
                        "You used a recovery code; %(count)s left. If your authenticator app is"
                        " lost, reset it under Two-factor login.",
                        left,
                    )
                    % {"count": left},
                )
            else:
                mfa.log(user, "accounts.mfa.verify", device)
            return _trusted_from_now(request, HttpResponseRedirect(_next_url(request)), user)
        else:
            mfa.log(user, "accounts.mfa.fail", device)
            form.add_error("code", WRONG_CODE if mfa.looks_like_totp(code) else WRONG_RECOVERY)
    context = {
        "form": form,
        "next": _next_url(request),
        "passkey_offered": passkeys.offered_to(user),
    }
    return _maybe_refused(render(request, "accounts/mfa_verify.html", context), refusal)


@require_http_methods(["GET", "POST"])
def reauthenticate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask again for the password and a code, or a passkey, before a sensitive action (SE-06).

    A failure says the same whichever part was wrong. With a wrong password the passkey's
    answer is not checked (its challenge is dropped), as the code is then not spent.
    """
    user = request.user
    form = ReauthenticateForm(request.POST or None)
    refusal = None
    if request.method == "POST" and not form.is_valid():
        passkeys.discard_challenge(request.session)
    if request.method == "POST" and form.is_valid():
        attempt = _begin_attempt(request)
        if isinstance(attempt, throttle.Throttled):
            passkeys.discard_challenge(request.session)
            refusal = attempt
            form.add_error(None, refused_message(refusal))
        elif by := _second_proof(request, form):
            throttle.succeeded(attempt)
            mfa.mark_reauthenticated(request)
            mfa.log(user, "accounts.reauthenticate", by)
            return HttpResponseRedirect(_next_url(request))
        else:
            mfa.log(user, "accounts.reauthenticate.fail", user)
            if form.cleaned_data["passkey_credential"]:
                wrong = _("The password or the passkey is not right. Please try again.")
            else:
                wrong = _("The password or the code is not right. Please try again.")
            form.add_error(None, wrong)
    context = {
        "form": form,
        "next": _next_url(request),
        "passkey_offered": passkeys.offered_to(user),
    }
    return _maybe_refused(render(request, "accounts/reauthenticate.html", context), refusal)


def _second_proof(request: AuthenticatedHttpRequest, form: ReauthenticateForm) -> Any:
    """Return what proved it is the clinician (the app or the passkey) with the password, or
    None. A passkey's answer, when given, is the proof checked; otherwise the code."""
    user = request.user
    credential = form.cleaned_data["passkey_credential"]
    if not user.check_password(form.cleaned_data["password"]):
        passkeys.discard_challenge(request.session)
        return None
    if credential:
        try:
            return passkeys.authenticate(request.session, user, credential)
        except passkeys.PasskeyError:
            return None
    device = mfa.confirmed_device(user)
    if device is not None and mfa.check_totp(user, device.secret, form.cleaned_data["code"]):
        return device
    return None


@require_http_methods(["GET"])
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinician's second factor: since when, recovery codes left, and what to do."""
    device = mfa.confirmed_device(request.user)
    context = {
        "device": device,
        "unused": mfa.unused_recovery_codes(request.user),
        "passkeys": passkeys.passkeys_of(request.user),
        "passkeys_available": passkeys.available(),
    }
    return render(request, "accounts/mfa_settings.html", context)


@require_http_methods(["GET", "POST"])
@recent_authentication_required()
def regenerate_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm (GET), then replace the recovery codes and show the new ones once (POST)."""
    if request.method == "POST":
        codes = mfa.regenerate_recovery_codes(request.user)
        return _show_recovery_codes(request, codes, enrolled=False)
    return render(request, "accounts/mfa_confirm.html", {"action": "regenerate"})


@require_http_methods(["GET", "POST"])
@recent_authentication_required()
def reset_device(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm (GET), then remove the authenticator app so a new one is enrolled (POST)."""
    if request.method == "POST":
        mfa.reset_device(request.user)
        mfa.forget_second_factor(request.session)
        messages.info(request, _("Your authenticator app was removed. Set up the new one now."))
        return redirect("mfa_enrol")
    return render(request, "accounts/mfa_confirm.html", {"action": "reset"})
