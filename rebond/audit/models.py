"""One append-only, hash-chained table of audit entries (SECURITY.md 164.312(b), LG-06).

Each entry commits to the one before it: `hash = HMAC-SHA256(AUDIT_CHAIN_KEY, prev_hash ||
canonical JSON of the entry)` (rebond/audit/chain.py). `AuditChainHead` is the end of the chain,
one row that every `audit.log()` locks, so concurrent writers queue instead of forking the chain.
Database triggers (migration 0003) refuse UPDATE and DELETE on entries even from raw SQL.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now

# The prev_hash of the first entry.
GENESIS = "0" * 64
# The action of the first entry of every chain, written by migration 0004 (chain.start()).
GENESIS_ACTION = "audit.genesis"
HEAD_ID = 1


class AuditEntry(models.Model):
    """One action by one actor on one record. Outlives what it describes."""

    id = models.BigAutoField(primary_key=True)
    # Position in the chain: 1, 2, 3... without gaps, given out by the chain head.
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(default=now)
    # DO_NOTHING without a database constraint: the entry must survive its actor's deletion.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    # Snapshot of who acted ("clinician:<email>", "partner:<id>", "public", "system").
    actor_label = models.CharField(max_length=200)
    clinic_id = models.UUIDField(null=True, db_index=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Names of the fields changed, never their values.
    fields = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    # One id per user action, shared by the entries it writes.
    request_id = models.UUIDField(default=uuid.uuid4)
    # The hash of the entry before this one (GENESIS for the first), and this entry's own.
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        indexes: ClassVar[list[models.Index]] = [
            # "What happened to this record?" (case history, audit review).
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once; an existing entry is never rewritten."""
        if not self._state.adding:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are append-only.")


class AuditChainHead(models.Model):
    """The end of the chain: the last entry's sequence and hash, in one row (id 1).

    `audit.log()` locks it (SELECT ... FOR UPDATE) before appending, which serialises writers
    on PostgreSQL; on SQLite the IMMEDIATE transaction already does. `rebond audit verify`
    also compares it with the last entry, so deleting entries from the end is detected, and
    checks its `mac` (keyed with AUDIT_CHAIN_KEY, chain.head_mac()), so the head cannot be
    moved back onto a truncated chain without the key.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=HEAD_ID)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    mac = models.CharField(max_length=64, default="")

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(id=HEAD_ID), name="audit_chain_head_one_row"),
        ]

    def __str__(self) -> str:
        return f"audit chain head at sequence {self.sequence}"
