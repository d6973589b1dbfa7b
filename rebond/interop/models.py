"""API tokens: a clinician's key to the JSON API, stored hashed, expiring and revocable."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.timezone import now

TOKEN_PREFIX = "rbd_"  # noqa: S105 (a prefix that makes leaked tokens recognisable)
TOKEN_LIFETIME = timedelta(days=90)


def new_api_token() -> str:
    """Return a fresh token (shown once to its owner, never stored in clear)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    """Return the SHA-256 of a token: 256 bits of randomness need no slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """One clinician's API token; it reaches exactly what its owner reaches on the web."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text="What the token is for.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"API token {self.name}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > now()
