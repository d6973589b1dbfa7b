"""One append-only table of audit entries, hash-chained per clinic (SECURITY.md 164.312(b), LG-06).

Each entry commits to the one before it in its chain: `hash = HMAC-SHA256(AUDIT_CHAIN_KEY,
prev_hash || canonical JSON of the entry)` (rebond/audit/chain.py). There is one chain per
clinic and one for events of no clinic (`NO_CLINIC`, which also holds the whole trail written
before per-clinic chains, migration 0005). `AuditChainHead` is the end of one chain, one row per
chain that `audit.log()` locks, so writers of one clinic queue instead of forking its chain
while writers of other clinics never wait on them. Database triggers (migration 0003) refuse
UPDATE and DELETE on entries even from raw SQL.
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
# The action of the entry of the chain of no clinic that records a clinic chain's start
# (object_id: the started chain), so a clinic's chain deleted whole is still seen (chain.verify()).
CHAIN_STARTED_ACTION = "audit.chain_started"
CHAIN_OBJECT_TYPE = "audit.chain"
# The chain of events of no clinic (clinic ids are random UUIDs, never the nil one).
NO_CLINIC = uuid.UUID(int=0)


class AuditEntry(models.Model):
    """One action by one actor on one record. Outlives what it describes."""

    id = models.BigAutoField(primary_key=True)
    # The chain the entry belongs to: its clinic's id, or NO_CLINIC.
    chain = models.UUIDField(default=NO_CLINIC, editable=False)
    # Position in its chain: 1, 2, 3... without gaps, given out by the chain's head.
    sequence = models.PositiveBigIntegerField(editable=False)
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
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence"),
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
    """The end of one chain: its last entry's sequence and hash, one row per chain.

    `audit.log()` locks the head of the entry's chain (SELECT ... FOR UPDATE) before appending,
    which serialises the writers of that chain on PostgreSQL; on SQLite the IMMEDIATE
    transaction already serialises every writer. `rebond audit verify` compares each head with
    its chain's last entry, so deleting entries from the end is detected, and checks its `mac`
    (keyed with AUDIT_CHAIN_KEY over the chain's id, its sequence and hash, chain.head_mac()),
    so a head cannot be moved back onto a truncated chain, nor onto another chain, without
    the key.
    """

    id = models.BigAutoField(primary_key=True)
    chain = models.UUIDField(unique=True)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)
    mac = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"audit chain {self.chain} head at sequence {self.sequence}"
