"""The private-link session: how a request proves it is one partner, and nothing more.

A partner never logs in. Opening a valid private link stores, under one portal-specific
session key, which partner and which link the session is for; every later request re-checks
that link (so revoking it ends the session at once, SECURITY.md AC-09). A clinician's login
never grants the partner's space, and a partner's session is not a login, so it reaches no
clinician page (LoginRequiredMiddleware still sends it to the login page).

A link is exchanged in one browser only (issue 15 A2). That browser keeps a random key in a
signed, HttpOnly cookie (Secure with the __Host- prefix over HTTPS; SameSite=Lax so that it
comes along when the link is opened from a mail app), and the link keeps the key's SHA-256.
The cookie outlives the session, so the same browser can open its link again; logging out
clears it with the rest of the browser's state.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Concatenate, ParamSpec

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.timezone import now

from rebond.couples.models import Partner
from rebond.portal.actions import link_lifetime
from rebond.portal.models import (
    LinkOpenedElsewhere,
    LinkPin,
    PrivateLink,
    hash_token,
    new_token,
)

SESSION_KEY = "rebond.portal"
# A link opened for a partner with a PIN waits here until the PIN is entered; no partner page
# answers it. It holds ids only: the token never outlives the link's first request.
PENDING_KEY = "rebond.portal.pending"
PIN_WINDOW = timedelta(minutes=15)
# SECURITY.md SE-02: a client session ends after 30 idle minutes, and after 4 hours at most.
IDLE_SECONDS = 30 * 60
MAX_AGE = timedelta(hours=4)
IDLE_REFRESH = timedelta(minutes=1)
BROWSER_COOKIE_SALT = "rebond.portal.browser"
# A browser key is a new_token(): 32 random bytes, 43 URL-safe characters.
BROWSER_KEY_RE = re.compile(r"[A-Za-z0-9_-]{43}")

P = ParamSpec("P")


def _fresh(request: HttpRequest) -> None:
    if request.user.is_authenticated:
        logout(request)  # One browser session is never a clinician and a partner at once.
    request.session.cycle_key()  # A fresh session id: no fixation across the privilege change.
    request.session.pop(SESSION_KEY, None)
    request.session.pop(PENDING_KEY, None)


# --- The browser a link was exchanged in ---------------------------------------------------


def browser_cookie_name() -> str:
    """Return the browser cookie's name: with the __Host- prefix whenever cookies are Secure."""
    return "__Host-rebond-browser" if settings.SESSION_COOKIE_SECURE else "rebond-browser"


def browser_key(request: HttpRequest) -> str | None:
    """Return this browser's key from its signed cookie, or None (absent, forged or malformed)."""
    key = request.get_signed_cookie(browser_cookie_name(), default=None, salt=BROWSER_COOKIE_SALT)
    if not isinstance(key, str) or not BROWSER_KEY_RE.fullmatch(key):
        return None
    return key


def browser_key_or_new(request: HttpRequest) -> str:
    """Return this browser's key, or a fresh one to give it (see `remember_browser`)."""
    return browser_key(request) or new_token()


def is_links_browser(request: HttpRequest, link: PrivateLink) -> bool:
    """Return whether this is the browser the link was exchanged in."""
    key = browser_key(request)
    if key is None or not link.browser_hash:
        return False
    return constant_time_compare(hash_token(key), link.browser_hash)


