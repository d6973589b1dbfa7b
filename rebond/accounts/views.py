"""Login and logout for clinicians."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rebond.accounts import devices, throttle


def wait_text(refusal: throttle.Throttled) -> str:
    """Return how long a throttled clinician waits, in words ("30 seconds", "3 minutes")."""
    seconds = refusal.seconds
    if seconds < 120:
        return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}


def refused_message(refusal: throttle.Throttled) -> str:
    """Return the one message for every refusal, whether or not the account exists (6.3.8)."""
    # Translators: %(wait)s is a duration such as "30 seconds" or "3 minutes".
    return _("Too many login attempts. Please wait %(wait)s and try again.") % {
        "wait": wait_text(refusal)
    }


def refused(response: HttpResponse, refusal: throttle.Throttled) -> HttpResponse:
    """Mark a throttled response 429 with the wait in Retry-After (RFC 9110, 10.2.3)."""
    response.status_code = 429
    response["Retry-After"] = str(refusal.seconds)
    return response


class LoginView(auth_views.LoginView):
    """Django's login, throttled per username and address, or per browser for a browser
    trusted for that account (rebond/accounts/throttle.py, devices.py).

    Django already marks it as not requiring a login.
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    # Not the PUT that Django's form views treat as a POST.
    http_method_names = ["get", "head", "post"]  # noqa: RUF012 - as Django declares it

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))
        device = devices.trusted_key_for_username(request, username)
        try:
            attempt = throttle.begin(username, throttle.client_ip(request), device)
        except throttle.Throttled as refusal:
            # Refused before the password is even checked: a right password here tells nothing.
            context = self.get_context_data(
                form=self.get_form_class()(request), refused=refused_message(refusal)
            )
            return refused(self.render_to_response(context), refusal)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:  # login() has just run
            throttle.succeeded(attempt)
        return response


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only), which also clears what the browser kept (SECURITY.md SE-03).

    Every cookie but the trusted-browser cookie (devices.py) is deleted: it holds no session
    and no data, and a clinician who logs out at the end of the day must still be able to get
    in from this browser while someone is making their account wait. So Clear-Site-Data names
    the cache and storage, and the session and CSRF cookies are expired by name.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            response.delete_cookie(name, path="/", samesite="Lax")
        return response
