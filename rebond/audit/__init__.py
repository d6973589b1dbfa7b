"""The append-only audit trail: who did what to which record, when, and why.

Entries are written by `rebond.audit.log()` inside the same transaction as the change they
describe, so a change without its entry cannot be committed. They hold ids and action names,
never clinical content. Entries are only ever inserted: AuditEntry refuses updates and deletes,
and so do database triggers (rebond/audit/protection.py). Each entry is hash-chained to the one
before it (rebond/audit/chain.py); `rebond audit verify` recomputes the chain.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.timezone import now

if TYPE_CHECKING:
    from rebond.audit.models import AuditChainHead, AuditEntry

__all__ = ["ChainHeadMissing", "actor_label_for", "log"]


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
    from rebond.audit.models import AuditChainHead, AuditEntry

    # Cost per entry: one SELECT ... FOR UPDATE of the head, the INSERT, one UPDATE of the head.
    head = _lock_chain_head()
    entry = AuditEntry(
        sequence=head.sequence + 1,
        prev_hash=head.hash,
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
    key = chain.chain_key()
    entry.hash = chain.link_hash(key, entry.prev_hash, chain.values_of(entry))
    entry.save(force_insert=True)
    AuditChainHead.objects.filter(pk=head.pk).update(
        sequence=entry.sequence,
        hash=entry.hash,
        mac=chain.head_mac(key, entry.sequence, entry.hash),
    )
    return entry


class ChainHeadMissing(RuntimeError):
    """The audit chain has no head: it was deleted, so nothing can be recorded (fail closed)."""


def _lock_chain_head() -> AuditChainHead:
    """Lock and return the chain head (migration 0004 created it with the genesis entry).

    The lock is held until the caller's transaction ends, so appends are serialised and the
    chain cannot fork. A missing head is never rebuilt here: rebuilding it from the last
    entry would bless a truncated chain with a valid mac, so the change is refused instead.
    """
    from rebond.audit.models import HEAD_ID, AuditChainHead

    try:
        return AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)
    except AuditChainHead.DoesNotExist:
        raise ChainHeadMissing(
            "The audit chain head is missing; run `rebond audit verify` (docs/deploy.md)."
        ) from None
