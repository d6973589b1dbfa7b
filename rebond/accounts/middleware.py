"""Idle and absolute limits of a clinician's session (SECURITY.md header point 6, SE-02), and
the second factor required before any clinician page (AU-01, `SecondFactorMiddleware`).

A clinician is logged out after `CLINICIAN_IDLE` without a request and `CLINICIAN_MAX_AGE`
after the session began, whatever the activity, and sent to the login page with a calm note.
Only logged-in sessions are looked at: a partner's private-link session is not a login and
keeps its own limits (rebond/portal/session.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond.accounts.models import User

logger = logging.getLogger(__name__)

SESSION_KEY = "rebond.clinician"
CLINICIAN_IDLE = timedelta(minutes=15)
CLINICIAN_MAX_AGE = timedelta(hours=12)
# The idle clock is kept in the session; saving it on every request would add a database
# write to every page, so it moves at most once a minute (logout comes early, never late).
IDLE_REFRESH = timedelta(minutes=1)
EXPIRED = gettext_noop(
    "For your clients' privacy you were logged out after a period of inactivity."
)
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])
ENDED = gettext_noop(
    "For your clients' privacy a session lasts at most 12 hours. Please log in again."
)


def _parse(data: object) -> tuple[datetime, datetime] | None:
    """Return (started, seen), or None when the clock is unreadable (then treated as expired)."""
    if isinstance(data, dict):
        try:
            return datetime.fromisoformat(str(data["started"])), datetime.fromisoformat(
                str(data["seen"])
            )
        except (KeyError, ValueError):
            pass
    return None


def _clock(started: datetime, seen: datetime) -> dict[str, str]:
    return {"started": started.isoformat(), "seen": seen.isoformat()}


def start_clock(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """Start the clock at login (user_logged_in; the test client's force_login sends it too).

    The login saves the session anyway, so the first page after it writes nothing more.
    """
    if request is not None and hasattr(request, "session"):
        current = now()
        request.session[SESSION_KEY] = _clock(current, current)


class ClinicianSessionMiddleware:
    """Log out a clinician session past its idle or absolute limit.

    A logged-in session without the clock (one that began before this middleware was
    installed) starts it on its next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            current = now()
            if SESSION_KEY not in request.session:
                request.session[SESSION_KEY] = _clock(current, current)
                return self.get_response(request)
            clock = _parse(request.session[SESSION_KEY])
            if clock is None or current - clock[1] > CLINICIAN_IDLE:
                return self._end(request, EXPIRED)
            started, seen = clock
            if current - started > CLINICIAN_MAX_AGE:
                return self._end(request, ENDED)
            if current - seen > IDLE_REFRESH:
                request.session[SESSION_KEY] = _clock(started, current)
        return self.get_response(request)

    @staticmethod
    def _end(request: HttpRequest, note: str) -> HttpResponse:
        logout(request)  # Flushes the session, server side too.
        # In the language of the login page it is shown on (the browser's: nobody is signed in).
        messages.info(request, _(note))
        response = redirect_to_login(request.get_full_path())
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def second_factor_not_required(view: ViewFunc) -> ViewFunc:
    """Mark a view a clinician may reach after the password alone (enrol, verify, logout)."""
    view.second_factor_not_required = True  # type: ignore[attr-defined]
    return view


class SecondFactorMiddleware:
    """Refuse every clinician page until the session's second factor is done (AU-01).

    A logged-in clinician whose session has not completed it is sent to the verify page (or,
    with no confirmed authenticator app yet, to the enrolment page) from every view except
    those marked `second_factor_not_required`, and the public and partner pages (marked
    @login_not_required), which are no clinician's pages and show nothing of theirs. htmx
    requests get 403 with `HX-Redirect`, which htmx follows as a full page load.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        from rebond.accounts import mfa
        from rebond.accounts.stepup import redirect_for

        if not request.user.is_authenticated:
            return None
        if getattr(view_func, "login_required", True) is False:
            return None
        if getattr(view_func, "second_factor_not_required", False):
            return None
        if mfa.is_session_verified(request):
            return None
        user = request.user
        target = "mfa_verify" if mfa.has_confirmed_device(user) else "mfa_enrol"
        return redirect_for(request, target, back_after_post=False)


class ClinicalReadAuditMiddleware:
    """Record every page a clinician reads, and every object fetch refused (LG-01, LG-03).

    One audit entry per successful GET of a clinician page, naming the route and the object it
    was about (the first `<name>_id` in the URL) but never what was shown. A refused fetch of
    an object (404) is recorded as `denied`. A read through an emergency grant is recorded as
    `emergency_read`, a distinct event (AC-08). If the entry cannot be written the clinician
    gets a plain 503 instead of the page: a read is never shown unaudited (fail closed).
    Partners' and anonymous requests are not clinician reads and are not recorded here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = request.resolver_match
        if not isinstance(user, User):
            return response
        if (
            request.method not in ("GET", "HEAD")
            or not user.is_authenticated
            or match is None
            # The login and second-factor pages show the clinician's own account, no PHI.
            or match.func.__module__.startswith("rebond.accounts.")
            or not (200 <= response.status_code < 300 or response.status_code == 404)
        ):
            return response
        object_kind, object_id = _object_of(match.kwargs)
        if response.status_code == 404 and not object_id:
            return response
        try:
            _record_read(request, user, match.url_name or "", object_kind, object_id, response)
        except DatabaseError:
            logger.exception("A clinician read could not be audited; the page was withheld.")
            return HttpResponse(
                _("The page could not be shown. Please try again in a moment."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        return response


def _object_of(kwargs: dict[str, object]) -> tuple[str, str]:
    for name, value in kwargs.items():
        if name.endswith("_id"):
            return name.removesuffix("_id"), str(value)
    return "", ""


def _record_read(
    request: HttpRequest,
    user: User,
    route: str,
    object_kind: str,
    object_id: str,
    response: HttpResponse,
) -> None:
    from rebond import access, audit

    if response.status_code == 404:
        action = "denied"
    elif object_kind == "couple" and access.is_emergency_reader(user, object_id):
        action = "emergency_read"
    else:
        action = "read"
    with transaction.atomic():
        audit.log(
            actor=user,
            action=f"{action}:{route}",
            object_type=object_kind,
            object_id=object_id,
            clinic_id=user.clinic_id,
        )
