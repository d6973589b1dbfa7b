"""The audit hash chain: how an entry's hash is computed, and `verify()` which recomputes it.

    hash = HMAC-SHA256(AUDIT_CHAIN_KEY, prev_hash || canonical JSON of the entry)
    head mac = HMAC-SHA256(AUDIT_CHAIN_KEY, "rebond-audit-head" LF sequence ":" hash)

Every chain starts with a genesis entry (`start()`, migration 0004), so an empty trail is a
deleted one. The head's mac means the head cannot be moved back onto a truncated chain
without the key; an old copy of the whole trail (a rollback) is caught only against an anchor
kept off the database (rebond/audit/anchor.py), which `verify()` compares when given one.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.timezone import now

from rebond.audit.models import GENESIS, GENESIS_ACTION, HEAD_ID, AuditChainHead, AuditEntry

if TYPE_CHECKING:
    from rebond.audit.anchor import Anchor

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


def head_mac(key: bytes, sequence: int, hash_: str) -> str:
    """Return the keyed MAC of a chain head (distinct from any entry hash by its prefix)."""
    message = f"rebond-audit-head\n{int(sequence)}:{hash_}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def values_of(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


def start(
    entry_model: type[AuditEntry],
    head_model: type[AuditChainHead],
    using: str,
    *,
    earlier: list[dict[str, Any]] | None = None,
) -> None:
    """Write the genesis entry and the head of a new chain, then chain `earlier` behind it.

    For an empty trail only (migration 0004 and a test database's flush call it): `earlier`
    are the hashed values of entries written before chains had a genesis, in their order.
    Takes the model classes so that migrations can pass their historical ones.
    """
    earlier = earlier or []
    genesis: dict[str, Any] = {
        "at": now(),
        "actor_id": None,
        "actor_label": "system",
        "clinic_id": None,
        "action": GENESIS_ACTION,
        "object_type": "",
        "object_id": "",
        "fields": [],
        "reason": f"Start of the audit trail; {len(earlier)} earlier entries chained after it.",
        "request_id": uuid.uuid4(),
    }
    key, previous, sequence = chain_key(), GENESIS, 0
    for values in [genesis, *earlier]:
        sequence += 1
        values = {**values, "sequence": sequence}
        digest = link_hash(key, previous, values)
        entry_model.objects.using(using).create(**values, prev_hash=previous, hash=digest)
        previous = digest
    head_model.objects.using(using).create(
        pk=HEAD_ID, sequence=sequence, hash=previous, mac=head_mac(key, sequence, previous)
    )


@dataclass(frozen=True)
class Verdict:
    """The outcome of `verify()`: how many entries were read, and the first broken link."""

    checked: int
    total: int
    problem: str | None = None
    # The latest anchor the chain was compared with, if any.
    anchor: Anchor | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(
    using: str = "default", *, anchors: Sequence[Anchor] = (), chunk_size: int = 2000
) -> Verdict:
    """Recompute the chain in insertion (id) order; stop at the first broken link.

    Detects an edited entry (its hash no longer matches), a deleted one (a gap in the
    sequence, a missing genesis entry, or a head ahead of the last entry), reordered ones
    (sequences out of id order), entries forged without the key (hash mismatch) or appended
    outside `audit.log()`, and a head rewritten without the key (its mac). Each of `anchors`
    (signed heads kept off the database) must still be in the chain: a chain shorter than an
    anchor, or with another hash at its sequence, was rolled back or rewritten.
    """
    latest = max(anchors, key=lambda a: a.sequence, default=None)
    total = AuditEntry.objects.using(using).count()
    if total == 0:
        return Verdict(0, 0, "the audit trail is empty: its genesis entry was deleted", latest)
    checked, last, last_hash, problem = _walk(using, anchors, chunk_size)
    if problem is None:
        problem = _check_head(using, last, last_hash, latest)
    return Verdict(checked, total, problem, latest)


def _walk(
    using: str, anchors: Sequence[Anchor], chunk_size: int
) -> tuple[int, int, str, str | None]:
    """Recompute every link; return (entries checked, last sequence, its hash, problem)."""
    key = chain_key()
    anchored: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        anchored.setdefault(anchor.sequence, []).append(anchor)
    entries = AuditEntry.objects.using(using)
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
                return checked, expected - 1, previous, f"{problem}; {found}".rstrip("; ")
            missing = f"{expected}" if sequence == expected + 1 else f"{expected}-{sequence - 1}"
            if expected == 1:
                missing += " (the genesis entry)"
            problem = f"entries deleted: sequence {missing} missing before {where}"
            return checked, expected - 1, previous, problem
        if sequence == 1 and action != GENESIS_ACTION:
            problem = f"the chain does not start with its genesis entry: {where}"
            return checked, 0, previous, problem
        if prev_hash != previous:
            problem = (
                f"broken link: {where} does not follow the entry before it"
                " (an entry was replaced, inserted or deleted)"
            )
            return checked, expected - 1, previous, problem
        if not hmac.compare_digest(stored_hash, link_hash(key, prev_hash, values)):
            problem = f"{where} does not match its hash: edited, or written without the chain key"
            return checked, expected - 1, previous, problem
        for anchor in anchored.get(sequence, ()):
            if not hmac.compare_digest(anchor.hash, stored_hash):
                problem = (
                    f"{where} differs from the anchor of {anchor.at_text}: the chain was"
                    " rewritten or replaced since"
                )
                return checked, expected - 1, previous, problem
        checked += 1
        expected, previous = sequence + 1, stored_hash
    return checked, expected - 1, previous, None


def _check_head(using: str, last: int, last_hash: str, latest: Anchor | None) -> str | None:
    """Compare the chain's end with the latest anchor and with the (keyed) chain head."""
    if latest is not None and latest.sequence > last:
        return (
            f"entries deleted or rolled back: the anchor of {latest.at_text} records sequence"
            f" {latest.sequence} but the last entry is sequence {last}"
        )
    head = AuditChainHead.objects.using(using).filter(pk=HEAD_ID)
    head_row = head.values_list("sequence", "hash", "mac").first()
    if head_row is None:
        return f"the chain head is missing (last entry sequence {last})"
    head_sequence, head_hash, stored_mac = head_row
    if not hmac.compare_digest(stored_mac, head_mac(chain_key(), head_sequence, head_hash)):
        return "the chain head does not match its mac: rewritten without the chain key"
    if head_sequence > last:
        return (
            f"entries deleted: the chain head records sequence {head_sequence}"
            f" but the last entry is sequence {last}"
        )
    if head_sequence < last:
        return (
            "entries appended outside audit.log(): the chain head records sequence"
            f" {head_sequence} but the last entry is sequence {last}"
        )
    if not hmac.compare_digest(head_hash, last_hash):
        return f"the chain head does not match entry sequence {last}"
    return None