def remember_browser(response: HttpResponse, key: str) -> None:
    """Give the browser its key for as long as a new link lives."""
    response.set_signed_cookie(
        browser_cookie_name(),
        key,
        salt=BROWSER_COOKIE_SALT,
        max_age=int(link_lifetime().total_seconds()),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget_browser(response: HttpResponse) -> None:
    """Delete the browser's key (Clear-Site-Data does too, where the browser supports it)."""
    response.delete_cookie(browser_cookie_name(), path="/", samesite="Lax")


def openings_elsewhere(request: HttpRequest, partner: Partner) -> list[LinkOpenedElsewhere]:
    """Return the openings, not yet acknowledged, of the partner's links that were exchanged in
    this browser, by another browser: the partner is told only in their own browser."""
    key = browser_key(request)
    if key is None:
        return []
    return list(
        LinkOpenedElsewhere.objects.filter(
            link__partner=partner, link__browser_hash=hash_token(key), seen_at=None
        ).order_by("opened_at")
    )


# --- The session ------------------------------------------------------------------------------


def start(
    request: HttpRequest,
    link: PrivateLink,
    pin: LinkPin | None = None,
    *,
    first_use: bool = False,
) -> None:
    """Turn the request's session into a private-link session for the link's partner only.

    With `pin` (the partner's PIN, just entered), the session records which PIN it proved, so
    a PIN set or changed later ends it. `first_use` marks the session that exchanged the link,
    in which the partner is offered a PIN first thing.
    """
    _fresh(request)
    data = {"partner": str(link.partner_id), "link": str(link.id), "started": now().isoformat()}
    if pin is not None:
        data["pin"] = pin.set_at.isoformat()
    if first_use:
        data["first_use"] = "1"
    request.session[SESSION_KEY] = data
    request.session.set_expiry(IDLE_SECONDS)


def prove_pin(request: HttpRequest, pin: LinkPin) -> None:
    """Record in the session that it knows the partner's PIN (just chosen by the partner)."""
    data = request.session.get(SESSION_KEY)
    if isinstance(data, dict):
        data["pin"] = pin.set_at.isoformat()
        request.session[SESSION_KEY] = data


def is_first_use(request: HttpRequest) -> bool:
    """Return whether this session is the one that exchanged its link."""
    data = request.session.get(SESSION_KEY)
    return isinstance(data, dict) and data.get("first_use") == "1"


def await_pin(request: HttpRequest, link: PrivateLink, *, bind: bool) -> None:
    """Hold the opened link in the session until its partner's PIN is entered.

    `bind`: the link is not yet exchanged in any browser, so the right PIN binds it to this one.
    """
    _fresh(request)
    request.session[PENDING_KEY] = {
        "partner": str(link.partner_id),
        "link": str(link.id),
        "started": now().isoformat(),
        "bind": "1" if bind else "",
    }
    request.session.set_expiry(IDLE_SECONDS)


def pending_binds(request: HttpRequest) -> bool:
    """Return whether the link waiting for its PIN is to be bound to this browser."""
    data = request.session.get(PENDING_KEY)
    return isinstance(data, dict) and data.get("bind") == "1"


def pending_link(request: HttpRequest) -> PrivateLink | None:
    """Return the still-valid link waiting for its PIN in this session, or None."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or request.user.is_authenticated:
        return None
    try:
        started = datetime.fromisoformat(str(data["started"]))
        link = (
            PrivateLink.objects.select_related("partner__couple__clinic")
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
            PrivateLink.objects.select_related("partner__couple__clinic", "partner__link_pin")
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


def claimed_partner_id(request: HttpRequest) -> str | None:
    """Return the partner id this browser's private-link session names, without checking it.

    For presentation only (the clinic's time zone to show times in): whether the session is
    still valid, and what it may reach, is `current_partner`'s decision on every page.
    """
    if request.user.is_authenticated:
        return None
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    partner_id = data.get("partner")
    return partner_id if isinstance(partner_id, str) else None


def not_valid(request: HttpRequest) -> HttpResponse:
    """Return the one calm page for every link or session that does not open a space.

    Unknown, expired, revoked and logged-out look exactly alike: nothing says whether a link
    ever existed.
    """
    return render(request, "portal/not_valid.html", status=404)


def opened_elsewhere(request: HttpRequest) -> HttpResponse:
    """Return the calm page for a link opened in a browser other than its own, without a PIN.

    Like `not_valid`, it says nothing of whose link it is, which practice, or what is behind it.
    """
    return render(request, "portal/opened_elsewhere.html", status=403)


def speak_to(request: HttpRequest, partner: Partner) -> None:
    """Answer this request in the partner's own language (else their clinic's default).

    The two partners of one couple may read different ones. Used once the request is known to
    be this partner's: their session, or their opened link waiting for its PIN.
    """
    language = partner.preferred_language
    translation.activate(language)
    request.LANGUAGE_CODE = language


def partner_required(
    view: Callable[Concatenate[HttpRequest, Partner, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Let only a private-link session in, and pass the view its partner."""

    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        partner = current_partner(request)
        if partner is None:
            return not_valid(request)
        # Also for the views that skip the locale middleware's look-up (no_clinic_time).
        speak_to(request, partner)
        return view(request, partner, *args, **kwargs)

    functools.update_wrapper(wrapped, view)
    return login_not_required(wrapped)
