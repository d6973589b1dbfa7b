"""Pages of a clinician's own account: the forgotten password (by e-mail), the account page
(password change, the language of their pages, links to the second factor), and a clinic
admin's reset of a colleague's lost second factor (rebond/accounts/passwords.py,
preferences.py, mfa.py)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rebond import access
from rebond.accounts import devices, mfa, passwords, preferences, throttle
from rebond.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    NewPasswordForm,
    SecondFactorResetForm,
)
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import User
from rebond.accounts.stepup import recent_authentication_required
from rebond.accounts.views import refused, wait_text
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors
from rebond.lib.language import first_supported, name_of

# --- Forgotten password -------------------------------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    """Ask for the address; answer every address alike (ASVS 6.3.8, passwords.request_reset).

    A valid address always leads to the same "check your e-mail" page, whether an account has
    it, may reset, or neither; only a throttled request is told to wait, and that depends
    only on how often this address and this client asked.
    """
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            passwords.request_reset(request, form.cleaned_data["email"])
        except throttle.Throttled as refusal:
            context = {
                "form": form,
                # Translators: %(wait)s is a duration such as "30 seconds" or "3 minutes".
                "refused": _("Too many reset requests. Please wait %(wait)s and try again.")
                % {"wait": wait_text(refusal)},
            }
            return refused(render(request, "accounts/password_forgot.html", context), refusal)
        return redirect("password_reset_sent")
    status = 400 if form.errors else 200
    return render(request, "accounts/password_forgot.html", {"form": form}, status=status)


@login_not_required
@require_http_methods(["GET", "HEAD"])
def reset_sent(request: HttpRequest) -> HttpResponse:
    """Say what happens next, the same words for every address (nothing is looked up)."""
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    return render(request, "accounts/password_reset_sent.html", {"minutes": minutes})


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation (token swapped for the session, then a token-free address),
    for an account that may still reset, signing in with the password only (AU-07).

    After the new password the clinician is signed in with it and sent to the second factor;
    every other session ends, and the clinician is e-mailed (passwords.finish_reset).
    """

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    token_generator = passwords.reset_tokens
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("mfa_verify")
    http_method_names = ["get", "head", "post"]  # noqa: RUF012 - as Django declares it

    @method_decorator(login_not_required)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Django's dispatch answers a link before View.dispatch would refuse other methods.
        if (request.method or "").lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_user(self, uidb64: str) -> User | None:
        user: User | None = super().get_user(uidb64)
        # Deactivated (or 2FA reset) after the link was sent: the link no longer works.
        if user is None or passwords.reset_refusal(user):
            return None
        return user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        return context

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            passwords.finish_reset(self.request, self.user)
        messages.success(
            self.request,
            _(
                "Your password is changed. Enter the code from your authenticator app to finish"
                " logging in."
            ),
        )
        return response

    def form_invalid(self, form: NewPasswordForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


# --- The account page ---------------------------------------------------------------------------


# The account page holds two forms; the language form says which it is with this field.
FORM_FIELD, LANGUAGE_FORM = "form", "language"


def _clinic_default(user: User) -> str:
    return first_supported(user.clinic.default_language if user.clinic else None)


def _language_form(user: User, data: Any = None) -> LanguageForm:
    return LanguageForm(
        data, initial={"language": user.language}, clinic_default=_clinic_default(user)
    )


def _account_page(
    request: AuthenticatedHttpRequest,
    form: ChangePasswordForm,
    status: int = 200,
    *,
    language_form: LanguageForm | None = None,
    **extra: Any,
) -> HttpResponse:
    user = request.user
    context = {
        "form": form,
        "language_form": language_form or _language_form(user),
        "language_form_field": FORM_FIELD,
        "language_form_name": LANGUAGE_FORM,
        "device": mfa.confirmed_device(user),
        "unused": mfa.unused_recovery_codes(user),
        **extra,
    }
    return render(request, "accounts/account.html", context, status=status)


def _save_language(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save the clinician's language (audited); the next page, and this message, are in it."""
    user = request.user
    form = _language_form(user, request.POST)
    if form.is_valid():
        try:
            changed = preferences.set_language(user, form.cleaned_data["language"])
        except ActionError as error:
            add_action_errors(form, error)
        else:
            with translation.override(user.preferred_language):
                if not changed:
                    said = _("Nothing had changed; the language is as it was.")
                elif user.language:
                    said = _("Your pages and e-mails are now in %(language)s.")
                else:
                    said = _(
                        "Your pages and e-mails now follow the clinic's default (%(language)s)."
                    )
                messages.success(request, said % {"language": name_of(user.preferred_language)})
            return redirect("account")
    return _account_page(request, ChangePasswordForm(user), status=400, language_form=form)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinician's account; change the password (POST) with the current one, or the
    language of their pages (POST with form=language).

    Wrong current passwords are throttled like logins (a session left open must not be a way
    to guess it) and audited. After a change the other sessions end; this browser stays
    signed in and trusted.
    """
    user = request.user
    if request.method != "POST":
        return _account_page(request, ChangePasswordForm(user))
    if request.POST.get(FORM_FIELD) == LANGUAGE_FORM:
        return _save_language(request)
    form = ChangePasswordForm(user, request.POST)
    try:
        attempt = passwords.begin_change(request, user)
    except throttle.Throttled as refusal:
        # Translators: %(wait)s is a duration such as "30 seconds" or "3 minutes".
        message = _("Too many wrong passwords. Please wait %(wait)s and try again.") % {
            "wait": wait_text(refusal)
        }
        return refused(_account_page(request, form, refused=message), refusal)
    if not form.is_valid():
        if "old_password" in form.errors:
            passwords.log(user, "accounts.password_change.fail")
        else:
            throttle.succeeded(attempt)  # the current password was right
        return _account_page(request, form, status=400)
    throttle.succeeded(attempt)
    ended = passwords.change_password(request, user, form.cleaned_data["new_password1"])
    if ended:
        changed = ngettext(
            "Your password is changed. %(count)s other session ended.",
            "Your password is changed. %(count)s other sessions ended.",
            ended,
        ) % {"count": ended}
    else:
        changed = _("Your password is changed.")
    messages.success(request, changed)
    response = redirect("account")
    # The device cookie is bound to the password: this browser stays trusted (devices.py).
    devices.remember(request, response, user)
    return response


# --- A clinic admin resets a colleague's second factor ------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def staff_reset_second_factor(
    request: AuthenticatedHttpRequest, user_id: uuid.UUID
) -> HttpResponse:
    """Refuse whoever may not use the page before asking anyone to re-authenticate: a colleague
    of another clinic is a 404, a clinician who is no admin is told who can (403)."""
    colleague = access.get_clinician_for_admin(request.user, user_id)
    if colleague.pk == request.user.pk:
        messages.info(
            request,
            _(
                "To reset your own authenticator app, use your two-factor page: it asks for your"
                " password and a code, or a recovery code."
            ),
        )
        return redirect("mfa_settings")
    return _reset_second_factor(request, colleague)


@recent_authentication_required()
def _reset_second_factor(request: AuthenticatedHttpRequest, colleague: User) -> HttpResponse:
    """Confirm with a reason (GET), then remove the colleague's app and recovery codes and end
    their sessions (POST); they set up a new app at their next login (mfa.reset_colleagues_device).
    """
    enrolled = mfa.has_confirmed_device(colleague)
    form = SecondFactorResetForm()
    status = 200
    if request.method == "POST" and enrolled:
        form = SecondFactorResetForm(request.POST)
        if form.is_valid():
            mfa.reset_colleagues_device(request.user, colleague.pk, form.cleaned_data["reason"])
            messages.success(
                request,
                _(
                    "The two-factor login of %(name)s is reset and they were logged out. They set"
                    " up their authenticator app again at their next login; they have been told"
                    " by e-mail."
                )
                % {"name": colleague.display_name},
            )
            return redirect("staff_reset_second_factor", user_id=colleague.pk)
        status = 400
    context = {
        "colleague": colleague,
        "enrolled": enrolled,
        "unused": mfa.unused_recovery_codes(colleague),
        "form": form,
    }
    return render(request, "accounts/staff_reset_second_factor.html", context, status=status)
