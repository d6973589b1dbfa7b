"""A per-address, per-clinic limit on public submissions, kept in the database.

No third-party service and no cache server: a small table of keyed hashes works the same on
SQLite and PostgreSQL and across several server processes. The address is the one login
throttling uses (`rebond.accounts.throttle.client_ip`): REMOTE_ADDR, or behind
TRUSTED_PROXY_COUNT reverse proxies the client address the nearest one appended to
X-Forwarded-For. So clients behind one proxy are counted apart, while the part of the header a
client writes itself can never reset its count.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.timezone import now

from rebond.accounts.models import Clinic
from rebond.accounts.throttle import client_ip
from rebond.intake.models import RateLimitHit

LIMIT = 5  # Submissions allowed per address, per clinic, per window.
WINDOW = timedelta(hours=1)
_SALT = "rebond.intake.ratelimit"


def client_key(request: HttpRequest, clinic: Clinic) -> str:
    """Return a keyed hash of the client address and the clinic; never the address itself."""
    address = client_ip(request)
    return salted_hmac(_SALT, f"{clinic.pk}|{address}", algorithm="sha256").hexdigest()


def prune() -> None:
    """Delete every hit older than the window: nothing about an address outlives it."""
    RateLimitHit.objects.filter(created_at__lt=now() - WINDOW).delete()


def is_limited(key: str) -> bool:
    """Return whether this key has used up its submissions for the current window."""
    prune()
    recent = RateLimitHit.objects.filter(key=key, created_at__gte=now() - WINDOW)
    return recent.count() >= LIMIT


def record_hit(key: str) -> None:
    """Count one accepted submission for this key.

    Call it in the same transaction as `is_limited` and the write it guards: on SQLite the
    IMMEDIATE transaction then serialises concurrent submitters, so none slips past the limit.
    On PostgreSQL two simultaneous submissions may both pass at the limit's edge, which is
    acceptable for a spam brake.
    """
    RateLimitHit.objects.create(key=key)
