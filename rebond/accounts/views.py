"""Login and logout for clinicians."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from rebond.accounts import throttle


def refused_message() -> str:
    """Return the one message for every refusal, whether or not the account exists (6.3.8)."""
    minutes = settings.LOGIN_FAILURE_WINDOW_MINUTES
    return f"Too many login attempts. Please wait {minutes} minutes and try again."


class LoginView(auth_views.LoginView):
    """Django's login, throttled per username and address (rebond/accounts/throttle.py).

    Django already marks it as not requiring a login.
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    # Not the PUT that Django's form views treat as a POST.
    http_method_names = ["get", "head", "post"]  # noqa: RUF012 - as Django declares it

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))
        attempt = throttle.begin(username, throttle.client_ip(request))
        if attempt is None:
            # Refused before the password is even checked: a right password here tells nothing.
            context = self.get_context_data(
                form=self.get_form_class()(request), refused=refused_message()
            )
            return self.render_to_response(context, status=429)
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:  # login() has just run
            throttle.succeeded(attempt)
        return response


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only), which also clears what the browser kept (SECURITY.md SE-03)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response
