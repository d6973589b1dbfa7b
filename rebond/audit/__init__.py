"""The append-only audit trail: who did what to which record, when, and why.

Entries are written by `rebond.audit.log()` inside the same transaction as the change they
describe, so a change without its entry cannot be committed. They hold ids and action names,
never clinical content. Entries are only ever inserted: AuditEntry refuses updates and deletes,
and so do database triggers (rebond/audit/protection.py). Each entry is hash-chained to the one
before it in its clinic's chain, or in the chain of no clinic (rebond/audit/chain.py), so
writers of different clinics never wait on each other; `rebond audit verify` recomputes every
chain.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.timezone import now

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from rebond.audit.models import AuditChainHead, AuditEntry

__all__ = ["ChainHeadMissing", "actor_label_for", "log", "start_chain"]


def actor_label_for(actor: models.Model | None) -> str:
    """Return a stable text label for whoever acted (kept even if the row is deleted)."""
    if actor is None:
        return "public"
    email = getattr(actor, "email", None)
    if email:
        return f"clinician:{email}"
    return f"{actor._meta.model_name}:{actor.pk}"


def log(
    *,
    actor: models.Model | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    clinic_id: uuid.UUID | None = None,
    fields: Iterable[str] = (),
    reason: str = "",
    request_id: uuid.UUID | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Record that `actor` did `action` to `obj`; call inside the transaction of the change.

    `actor` is a clinician (a User), a Partner acting through a private link, or None for an
    anonymous visitor. `fields` names what changed; values are never recorded. Without `obj`,
    `object_type` and `object_id` name the record (a read names it from the URL alone).
    `actor_label` names an operator who is no User (rebond/audit/operations.py).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.log() must run inside the transaction of the change it records.")
    from rebond.audit import chain
    from rebond.audit.models import CHAIN_STARTED_ACTION, GENESIS_ACTION, AuditEntry

    if action in (GENESIS_ACTION, CHAIN_STARTED_ACTION):
        # Written by the chain itself only: verify() reads a start's object_id as a chain.
        raise ValueError(f"{action} is written by the audit chain itself, never through log().")

    # Cost per entry: one SELECT ... FOR UPDATE of the chain's head, the INSERT, one UPDATE of
    # the head (a clinic's first entry also starts its chain: one more INSERT of each, and
    # the record of the start in the chain of no clinic).
    head = _lock_chain_head(chain.chain_of(clinic_id))
    entry = AuditEntry(
        at=now(),
        # A clinician is the user model, named through Django's setting: audit sits below
        # accounts, which writes its own entries (docs/architecture.md).
        actor=actor if isinstance(actor, get_user_model()) else None,
        actor_label=actor_label or actor_label_for(actor),
        clinic_id=clinic_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id,
        fields=sorted(fields),
        reason=reason,
        request_id=request_id or uuid.uuid4(),
    )
    return chain.append(entry, head)


def start_chain(clinic_id: uuid.UUID) -> None:
    """Start the clinic's audit chain now unless it has one; call inside a transaction.

    A clinic's first entry would start it anyway. Starting it with the clinic keeps that
    one-off cost (its genesis entry and the record of its start in the chain of no clinic)
    out of the clinic's first audited page read.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.start_chain() must run inside the transaction of the clinic.")
    from rebond.audit import chain

    _lock_chain_head(chain.chain_of(clinic_id))


class ChainHeadMissing(RuntimeError):
    """An audit chain has no head: it was deleted, so nothing can be recorded (fail closed)."""


def _lock_chain_head(chain_id: uuid.UUID) -> AuditChainHead:
    """Lock and return the head of one chain, starting the chain on a clinic's first entry.

    The lock is held until the caller's transaction ends, so the appends of one chain are
    serialised and it cannot fork, while other chains' writers go on. A missing head of a
    chain that has entries is never rebuilt here: rebuilding it from the last entry would
    bless a truncated chain with a valid mac, so the change is refused instead. The chain of
    no clinic was started by migration 0004, so its head is never missing either.
    """
    from rebond.audit.models import NO_CLINIC, AuditChainHead, AuditEntry

    heads = AuditChainHead.objects.select_for_update()
    head = heads.filter(chain=chain_id).first()
    if head is not None:
        return head
    if chain_id == NO_CLINIC or AuditEntry.objects.filter(chain=chain_id).exists():
        # A clinic's first writer may have committed its new chain since the SELECT above.
        return _existing_head(heads, chain_id)
    # Lock order of a chain's start: the head of no clinic first, then the new head. A writer
    # that already holds the head of no clinic (it logged an entry of no clinic earlier in its
    # transaction) and starts this chain would otherwise wait, in its INSERT below, for a first
    # writer of the same clinic whose uncommitted head it conflicts with, while that writer
    # waits for the head of no clinic to record the start: a deadlock. Taken first, the lock
    # of no clinic also queues two first writers of one clinic before either inserts a head.
    no_clinic_head = _existing_head(heads, NO_CLINIC)
    if _insert_head(chain_id):
        head = heads.get(chain=chain_id)
        return _start_chain(head, no_clinic_head)
    # Another transaction started this chain first: the INSERT waited for it to commit, and
    # this statement (a new snapshot under READ COMMITTED) sees and locks its head.
    return _existing_head(heads, chain_id)


def _existing_head(heads: QuerySet[AuditChainHead], chain_id: uuid.UUID) -> AuditChainHead:
    """Return the (locked) head of a chain that must exist; refuse the change without it."""
    head = heads.filter(chain=chain_id).first()
    if head is None:
        raise ChainHeadMissing(
            "An audit chain head is missing; run `rebond audit verify` (docs/deploy.md)."
        )
    return head


def _insert_head(chain_id: uuid.UUID) -> bool:
    """Insert the head of a new chain at sequence 0; return False if one exists already.

    ON CONFLICT DO NOTHING: of two first writers of a clinic on PostgreSQL, the second's
    INSERT waits on the unique chain until the first commits (then inserts nothing) or rolls
    back (then inserts). On SQLite the IMMEDIATE transaction serialises them anyway.
    """
    from rebond.audit import chain
    from rebond.audit.models import GENESIS, AuditChainHead

    connection = transaction.get_connection()
    field = AuditChainHead._meta.get_field("chain")
    value = field.get_db_prep_value(chain_id, connection)
    mac = chain.head_mac(chain.chain_key(), chain_id, 0, GENESIS)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditchainhead (chain, sequence, hash, mac) VALUES (%s, 0, %s, %s)"
            " ON CONFLICT (chain) DO NOTHING RETURNING id",
            [value, GENESIS, mac],
        )
        return cursor.fetchone() is not None


def _start_chain(head: AuditChainHead, no_clinic_head: AuditChainHead) -> AuditChainHead:
    """Write the genesis entry of the new chain behind its new head (sequence 0), and record
    the start in the chain of no clinic, so that verify() reports the chain if it is later
    deleted whole (entries and head), which its own chain can no longer show."""
    from rebond.audit import chain
    from rebond.audit.models import AuditEntry

    chain.append(AuditEntry(**chain.genesis_values(head.chain)), head)
    chain.append(AuditEntry(**chain.start_values(head.chain)), no_clinic_head)
    return head
