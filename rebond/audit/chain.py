"""The audit hash chain: how an entry's hash is computed, and `verify()` which recomputes it.

    hash = HMAC-SHA256(AUDIT_CHAIN_KEY, prev_hash || canonical JSON of the entry)

The canonical JSON holds the entry's sequence and every recorded field (`at` in UTC ISO 8601
with microseconds), keys sorted, no spaces, UTF-8. It is a stored format: changing it, or the
key, makes every existing entry fail verification. The key lives outside the database (settings
AUDIT_CHAIN_KEY), so someone who can write to the database but lacks the key cannot recompute
the chain after editing it. Verification reports ids, sequence numbers and action names only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from rebond.audit.models import GENESIS, HEAD_ID, AuditChainHead, AuditEntry

# The fields an entry's hash covers, in the order verify() reads them.
HASHED_FIELDS = (
    "sequence",
    "at",
    "actor_id",
    "actor_label",
    "clinic_id",
    "action",
    "object_type",
    "object_id",
    "fields",
    "reason",
    "request_id",
)


def chain_key() -> bytes:
    return str(settings.AUDIT_CHAIN_KEY).encode("utf-8")


def canonical(values: Mapping[str, Any]) -> bytes:
    """Return the canonical JSON of an entry's hashed fields."""
    at = values["at"]
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError("An audit entry's time must be timezone-aware.")
    document = {
        "sequence": int(values["sequence"]),
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": _text(values["actor_id"]),
        "actor_label": values["actor_label"],
        "clinic_id": _text(values["clinic_id"]),
        "action": values["action"],
        "object_type": values["object_type"],
        "object_id": values["object_id"],
        "fields": list(values["fields"]),
        "reason": values["reason"],
        "request_id": _text(values["request_id"]),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _text(value: uuid.UUID | str | int | None) -> str | None:
    return None if value is None else str(value)


def link_hash(key: bytes, prev_hash: str, values: Mapping[str, Any]) -> str:
    """Return the hash of one entry, given the hash of the entry before it."""
    return hmac.new(key, prev_hash.encode("ascii") + canonical(values), hashlib.sha256).hexdigest()


def values_of(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


@dataclass(frozen=True)
class Verdict:
    """The outcome of `verify()`: how many entries were read, and the first broken link."""

    checked: int
    total: int
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(using: str = "default", *, chunk_size: int = 2000) -> Verdict:
    """Recompute the chain in insertion (id) order; stop at the first broken link.

    Detects an edited entry (its hash no longer matches), a deleted one (a gap in the
    sequence, or a head ahead of the last entry), reordered ones (sequences out of id order),
    and entries forged without the key (hash mismatch) or appended outside `audit.log()`.
    """
    key = chain_key()
    entries = AuditEntry.objects.using(using)
    total = entries.count()
    rows = entries.order_by("id").values_list("id", "prev_hash", "hash", *HASHED_FIELDS)
    expected, previous, checked = 1, GENESIS, 0
    for entry_id, prev_hash, stored_hash, *hashed in rows.iterator(chunk_size=chunk_size):
        values = dict(zip(HASHED_FIELDS, hashed, strict=True))
        sequence, action = values["sequence"], values["action"]
        where = f"entry id {entry_id} (sequence {sequence}, {action})"
        if sequence != expected:
            elsewhere = entries.filter(sequence=expected).values_list("id", flat=True).first()
            if elsewhere is not None or sequence < expected:
                found = f"sequence {expected} is at entry id {elsewhere}" if elsewhere else ""
                problem = f"entries reordered: {where} is where sequence {expected} belongs"
                return Verdict(checked, total, f"{problem}; {found}".rstrip("; "))
            missing = f"{expected}" if sequence == expected + 1 else f"{expected}-{sequence - 1}"
            return Verdict(
                checked, total, f"entries deleted: sequence {missing} missing before {where}"
            )
        if prev_hash != previous:
            return Verdict(
                checked,
                total,
                f"broken link: {where} does not follow the entry before it"
                " (an entry was replaced, inserted or deleted)",
            )
        if not hmac.compare_digest(stored_hash, link_hash(key, prev_hash, values)):
            return Verdict(
                checked,
                total,
                f"{where} does not match its hash: edited, or written without the chain key",
            )
        checked += 1
        expected, previous = sequence + 1, stored_hash
    last = expected - 1
    head = AuditChainHead.objects.using(using).filter(pk=HEAD_ID).values_list("sequence", "hash")
    head_row = head.first()
    if head_row is None:
        if last == 0:
            return Verdict(checked, total)  # an empty trail: nothing logged yet
        return Verdict(checked, total, f"the chain head is missing (last entry sequence {last})")
    head_sequence, head_hash = head_row
    if head_sequence > last:
        return Verdict(
            checked,
            total,
            f"entries deleted: the chain head records sequence {head_sequence}"
            f" but the last entry is sequence {last}",
        )
    if head_sequence < last:
        return Verdict(
            checked,
            total,
            f"entries appended outside audit.log(): the chain head records sequence"
            f" {head_sequence} but the last entry is sequence {last}",
        )
    if not hmac.compare_digest(head_hash, previous):
        return Verdict(checked, total, f"the chain head does not match entry sequence {last}")
    return Verdict(checked, total)
