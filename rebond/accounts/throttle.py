"""Login throttling per account, per client address and per trusted browser, with growing
delays instead of lockouts (SECURITY.md AU-03; OWASP Authentication Cheat Sheet, "Account
Lockout" and "Device Cookies"; issue 15, C12).

Every attempt is stored as a failure *before* the password (or code) is checked, and removed
again if it succeeds. So parallel attempts count against each other at once (no burst gets
past the limit while the slow password hash runs), and the state is in the database, shared
by every worker process.

Counted per account (whatever the address) and per address (whatever the account): the first
`LOGIN_FAILURES_PER_USER` (per address `LOGIN_FAILURES_PER_IP`) failures within
`LOGIN_FAILURE_WINDOW_MINUTES` cost nothing; after that each attempt must wait after the last
failure, 30 seconds, doubling with each further failure up to `LOGIN_DELAY_MAX_MINUTES`. There
is no lockout: whoever waits may try again, and a refused attempt is not counted, so it does
not lengthen the wait. Nobody has to unlock anything.

A hard lockout would let anyone who knows a clinician's e-mail address keep them away from
their alerts (and one guesser behind an office's shared address lock out the whole office).
So a browser in which the clinician completed the second factor before (it holds a device
cookie, rebond/accounts/devices.py) is counted on its own instead: the account-wide and
address-wide delays do not apply to it, only the same delays over its own failures.

The client address is REMOTE_ADDR. Only when TRUSTED_PROXY_COUNT names how many reverse
proxies stand in front of Rebond is X-Forwarded-For read, and then only the entry the nearest
trusted proxy appended: a client cannot spoof its way to fresh counters.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.timezone import now

from rebond.accounts.models import LoginAttempt

_SALT = "rebond.accounts.throttle.username"
_UNKNOWN_IP = "0.0.0.0"  # noqa: S104 - a placeholder address, never bound
# The first wait once the free failures are used up; each further failure doubles it (OWASP
# Authentication Cheat Sheet: exponential delays, capped, rather than a lockout).
FIRST_DELAY = timedelta(seconds=30)


class Throttled(Exception):
    """The attempt was refused before anything was checked; try again after `wait`."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"retry in {wait}")
        self.wait = wait

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.wait.total_seconds()))


def window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def delay_after(failures: int, free: int) -> timedelta:
    """Return how long to wait after the last of `failures`, of which `free` cost nothing."""
    if failures < free:
        return timedelta(0)
    longest = timedelta(minutes=settings.LOGIN_DELAY_MAX_MINUTES)
    doublings = min(failures - free, 32)  # 32 doublings are far past any cap
    return min(FIRST_DELAY * (1 << doublings), longest)


def _wait(failures: QuerySet[LoginAttempt], free: int, at: datetime) -> timedelta:
    counted = failures.aggregate(count=Count("id"), last=Max("at"))
    count: int = counted["count"]
    if count < free:
        return timedelta(0)
    last: datetime = counted["last"]
    return max(timedelta(0), last + delay_after(count, free) - at)


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


def begin(username: str, ip: str, device: str = "", at: datetime | None = None) -> LoginAttempt:
    """Count an attempt as a failure until it succeeds and return it; raise `Throttled` if it
    must wait. `device` is the key of a trusted browser for this account (devices.py), if any.

    A refused attempt is not counted, so refusals do not lengthen the wait.
    """
    at = at or now()
    LoginAttempt.objects.filter(at__lte=at - window()).delete()
    key = username_key(username)
    attempt = LoginAttempt.objects.create(username_key=key, ip=ip, device_key=device, at=at)
    earlier = LoginAttempt.objects.filter(at__gt=at - window()).exclude(pk=attempt.pk)
    if device:
        waits = [_wait(earlier.filter(device_key=device), settings.LOGIN_FAILURES_PER_USER, at)]
    else:
        waits = [
            _wait(earlier.filter(username_key=key), settings.LOGIN_FAILURES_PER_USER, at),
            _wait(earlier.filter(ip=ip), settings.LOGIN_FAILURES_PER_IP, at),
        ]
    wait = max(waits)
    if wait > timedelta(0):
        attempt.delete()
        raise Throttled(wait)
    return attempt


def succeeded(attempt: LoginAttempt) -> None:
    """Forget a successful attempt. Earlier failures stay until they age out: a clinician's
    login must not hand whoever is guessing their password a fresh allowance."""
    attempt.delete()
