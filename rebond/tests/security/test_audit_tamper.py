"""SECURITY.md LG-06, issue 15 D17: each kind of tampering with the audit trail is caught by
`rebond audit verify`, and an untouched trail passes.

Tampering goes through raw SQL inside `protection.maintenance()`, the way someone with write
access to the database who knows how to pass the triggers would, but without the chain key;
the triggers themselves are proved in rebond/audit/tests/test_protection.py and the exact
messages in test_chain.py and test_anchor.py. The nine kinds, each on its own fresh trail of
a genesis entry and six entries:

1. edited: one entry's action is changed in place;
2. deleted mid-chain: one entry in the middle is deleted;
3. inserted: an entry is appended behind audit.log()'s back, the head moved onto it;
4. reordered: two entries swap places (every column but the id);
5. tail truncated: the last two entries are deleted, the head left alone;
6. tail truncated + head rewritten: the same, and the head set to the new last entry;
7. all deleted: every entry and the head are deleted (an empty trail);
8. genesis removed: the genesis entry is deleted, the rest left alone;
9. rolled back to before an anchor: the trail is taken back to an earlier state, head and all
   (as from an old copy of the database), after `rebond audit anchor` wrote a later head to
   the anchor file. Only the anchor reveals this one: the old state was itself valid.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from rebond import audit
from rebond.accounts.models import User
from rebond.audit.models import NO_CLINIC, AuditChainHead, AuditEntry
from rebond.audit.protection import maintenance
from rebond.tests import figures

pytestmark = pytest.mark.django_db

SECTION = "D17"
ENTRIES = 6


def _sql(sql: str, *params: int | str) -> None:
    with maintenance(), connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def write(actor: User, count: int = ENTRIES) -> list[AuditEntry]:
    entries = []
    for n in range(count):
        with transaction.atomic():
            entries.append(audit.log(actor=actor, action=f"security.tamper.{n}"))
    return entries


def edited(actor: User, entries: list[AuditEntry]) -> None:
    _sql("UPDATE audit_auditentry SET action = %s WHERE id = %s", "edited", entries[2].id)


def deleted_mid_chain(actor: User, entries: list[AuditEntry]) -> None:
    _sql("DELETE FROM audit_auditentry WHERE id = %s", entries[2].id)


def inserted(actor: User, entries: list[AuditEntry]) -> None:
    last = entries[-1]
    forged = AuditEntry(
        sequence=last.sequence + 1,
        prev_hash=last.hash,
        hash="f" * 64,  # whatever the forger computes, it is not the keyed HMAC
        actor_label="public",
        action="security.forged",
    )
    with transaction.atomic():
        forged.save(force_insert=True)
    _sql("UPDATE audit_auditchainhead SET sequence = %s, hash = %s", forged.sequence, forged.hash)


def reordered(actor: User, entries: list[AuditEntry]) -> None:
    first, second = entries[2], entries[3]
    names = [f.attname for f in AuditEntry._meta.concrete_fields if f.attname != "id"]
    rows = {e.id: AuditEntry.objects.filter(id=e.id).values(*names).get() for e in (first, second)}
    with maintenance():
        AuditEntry.objects.filter(id=first.id).update(sequence=10**9)
        AuditEntry.objects.filter(id=second.id).update(**rows[first.id])
        AuditEntry.objects.filter(id=first.id).update(**rows[second.id])


def tail_truncated(actor: User, entries: list[AuditEntry]) -> None:
    _sql("DELETE FROM audit_auditentry WHERE id >= %s", entries[-2].id)


def tail_truncated_head_rewritten(actor: User, entries: list[AuditEntry]) -> None:
    tail_truncated(actor, entries)
    new_last = entries[-3]
    _sql(
        "UPDATE audit_auditchainhead SET sequence = %s, hash = %s",
        new_last.sequence,
        new_last.hash,
    )


def all_deleted(actor: User, entries: list[AuditEntry]) -> None:
    _sql("DELETE FROM audit_auditentry")
    _sql("DELETE FROM audit_auditchainhead")


def genesis_removed(actor: User, entries: list[AuditEntry]) -> None:
    _sql("DELETE FROM audit_auditentry WHERE sequence = 1")


def rolled_back_to_before_an_anchor(actor: User, entries: list[AuditEntry]) -> None:
    # An old, valid state: the trail and its head as they were three entries ago.
    # The entries are of no clinic (write() names none): their chain is the one rolled back.
    old_head = AuditChainHead.objects.values("pk", "sequence", "hash", "mac").get(chain=NO_CLINIC)
    later = write(actor, 3)
    call_command("audit", "anchor")
    _sql("DELETE FROM audit_auditentry WHERE id >= %s", later[0].id)
    _sql(
        "UPDATE audit_auditchainhead SET sequence = %s, hash = %s, mac = %s WHERE id = %s",
        old_head["sequence"],
        old_head["hash"],
        old_head["mac"],
        old_head["pk"],
    )


TAMPERING: dict[str, Callable[[User, list[AuditEntry]], None]] = {
    "edited": edited,
    "deleted mid-chain": deleted_mid_chain,
    "inserted": inserted,
    "reordered": reordered,
    "tail truncated": tail_truncated,
    "tail truncated + head rewritten": tail_truncated_head_rewritten,
    "all deleted": all_deleted,
    "genesis removed": genesis_removed,
    "rolled back to before an anchor": rolled_back_to_before_an_anchor,
}


@pytest.fixture
def anchor_file(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchors")
    return tmp_path / "audit-anchors"


def test_an_untouched_trail_verifies(alice: User, anchor_file: Path) -> None:
    write(alice)
    call_command("audit", "anchor")
    write(alice)
    call_command("audit", "verify")


@pytest.mark.parametrize("kind", TAMPERING)
def test_each_kind_of_tampering_is_detected_by_audit_verify(
    alice: User, anchor_file: Path, kind: str
) -> None:
    entries = write(alice)
    TAMPERING[kind](alice, entries)
    detected = False
    try:
        call_command("audit", "verify")
    except CommandError as failure:
        detected = failure.returncode == 1
    figures.tally(SECTION, "tamper cases detected", passed=detected)
    assert detected, f"{kind} went unnoticed"
