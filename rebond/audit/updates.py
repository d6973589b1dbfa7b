"""Change some fields of a row and record which ones changed: the write most actions end with.

It lives beside `audit.log` rather than in `rebond/lib`: `lib` sits below every app and imports
none, and this needs the audit trail (whose `log` already imports `accounts`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.timezone import now

from rebond.audit import log


def audited_update(
    obj: models.Model,
    values: Mapping[str, object],
    actor: models.Model | None,
    action: str,
    *,
    clinic_id: uuid.UUID | None = None,
    audit_unchanged: bool = False,
    reason: str | Callable[[list[str]], str] = "",
) -> list[str]:
    """Set the fields whose value differs, save those, audit their names; return them.

    1. Only the fields whose value is not already `values[name]` are set and saved, with
       `updated_at` when the model has one (set to now: not every model's is `auto_now`).
    2. The audit entry names the changed fields, never their values. Nothing changed: nothing
       is saved or audited, unless `audit_unchanged` (a row just created is a change).
    3. A row not saved yet is inserted whole and always audited, naming the fields set here
       to other than their defaults.
    `reason` may be a function of the changed fields' names, called once they are set (a
    clinic's settings say what changed from what to what).
    Call inside the transaction of the change, like `audit.log`.
    """
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    adding = obj._state.adding
    if not (changed or adding or audit_unchanged):
        return changed
    for name in changed:
        setattr(obj, name, values[name])
    if adding:
        obj.save()
    elif changed:
        if _has_field(obj, "updated_at"):
            obj.updated_at = now()  # type: ignore[attr-defined]
            obj.save(update_fields=[*changed, "updated_at"])
        else:
            obj.save(update_fields=changed)
    said = reason(changed) if callable(reason) else reason
    log(actor=actor, action=action, obj=obj, clinic_id=clinic_id, fields=changed, reason=said)
    return changed


def _has_field(obj: models.Model, name: str) -> bool:
    try:
        obj._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
