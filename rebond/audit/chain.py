"""The audit hash chains: how an entry's hash is computed, and `verify()` which recomputes them.

    hash = HMAC-SHA256(AUDIT_CHAIN_KEY, prev_hash || canonical JSON of the entry)
    head mac = HMAC-SHA256(AUDIT_CHAIN_KEY, "rebond-audit-head" LF chain LF sequence ":" hash)

There is one chain per clinic and one for events of no clinic (NO_CLINIC, rebond/audit/models.py),
each with its own head, so clinics never wait on each other's writes. An entry's chain is its
clinic's; the chain of no clinic also holds, unchanged, the whole trail written before
per-clinic chains (migration 0005). Every chain starts with a genesis entry (the chain of no
clinic with migration 0004's, a clinic's with its first entry, audit.log()), so an empty chain
is a deleted one; the chain of no clinic records each clinic chain's start, so a clinic's chain
deleted whole, head and all, is still reported. The head's mac means the head cannot be
moved back onto a truncated chain without the key; an old copy of the whole trail (a rollback)
is caught only against an anchor kept off the database (rebond/audit/anchor.py), which
`verify()` compares when given one.

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

from rebond.audit.models import (
    CHAIN_OBJECT_TYPE,
    CHAIN_STARTED_ACTION,
    GENESIS,
    GENESIS_ACTION,
    NO_CLINIC,
    AuditChainHead,
    AuditEntry,
)

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


def head_mac(key: bytes, chain: uuid.UUID, sequence: int, hash_: str) -> str:
    """Return the keyed MAC of a chain's head: it binds the chain's id, so a head cannot be
    moved onto another chain (distinct from any entry hash by its prefix)."""
    message = f"rebond-audit-head\n{chain}\n{int(sequence)}:{hash_}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def chain_of(clinic_id: uuid.UUID | None) -> uuid.UUID:
    """Return the chain of an entry of that clinic (NO_CLINIC for none)."""
    return NO_CLINIC if clinic_id is None else uuid.UUID(str(clinic_id))


def label(chain: uuid.UUID) -> str:
    return "chain of no clinic" if chain == NO_CLINIC else f"chain of clinic {chain}"


def values_of(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


def genesis_values(chain: uuid.UUID) -> dict[str, Any]:
    """Return the hashed values (but the sequence) of the first entry of `chain`.

    A clinic's genesis entry names the clinic, so its hash, and every hash after it, is of
    that chain alone.
    """
    return {
        "at": now(),
        "actor_id": None,
        "actor_label": "system",
        "clinic_id": None if chain == NO_CLINIC else chain,
        "action": GENESIS_ACTION,
        "object_type": "",
        "object_id": "",
        "fields": [],
        "reason": "Start of the audit trail."
        if chain == NO_CLINIC
        else "Start of the clinic's chain.",
        "request_id": uuid.uuid4(),
    }


def start_values(chain: uuid.UUID) -> dict[str, Any]:
    """Return the hashed values (but the sequence) of the entry of the chain of no clinic that
    records the start of a clinic's `chain`: its id only, nothing clinical."""
    return {
        "at": now(),
        "actor_id": None,
        "actor_label": "system",
        "clinic_id": None,
        "action": CHAIN_STARTED_ACTION,
        "object_type": CHAIN_OBJECT_TYPE,
        "object_id": str(chain),
        "fields": [],
        "reason": "Start of a clinic's chain.",
        "request_id": uuid.uuid4(),
    }


def append(entry: AuditEntry, head: AuditChainHead, using: str = "default") -> AuditEntry:
    """Chain `entry` behind `head` (locked by the caller), insert it and move the head."""
    key = chain_key()
    entry.chain, entry.sequence, entry.prev_hash = head.chain, head.sequence + 1, head.hash
    entry.hash = link_hash(key, entry.prev_hash, values_of(entry))
    entry.save(force_insert=True, using=using)
    head.sequence, head.hash = entry.sequence, entry.hash
    head.mac = head_mac(key, head.chain, head.sequence, head.hash)
    type(head).objects.using(using).filter(pk=head.pk).update(
        sequence=head.sequence, hash=head.hash, mac=head.mac
    )
    return entry


def start(using: str = "default") -> None:
    """Write the genesis entry and head of the chain of no clinic, on an emptied trail.

    Migration 0004 did it for every database; a test database's flush empties the trail and
    calls this (rebond/conftest.py). Clinics' chains start with their first entry (audit.log()).
    """
    head = AuditChainHead.objects.using(using).create(
        chain=NO_CLINIC, mac=head_mac(chain_key(), NO_CLINIC, 0, GENESIS)
    )
    append(AuditEntry(**genesis_values(NO_CLINIC)), head, using)


@dataclass(frozen=True)
class Verdict:
    """The outcome of verifying one chain: entries read, and its first broken link."""

    chain: uuid.UUID
    checked: int
    total: int
    problem: str | None = None
    # The latest anchor of this chain it was compared with, if any.
    anchor: Anchor | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    @property
    def label(self) -> str:
        return label(self.chain)


