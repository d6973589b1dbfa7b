"""The append-only audit trail: who did what to which record, when, and why.

Entries are written by `rebond.audit.log()` inside the same transaction as the change they
describe, so a change without its entry cannot be committed. They hold ids and action names,
never clinical content. Entries are only ever inserted (AuditEntry refuses updates and deletes).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models, transaction

if TYPE_CHECKING:
    from rebond.audit.models import AuditEntry

__all__ = ["actor_label_for", "log"]


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
    clinic_id: uuid.UUID | None = None,
    fields: Iterable[str] = (),
    reason: str = "",
    request_id: uuid.UUID | None = None,
) -> AuditEntry:
    """Record that `actor` did `action` to `obj`; call inside the transaction of the change.

    `actor` is a clinician (a User), a Partner acting through a private link, or None for an
    anonymous visitor. `fields` names what changed; values are never recorded.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.log() must run inside the transaction of the change it records.")
    from rebond.accounts.models import User
    from rebond.audit.models import AuditEntry

    return AuditEntry.objects.create(
        actor=actor if isinstance(actor, User) else None,
        actor_label=actor_label_for(actor),
        clinic_id=clinic_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        fields=sorted(fields),
        reason=reason,
        request_id=request_id or uuid.uuid4(),
    )
