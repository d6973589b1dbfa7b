"""Emergency ("break-glass") access to a case (SECURITY.md header point 5, AC-08).

A clinic admin grants one clinician time-limited access to one case they are not on, with a
stated reason: a therapist is away and their client is at risk. The grant is audited, the
case's clinicians are told (without clinical content), and every page read under it is
audited as an emergency read. It ends on its own; the admin can end it sooner.

Every grant is approved by someone other than its grantee: a grant to another clinician by
the granting admin; an admin's grant to themselves by a second clinic admin or a safety lead
of the clinic, and until then it opens nothing (issue 15 D18).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from rebond.couples.models import Couple
from rebond.crypto.fields import EncryptedTextField

# Long enough to cover a crisis until the case's own clinician is back on duty; short enough
# that a forgotten grant does not become standing access. A practice choice, not a norm.
MAX_HOURS = 72
DEFAULT_HOURS = 8
REASON_MIN_LENGTH = 20


class EmergencyAccess(models.Model):
    """One clinician's time-limited access to one case they do not work on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="emergency_grants")
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="emergency_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Why the case had to be opened; read by the clinic admin and the case's clinicians in
    # Rebond only, never sent in an e-mail.
    reason = EncryptedTextField(respondent="couple")
    granted_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    # Who let the grant open the case, and when; empty while a self-grant waits for approval.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-granted_at"]
        indexes: ClassVar[list[models.Index]] = [
            # The gateway asks, on every clinical query, which grants a clinician holds now.
            models.Index(fields=["grantee", "expires_at"], name="emergency_grantee_live"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("grantee")),
                name="emergency_not_approved_by_grantee",
            ),
        ]

    def __str__(self) -> str:
        return f"emergency access to {self.couple_id} for {self.grantee_id}"

    @property
    def is_live(self) -> bool:
        """Return whether the grant opens its case right now."""
        return self.approved_at is not None and self.ended_at is None and now() < self.expires_at

    @property
    def is_pending(self) -> bool:
        """Return whether the grant still waits for its approval (and has not ended)."""
        return self.approved_at is None and self.ended_at is None and now() < self.expires_at

    @property
    def duration(self) -> timedelta:
        return self.expires_at - self.granted_at
