"""Login throttling per username and per client address, with a cool-off (SECURITY.md AU-03).

Every password attempt is stored as a failure *before* the password is checked, and removed
again if it succeeds. So parallel attempts count against each other at once (no burst gets
past the limit while the slow password hash runs), and the state is in the database, shared
by every worker process. A username is refused once it has `LOGIN_FAILURES_PER_USER` failures
within the window, whatever the address; an address once it has `LOGIN_FAILURES_PER_IP`,
whatever the username. The refusal ends by itself when those failures age out of the window
(the cool-off): nobody has to unlock anything, and an attacker who fails against one account
from one address locks out neither other accounts nor, for longer than the window, that one.

The client address is REMOTE_ADDR. Only when TRUSTED_PROXY_COUNT names how many reverse
proxies stand in front of Rebond is X-Forwarded-For read, and then only the entry the nearest
trusted proxy appended: a client cannot spoof its way to fresh counters.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.timezone import now

from rebond.accounts.models import LoginAttempt

_SALT = "rebond.accounts.throttle.username"
_UNKNOWN_IP = "0.0.0.0"  # noqa: S104 - a placeholder address, never bound


def window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def username_key(username: str) -> str:
    """Return the keyed hash under which attempts for `username` are counted."""
    return salted_hmac(_SALT, username.strip().lower(), algorithm="sha256").hexdigest()


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: REMOTE_ADDR, or the one the trusted proxies vouch for."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", "")) or _UNKNOWN_IP
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted == 0:
        return remote
    # Each proxy appends the address it received the request from, so with N trusted proxies
    # the client is the N-th entry from the right; anything further left is the client's word.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < trusted:
        return remote
    return _valid_ip(forwarded[-trusted]) or remote


def begin(username: str, ip: str, at: datetime | None = None) -> LoginAttempt | None:
    """Count an attempt as a failure until it succeeds; return it, or None if refused.

    A refused attempt is not counted, so refusals do not extend the cool-off.
    """
    at = at or now()
    LoginAttempt.objects.filter(at__lte=at - window()).delete()
    key = username_key(username)
    attempt = LoginAttempt.objects.create(username_key=key, ip=ip, at=at)
    recent = LoginAttempt.objects.filter(at__gt=at - window())
    if (
        recent.filter(username_key=key).count() > settings.LOGIN_FAILURES_PER_USER
        or recent.filter(ip=ip).count() > settings.LOGIN_FAILURES_PER_IP
    ):
        attempt.delete()
        return None
    return attempt


def succeeded(attempt: LoginAttempt) -> None:
    """Forget a successful attempt. Earlier failures stay until they age out: a clinician's
    login must not hand whoever is guessing their password a fresh allowance."""
    attempt.delete()
