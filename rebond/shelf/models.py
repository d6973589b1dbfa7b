"""The reading shelf: a clinic's short psychoeducation pages, and who on a case is asked to read
which (issue 19 item 5).

A page is the clinic's own content (Markdown written by its clinic admins, or Rebond's starter
set they may edit), not client data: it is stored in plaintext (docs/crypto-inventory.yaml).
An assignment says that a clinician on a case gave a page to partner A, partner B or both;
who may see what is decided in rebond/access/shelf.py.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from rebond.accounts.models import Clinic
from rebond.couples.models import Couple, Partner

TITLE_MAX_LENGTH = 120
# About ten phone screens: a page on the shelf is meant to be short (issue 19 item 5).
BODY_MAX_LENGTH = 20_000


class ShelfPage(models.Model):
    """One page of a clinic's reading shelf: a title and a Markdown body."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="shelf_pages")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # Markdown, rendered through rebond/shelf/markdown.py only (no HTML, no images, no script).
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    # The starter page this one was made from (rebond/shelf/starter/<key>.md), so that adding
    # Rebond's starter pages again adds only the missing ones; blank for the clinic's own pages.
    starter_key = models.CharField(max_length=60, blank=True, default="")
    # Only a published page can be given to a partner; unpublishing hides it from partners at
    # once. Pages are never deleted: assignments keep pointing at them.
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["title"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["clinic", "starter_key"],
                condition=~Q(starter_key=""),
                name="shelf_page_one_per_starter_key",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PageAssignment(models.Model):
    """A page given to one partner of a case (`partner`), or to both (`partner` empty)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    page = models.ForeignKey(ShelfPage, on_delete=models.PROTECT, related_name="assignments")
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="page_assignments")
    # Empty: both partners of the case.
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="page_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # When a partner first opened it (for both: whichever partner first). Shown to the case's
    # clinicians only, never to a partner.
    first_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-assigned_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # At most one active assignment of a page to the same partner of a case, and one to
            # both partners (NULL partners are distinct in a unique index, hence two rules).
            models.UniqueConstraint(
                fields=["page", "couple", "partner"],
                condition=Q(withdrawn_at__isnull=True, partner__isnull=False),
                name="shelf_one_active_assignment_per_partner",
            ),
            models.UniqueConstraint(
                fields=["page", "couple"],
                condition=Q(withdrawn_at__isnull=True, partner__isnull=True),
                name="shelf_one_active_assignment_to_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.page_id} for {self.couple_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
