"""Trusted browsers: a signed device cookie set after a clinician completes the second factor.

OWASP's "device cookie" defence against malicious lockout (Authentication Cheat Sheet; issue
15, C12): somebody who knows a clinician's e-mail address can make the login of that account
wait (rebond/accounts/throttle.py), but a browser in which the clinician has completed both
factors before is counted on its own, so the clinician still gets in there, while whoever
guesses from anywhere else is slowed down.

The cookie is HttpOnly, SameSite=Strict, `__Host-` and Secure over HTTPS, and signed with
SECRET_KEY. Each entry names a user id, a random browser id, when it was issued and a keyed
hash of the user's password hash, so it stops working after TRUST_DAYS, when the password
changes, when the clinician is deactivated (`forget_all`), and for every other account. It
holds no e-mail address and no password, and it is no login: the password and the second
factor are still asked for every time. A browser keeps entries for up to MAX_ACCOUNTS
clinicians (a shared office computer).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.timezone import now

from rebond.accounts.models import User

# How long a browser stays trusted after the last time both factors were completed in it.
TRUST_DAYS = 90
MAX_ACCOUNTS = 5
COOKIE_NAME = "__Host-rebond-device" if settings.SESSION_COOKIE_SECURE else "rebond-device"
_SALT = "rebond.accounts.devices"


def _password_binding(user: User) -> str:
    return salted_hmac(f"{_SALT}.password", user.password, algorithm="sha256").hexdigest()[:32]


def device_key(browser_id: str) -> str:
    """Return the keyed hash under which a trusted browser's failures are counted."""
    return salted_hmac(f"{_SALT}.key", browser_id, algorithm="sha256").hexdigest()


def _entries(request: HttpRequest) -> list[dict[str, Any]]:
    """Return the cookie's unexpired entries; none if it is missing, forged or malformed."""
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return []
    try:
        entries = signing.loads(value, salt=_SALT)
    except signing.BadSignature:
        return []
    if not isinstance(entries, list):
        return []
    oldest = (now() - timedelta(days=TRUST_DAYS)).timestamp()
    return [e for e in entries if isinstance(e, dict) and e.get("t", 0) >= oldest]


def _key_if_trusted(entry: dict[str, Any], user: User) -> str:
    if entry.get("u") != str(user.pk) or not user.is_active:
        return ""
    forgotten = user.browsers_forgotten_at
    if forgotten is not None and entry.get("t", 0) <= forgotten.timestamp():
        return ""
    if not constant_time_compare(str(entry.get("p", "")), _password_binding(user)):
        return ""
    return device_key(str(entry.get("d", "")))


def trusted_key_for(request: HttpRequest, user: User) -> str:
    """Return the device key if this browser is trusted for `user`, else ""."""
    for entry in _entries(request):
        if key := _key_if_trusted(entry, user):
            return key
    return ""


def trusted_key_for_username(request: HttpRequest, username: str) -> str:
    """Return the device key if this browser is trusted for the account typed, else ""."""
    entries = _entries(request)
    if not entries:
        return ""
    user = User.objects.filter(
        pk__in=[str(e.get("u")) for e in entries], email=username.strip().lower()
    ).first()
    return trusted_key_for(request, user) if user is not None else ""


def remember(request: HttpRequest, response: HttpResponse, user: User) -> None:
    """Mark this browser trusted for `user` (after both factors), for TRUST_DAYS from now."""
    issued: datetime = now()
    entries = _entries(request)
    mine = [e for e in entries if _key_if_trusted(e, user)]
    others = [e for e in entries if e.get("u") != str(user.pk)]
    entry = {
        "u": str(user.pk),
        # The same browser keeps its id (and the count of its own failures).
        "d": str(mine[0]["d"]) if mine else secrets.token_urlsafe(16),
        "t": int(issued.timestamp()),
        "p": _password_binding(user),
    }
    value = signing.dumps([entry, *others][:MAX_ACCOUNTS], salt=_SALT, compress=True)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=TRUST_DAYS * 24 * 60 * 60,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def forget_all(user: User) -> None:
    """Stop trusting every browser trusted for `user` so far (when they are deactivated).

    The cookies stay in those browsers but count for nothing: a browser is trusted again only
    after the clinician completes both factors in it anew.
    """
    user.browsers_forgotten_at = now()
    user.save(update_fields=["browsers_forgotten_at"])
