"""Anchors: the signed chain heads, written where the database owner cannot rewrite them.

A chain head's keyed mac stops anyone without AUDIT_CHAIN_KEY from moving the head back
onto a truncated chain, but not from putting back an old copy of the whole trail (heads and
all), and not a key holder who rewrites a chain. An anchor closes that: `rebond audit
anchor` (daily, docs/deploy.md) writes one line per chain

    {"anchored_at": "...", "chain": "<clinic id>", "hash": "...", "mac": "...", "sequence": N}

(mac = HMAC-SHA256(AUDIT_CHAIN_KEY, "rebond-audit-anchor" LF canonical JSON of the other
fields)) to an append-only file (AUDIT_ANCHOR_FILE, `chattr +a` or on another machine) and/or
e-mails each clinic's safety leads the lines of their clinic's chain and of the chain of no
clinic. The line of the chain of no clinic has no "chain" field: it is the form every anchor
had before per-clinic chains, so the anchors written then still hold that chain (the whole
old trail, migration 0005). `rebond audit verify` reads every anchor of that file (and any
given with --anchor, e.g. pasted from an e-mail) and fails when a chain is shorter than one
of its anchors, holds another hash at its sequence, or is gone. An anchor holds a clinic id,
a sequence number and hashes only: nothing about any person or record.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection

from rebond.audit.chain import chain_key
from rebond.audit.models import NO_CLINIC, AuditChainHead
from rebond.lib.clinic_time import HasTimeZone, clinic_localtime

SUBJECT = "Rebond audit trail anchor"


class AnchorError(ValueError):
    """An anchor line that is malformed or not signed with this chain key."""


@dataclass(frozen=True)
class Anchor:
    sequence: int
    hash: str
    anchored_at: datetime
    chain: uuid.UUID = NO_CLINIC

    @property
    def at_text(self) -> str:
        return self.anchored_at.isoformat(timespec="seconds")

    def signed_fields(self) -> bytes:
        document = {
            "anchored_at": self.anchored_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "hash": self.hash,
            "sequence": self.sequence,
        }
        if self.chain != NO_CLINIC:
            document["chain"] = str(self.chain)
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("ascii")

    def mac(self) -> str:
        message = b"rebond-audit-anchor\n" + self.signed_fields()
        return hmac.new(chain_key(), message, hashlib.sha256).hexdigest()

    def line(self) -> str:
        """Return the anchor as one line of JSON, signed."""
        document = json.loads(self.signed_fields())
        document["mac"] = self.mac()
        return json.dumps(document, sort_keys=True, separators=(",", ":"))


def current(using: str = "default") -> list[Anchor]:
    """Return an anchor of every chain's head as it is now (call after verify() passed)."""
    at = datetime.now(UTC)
    heads = AuditChainHead.objects.using(using).values_list("chain", "sequence", "hash")
    anchors = [Anchor(sequence, hash_, at, chain) for chain, sequence, hash_ in heads]
    return sorted(anchors, key=lambda a: (a.chain != NO_CLINIC, str(a.chain)))


def parse(line: str) -> Anchor:
    """Read one anchor line; refuse one that is malformed or signed with another key."""
    try:
        document = json.loads(line)
        anchor = Anchor(
            sequence=int(document["sequence"]),
            hash=str(document["hash"]),
            anchored_at=datetime.fromisoformat(document["anchored_at"]),
            chain=uuid.UUID(document["chain"]) if "chain" in document else NO_CLINIC,
        )
        mac = str(document["mac"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorError("not an anchor line") from exc
    if anchor.anchored_at.tzinfo is None or not hmac.compare_digest(mac, anchor.mac()):
        raise AnchorError("not signed with this AUDIT_CHAIN_KEY")
    return anchor


def read_file(path: Path) -> list[Anchor]:
    """Return every anchor of the file (none if it does not exist yet); refuse a bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                anchors.append(parse(line))
            except AnchorError as exc:
                raise AnchorError(f"line {number} of {path}: {exc}") from exc
    return anchors


def append(path: Path, anchors: Sequence[Anchor]) -> None:
    """Append the anchors' lines to the file (created 0600), flushed to disk before returning."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, "".join(a.line() + "\n" for a in anchors).encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def safety_lead_addresses() -> list[str]:
    """Return the e-mail addresses of every active safety lead of every clinic."""
    # The user model through Django's setting: audit sits below accounts (docs/architecture.md).
    users = get_user_model().objects
    leads = users.filter(is_active=True, is_safety_lead=True, clinic__isnull=False)
    return sorted(leads.values_list("email", flat=True))


def for_clinic(anchors: Sequence[Anchor], clinic_id: uuid.UUID | None) -> list[Anchor]:
    """Return the anchors a clinic's safety lead keeps: of the clinic's chain and of no clinic."""
    return [a for a in anchors if a.chain in (NO_CLINIC, clinic_id)]


def email_body(anchors: Sequence[Anchor], clinic: HasTimeZone | None) -> str:
    """Return the anchor e-mail, its time in the reader's clinic's zone (the lines stay UTC)."""
    at = anchors[0].anchored_at
    when = (
        clinic_localtime(clinic, at).strftime("%d %b %Y at %H:%M %Z")
        if clinic is not None
        else at.astimezone(UTC).strftime("%d %b %Y at %H:%M UTC")
    )
    return (
        "This is the audit trail anchor of Rebond at "
        f"{settings.SITE_URL}: the signed end of your clinic's audit chain and of the chain\n"
        f"of events of no clinic on {when}, one line each.\n\n"
        + "".join(f"{anchor.line()}\n" for anchor in anchors)
        + "\nKeep this message. It holds no information about any person. If the audit trail\n"
        "is ever rolled back or rewritten, `rebond audit verify --anchor '<a line above>'`\n"
        "shows it.\n"
    )


def email(anchors: Sequence[Anchor], addresses: list[str]) -> int:
    """E-mail each address the anchors of its clinic; return how many messages were sent."""
    clinics = {
        user.email: user.clinic
        for user in get_user_model().objects.filter(email__in=addresses).select_related("clinic")
    }
    messages = [
        EmailMessage(
            SUBJECT,
            email_body(
                for_clinic(anchors, getattr(clinics.get(address), "pk", None)),
                clinics.get(address),
            ),
            settings.DEFAULT_FROM_EMAIL,
            [address],
        )
        for address in addresses
    ]
    return get_connection().send_messages(messages) or 0
