"""Private links: how a partner, who never logs in, reaches their own space (SECURITY.md LK-*).

A link's token is >= 128 bits from `secrets` and exists only in the e-mail that carries it:
the database keeps its SHA-256. The token is minted by the delivery task itself, so it is
never written to the task queue either. A link is valid for one partner only, until it
expires or is revoked.

A link is exchanged once, for a session in one browser (issue 15 A2): the first browser that
opens it is bound to it through a random key in an HttpOnly cookie (rebond/portal/session.py),
of which the link keeps only the SHA-256. That browser may open the link again; any other
browser is asked for the partner's PIN, or shown a calm page, and the opening is recorded so
the partner is told in their own browser.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from rebond.couples.models import Partner

# secrets.token_urlsafe(32): 32 random bytes = 256 bits, 43 URL-safe characters.
TOKEN_BYTES = 32
# Longer input is not a token we issued; refusing it early bounds the hashing work.
MAX_TOKEN_LENGTH = 64
# SECURITY.md LK-*: the fifth wrong PIN revokes the link it was entered for.
MAX_PIN_FAILURES = 5


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """Return a fresh URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class PrivateLink(models.Model):
    """One partner's private link for one purpose; stored only as the hash of its token."""

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("Invitation to their space")
        REMINDER = "reminder", _("Reminder of open check-ins")
        DIARY = "diary", _("Reminder to write in the diary")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="private_links")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    # Empty until the delivery task mints the token; the link cannot be used before that.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    first_used_at = models.DateTimeField(null=True, blank=True)
    # A reminder link is spent once every check-in it carries is finished (SECURITY.md LK-01):
    # it no longer opens a session, though a session it already opened runs on to the receipt.
    spent_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the key of the one browser this link was exchanged in (the browser cookie of
    # rebond/portal/session.py); empty until a browser opens it (and passes the PIN, if any).
    browser_hash = models.CharField(max_length=64, blank=True, default="")
    # Wrong PINs entered after opening this link; at MAX_PIN_FAILURES the link is revoked.
    pin_failures = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            # Re-inviting revokes the partner's older unused links of the same purpose.
            models.Index(fields=["partner", "purpose", "revoked_at"], name="link_partner_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.id})"

    def is_valid(self) -> bool:
        """Return whether the link may open its partner's space right now."""
        if self.token_hash is None:
            return False
        if self.revoked_at is not None:
            return False
        return now() < self.expires_at

    def can_open(self) -> bool:
        """Return whether the link's token may start a new session right now."""
        return self.is_valid() and self.spent_at is None

    @property
    def status(self) -> str:
        """Return the link's state in words a clinician reads on the links page."""
        if self.revoked_at is not None:
            return pgettext("private link", "Revoked")
        if self.token_hash is None:
            return pgettext("private link", "Waiting to be sent")
        if now() >= self.expires_at:
            return pgettext("private link", "Expired")
        if self.spent_at is not None:
            return pgettext("private link", "Used up: its check-ins are finished")
        if self.first_used_at:
            return pgettext("private link", "Opened")
        return pgettext("private link", "Not opened yet")


class LinkPin(models.Model):
    """An optional PIN a partner must enter after opening any of their private links.

    Only a password hash is kept (Django's hashers). A 4-8 digit PIN is a short secret: the
    hash keeps it from being read off a screen or a backup, and the lockout after
    MAX_PIN_FAILURES wrong tries is what stops guessing.
    """

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="link_pin")
    pin_hash = models.CharField(max_length=256)
    # Stored in the private-link session when the PIN is entered; a new PIN ends that session.
    set_at = models.DateTimeField(default=now)
    # The clinician who set it; empty when the partner chose it themselves at first use.
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    def __str__(self) -> str:
        return f"PIN of {self.partner_id}"


class LinkOpenedElsewhere(models.Model):
    """One opening of a private link in a browser other than the one it was exchanged in.

    Nothing about the other browser is kept (no address, no user agent): only when. The
    partner is told in their own browser, and says they have read it (`seen_at`).
    """

    link = models.ForeignKey(PrivateLink, on_delete=models.CASCADE, related_name="elsewhere")
    opened_at = models.DateTimeField(default=now)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["opened_at"]

    def __str__(self) -> str:
        return f"{self.link_id} opened elsewhere at {self.opened_at:%Y-%m-%d %H:%M}"