@dataclass(frozen=True)
class Report:
    """The outcome of `verify()`: one verdict per chain, the chain of no clinic first."""

    chains: tuple[Verdict, ...]

    @property
    def intact(self) -> bool:
        return all(verdict.intact for verdict in self.chains)

    @property
    def broken(self) -> list[Verdict]:
        return [verdict for verdict in self.chains if not verdict.intact]

    @property
    def problem(self) -> str | None:
        """Every chain's first broken link, each named by its chain; None when all are intact."""
        return "; ".join(f"{v.label}: {v.problem}" for v in self.broken) or None

    @property
    def checked(self) -> int:
        return sum(verdict.checked for verdict in self.chains)

    @property
    def total(self) -> int:
        return sum(verdict.total for verdict in self.chains)

    def of(self, chain: uuid.UUID) -> Verdict:
        return next(verdict for verdict in self.chains if verdict.chain == chain)


def verify(
    using: str = "default", *, anchors: Sequence[Anchor] = (), chunk_size: int = 2000
) -> Report:
    """Verify every chain: each one a head or an entry or an anchor names, and no clinic's.

    The chain of no clinic must always exist (migration 0004 started it); a clinic's chain
    exists from its clinic's first entry, whose start the chain of no clinic records, so a
    clinic's chain deleted whole (entries and head) is reported too. Every chain is checked
    to its end, so the report names each broken chain, not only the first.
    """
    entries = AuditEntry.objects.using(using)
    started = {
        uuid.UUID(object_id): sequence
        for object_id, sequence in entries.filter(
            chain=NO_CLINIC, action=CHAIN_STARTED_ACTION, object_type=CHAIN_OBJECT_TYPE
        ).values_list("object_id", "sequence")
    }
    chains = {NO_CLINIC, *started, *(anchor.chain for anchor in anchors)}
    chains.update(AuditChainHead.objects.using(using).values_list("chain", flat=True))
    chains.update(entries.order_by().values_list("chain", flat=True).distinct())
    ordered = sorted(chains, key=lambda chain: (chain != NO_CLINIC, str(chain)))
    return Report(
        tuple(
            verify_chain(
                chain,
                using,
                anchors=[a for a in anchors if a.chain == chain],
                chunk_size=chunk_size,
                started_at=started.get(chain),
            )
            for chain in ordered
        )
    )


def verify_chain(
    chain: uuid.UUID,
    using: str = "default",
    *,
    anchors: Sequence[Anchor] = (),
    chunk_size: int = 2000,
    started_at: int | None = None,
) -> Verdict:
    """Recompute one chain in insertion (id) order; stop at its first broken link.

    Detects an edited entry (its hash no longer matches), a deleted one (a gap in the
    sequence, a missing genesis entry, or a head ahead of the last entry), reordered ones
    (sequences out of id order), entries forged without the key (hash mismatch) or appended
    outside `audit.log()`, an entry of another clinic in a clinic's chain, and a head
    rewritten without the key or taken from another chain (its mac). Each of `anchors`
    (signed heads of this chain kept off the database) must still be in the chain: a chain
    shorter than an anchor, or with another hash at its sequence, was rolled back or rewritten.
    `started_at` is the sequence of the entry of the chain of no clinic that records this
    chain's start, if any: with it, a chain without entries was deleted whole.
    """
    latest = max(anchors, key=lambda a: a.sequence, default=None)
    total = AuditEntry.objects.using(using).filter(chain=chain).count()
    if total == 0 and started_at is not None:
        deleted = (
            f"the chain was deleted (its start is recorded at no-clinic sequence {started_at})"
        )
        return Verdict(chain, 0, 0, deleted, latest)
    if total == 0:
        return Verdict(chain, 0, 0, "the chain is empty: its genesis entry was deleted", latest)
    checked, last, last_hash, problem = _walk(chain, using, anchors, chunk_size)
    if problem is None:
        problem = _check_head(chain, using, last, last_hash, latest)
    return Verdict(chain, checked, total, problem, latest)


def _walk(
    chain: uuid.UUID, using: str, anchors: Sequence[Anchor], chunk_size: int
) -> tuple[int, int, str, str | None]:
    """Recompute every link; return (entries checked, last sequence, its hash, problem)."""
    key = chain_key()
    anchored: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        anchored.setdefault(anchor.sequence, []).append(anchor)
    entries = AuditEntry.objects.using(using).filter(chain=chain)
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
        # The chain of no clinic holds the whole trail written before per-clinic chains.
        if chain != NO_CLINIC and values["clinic_id"] != chain:
            problem = f"{where} is not of this chain's clinic: moved from another chain"
            return checked, expected - 1, previous, problem
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


def _check_head(
    chain: uuid.UUID, using: str, last: int, last_hash: str, latest: Anchor | None
) -> str | None:
    """Compare the chain's end with its latest anchor and with its (keyed) head."""
    if latest is not None and latest.sequence > last:
        return (
            f"entries deleted or rolled back: the anchor of {latest.at_text} records sequence"
            f" {latest.sequence} but the last entry is sequence {last}"
        )
    head = AuditChainHead.objects.using(using).filter(chain=chain)
    head_row = head.values_list("sequence", "hash", "mac").first()
    if head_row is None:
        return f"the chain head is missing (last entry sequence {last})"
    head_sequence, head_hash, stored_mac = head_row
    expected_mac = head_mac(chain_key(), chain, head_sequence, head_hash)
    if not hmac.compare_digest(stored_mac, expected_mac):
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
