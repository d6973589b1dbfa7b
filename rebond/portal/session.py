"""The private-link session: how a request proves it is one partner, and nothing more.

A partner never logs in. Opening a valid private link stores, under one portal-specific
session key, which partner and which link the session is for; every later request re-checks
that link (so revoking it ends the session at once, SECURITY.md AC-09). A clinician's login
never grants the partner's space, and a partner's session is not a login, so it reaches no
clinician page (LoginRequiredMiddleware still sends it to the login page).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Concatenate, ParamSpec

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.timezone import now

from rebond.couples.models import Partner
from rebond.portal.models import LinkPin, PrivateLink

SESSION_KEY = "rebond.portal"
# A link opened for a partner with a PIN waits here until the PIN is entered; no partner page
# answers it. It holds ids only: the token never outlives the link's first request.
PENDING_KEY = "rebond.portal.pending"
PIN_WINDOW = timedelta(minutes=15)
# SECURITY.md SE-02: a client session ends after 30 idle minutes, and after 4 hours at most.
IDLE_SECONDS = 30 * 60
MAX_AGE = timedelta(hours=4)
IDLE_REFRESH = timedelta(minutes=1)

P = ParamSpec("P")


def _fresh(request: HttpRequest) -> None:
    if request.user.is_authenticated:
        logout(request)  # One browser session is never a clinician and a partner at once.
    request.session.cycle_key()  # A fresh session id: no fixation across the privilege change.
    request.session.pop(SESSION_KEY, None)
    request.session.pop(PENDING_KEY, None)


def start(request: HttpRequest, link: PrivateLink, pin: LinkPin | None = None) -> None:
    """Turn the request's session into a private-link session for the link's partner only.

    With `pin` (the partner's PIN, just entered), the session records which PIN it proved, so
    a PIN set or changed later ends it.
    """
    _fresh(request)
    data = {"partner": str(link.partner_id), "link": str(link.id), "started": now().isoformat()}
    if pin is not None:
        data["pin"] = pin.set_at.isoformat()
    request.session[SESSION_KEY] = data
    request.session.set_expiry(IDLE_SECONDS)


def await_pin(request: HttpRequest, link: PrivateLink) -> None:
    """Hold the opened link in the session until its partner's PIN is entered."""
    _fresh(request)
    request.session[PENDING_KEY] = {
        "partner": str(link.partner_id),
        "link": str(link.id),
        "started": now().isoformat(),
    }
    request.session.set_expiry(IDLE_SECONDS)


def pending_link(request: HttpRequest) -> PrivateLink | None:
    """Return the still-valid link waiting for its PIN in this session, or None."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or request.user.is_authenticated:
        return None
    try:
        started = datetime.fromisoformat(str(data["started"]))
        link = (
            PrivateLink.objects.select_related("partner__couple")
            .filter(id=data["link"], partner_id=data["partner"])
            .first()
        )
    except (KeyError, ValueError, TypeError):
        link = None
    if link is None or not link.is_valid() or now() - started > PIN_WINDOW:
        request.session.pop(PENDING_KEY, None)
        return None
    return link


def pin_of(partner: Partner) -> LinkPin | None:
    """Return the partner's PIN row, or None (uses the select_related cache when there is one)."""
    try:
        return partner.link_pin
    except ObjectDoesNotExist:
        return None


def end(request: HttpRequest) -> None:
    """Forget the session entirely (server side too)."""
    request.session.flush()


def current_partner(request: HttpRequest) -> Partner | None:
    """Return the partner whose private-link session this is, or None."""
    if request.user.is_authenticated:
        return None
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        started = datetime.fromisoformat(str(data["started"]))
        link = (
            PrivateLink.objects.select_related("partner__couple", "partner__link_pin")
            .filter(id=data["link"], partner_id=data["partner"])
            .first()
        )
    except (KeyError, ValueError, TypeError):
        link = None
    if link is None or not link.is_valid() or now() - started > MAX_AGE:
        request.session.pop(SESSION_KEY, None)
        return None
    # A partner with a PIN is let in only by a session that proved that very PIN.
    pin = pin_of(link.partner)
    if pin is not None and data.get("pin") != pin.set_at.isoformat():
        request.session.pop(SESSION_KEY, None)
        return None
    # Requests restart the idle clock (the expiry counts from the session's last save). Saving
    # on every request would add a database write to every autosave; once a minute is enough
    # for a 30-minute limit.
    seen = data.get("seen")
    if not isinstance(seen, str) or now() - datetime.fromisoformat(seen) > IDLE_REFRESH:
        data["seen"] = now().isoformat()
        request.session[SESSION_KEY] = data
    return link.partner


def not_valid(request: HttpRequest) -> HttpResponse:
    """Return the one calm page for every link or session that does not open a space.

    Unknown, expired, revoked and logged-out look exactly alike: nothing says whether a link
    ever existed.
    """
    return render(request, "portal/not_valid.html", status=404)


def partner_required(
    view: Callable[Concatenate[HttpRequest, Partner, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Let only a private-link session in, and pass the view its partner."""

    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        partner = current_partner(request)
        if partner is None:
            return not_valid(request)
        return view(request, partner, *args, **kwargs)

    functools.update_wrapper(wrapped, view)
    return login_not_required(wrapped)
