"""Invitations: how a clinician's account comes to exist and to be used (issue 16).

The clinician's User row is made when they are invited, with their roles and an unusable
password, so it cannot log in. The invitation's link (in the e-mail, or printed by
`rebond clinic create`) lets its holder set a password once; the authenticator app comes next
(rebond/accounts/mfa_views.enrol), and until it is confirmed the second-factor middleware
keeps every clinician page shut. Only a keyed hash of the link's token is stored.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from rebond.accounts.models import Clinic


class Invitation(models.Model):
    """One invitation of one clinician to one clinic; its link works once, for 72 hours."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    # The invited clinician's account, made at invitation time with an unusable password.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    # HMAC-SHA256 of the token under SECRET_KEY (rebond/staff/invitations.py): the token itself
    # exists only in the link. A new link (resend) replaces it, so the old link stops working.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    # When the invited clinician set their password through the link (then it works no more).
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the e-mail carrying the current link went out; empty if sending it failed.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The clinic admin who invited; empty for the first admin, invited by `rebond clinic create`.
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            # The staff page lists a clinic's pending invitations (invitations.pending_for).
            models.Index(
                fields=["clinic", "expires_at"],
                name="invitation_pending",
                condition=models.Q(used_at=None, cancelled_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.id} to {self.clinic_id}"

    @property
    def is_usable(self) -> bool:
        """Return whether the link may still be used to set a password, right now."""
        return self.used_at is None and self.cancelled_at is None and now() < self.expires_at

    @property
    def status(self) -> str:
        """Return the invitation's state in the words a clinic admin reads."""
        if self.used_at is not None:
            return "Accepted"
        if self.cancelled_at is not None:
            return "Cancelled"
        if now() >= self.expires_at:
            return "Expired"
        return "Waiting"
