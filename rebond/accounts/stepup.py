"""Step-up re-authentication before sensitive actions (SECURITY.md SE-06; ASVS 7.5.1, 7.5.3).

Wrap a view with `@recent_authentication_required()` and a clinician whose last full
authentication (password and second factor, at login or at the re-authenticate page) is older
than `max_age` seconds (5 minutes by default) is sent to the re-authenticate page, then back
to the same address. Use it on exports, bulk downloads, break-glass access and changes to a
clinician's e-mail or second factor.

The view is re-entered with GET after re-authentication, so a sensitive POST action should
show its confirmation form on GET at the same address (a stale POST is not replayed).
htmx requests get 403 with an `HX-Redirect` header, which htmx follows as a full page load,
the same answer the second-factor middleware gives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse

from rebond.accounts import mfa

STEP_UP_MAX_AGE = 300  # seconds (SE-06: "within 5 min")

View = TypeVar("View", bound=Callable[..., HttpResponse])


def redirect_for(request: HttpRequest, url_name: str, *, back_after_post: bool) -> HttpResponse:
    """Send the browser to `url_name`, then back here; htmx gets 403 + HX-Redirect.

    After a GET it comes back to the same address. After another method it comes back to the
    same path (as a GET) only if `back_after_post`, else to the page after login.
    """
    target = reverse(url_name)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    elif back_after_post:
        target += "?" + urlencode({"next": request.path})
    if request.headers.get("HX-Request") == "true":
        response: HttpResponse = HttpResponseForbidden()
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)


def recent_authentication_required(
    max_age: int = STEP_UP_MAX_AGE,
) -> Callable[[View], View]:
    """Require password and second factor within the last `max_age` seconds for this view."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not mfa.authenticated_within(request, timedelta(seconds=max_age)):
                return redirect_for(request, "reauthenticate", back_after_post=True)
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
