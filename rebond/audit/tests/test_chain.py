"""The hash chain: each entry commits to the one before, and verify finds any tampering.

Tampering goes through raw SQL inside `protection.maintenance()`, the way someone with write
access to the database and the knowledge to pass the triggers would (SECURITY.md LG-06).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from rebond import audit
from rebond.accounts.models import User
from rebond.audit.chain import chain_key, link_hash, values_of, verify
from rebond.audit.models import GENESIS, AuditChainHead, AuditEntry
from rebond.audit.protection import maintenance

pytestmark = pytest.mark.django_db

SECRET_REASON = "canary-reason-never-printed"


def write(actor: User, count: int) -> list[AuditEntry]:
    entries = []
    for n in range(count):
        with transaction.atomic():
            entries.append(
                audit.log(actor=actor, action=f"test.action.{n + 1}", reason=SECRET_REASON)
            )
    return entries


def tamper(sql: str, params: list[Any]) -> None:
    with maintenance(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_entry_commits_to_the_one_before(alice: User) -> None:
    entries = write(alice, 3)
    stored = list(AuditEntry.objects.order_by("id"))
    assert [e.sequence for e in stored] == [1, 2, 3]
    assert [e.prev_hash for e in stored] == [GENESIS, stored[0].hash, stored[1].hash]
    for entry in stored:
        # The hash is recomputable from what the database holds (the time survives the trip).
        assert entry.hash == link_hash(chain_key(), entry.prev_hash, values_of(entry))
    assert [e.hash for e in entries] == [e.hash for e in stored]
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (3, stored[2].hash)
    assert verify() == verify().__class__(checked=3, total=3, problem=None)


def test_the_hash_is_keyed(alice: User) -> None:
    (entry,) = write(alice, 1)
    plain = hashlib.sha256(GENESIS.encode() + b"anything").hexdigest()
    assert entry.hash != link_hash(b"another key of the same length....", GENESIS, values_of(entry))
    assert entry.hash != plain


def test_an_empty_trail_verifies() -> None:
    assert verify().intact
    assert verify().checked == 0


def test_an_edited_entry_is_named(alice: User) -> None:
    entries = write(alice, 4)
    tamper("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["x", entries[1].id])
    verdict = verify()
    assert not verdict.intact
    assert verdict.problem == (
        f"entry id {entries[1].id} (sequence 2, test.action.2) does not match its hash:"
        " edited, or written without the chain key"
    )
    assert verdict.checked == 1


def test_a_deleted_entry_is_named(alice: User) -> None:
    entries = write(alice, 4)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].id])
    verdict = verify()
    assert verdict.problem == (
        f"entries deleted: sequence 2 missing before entry id {entries[2].id}"
        " (sequence 3, test.action.3)"
    )


def test_entries_deleted_from_the_end_or_all_of_them_are_detected(alice: User) -> None:
    entries = write(alice, 4)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[3].id])
    assert verify().problem == (
        "entries deleted: the chain head records sequence 4 but the last entry is sequence 3"
    )
    tamper("DELETE FROM audit_auditentry", [])  # "truncate"
    assert verify().problem == (
        "entries deleted: the chain head records sequence 4 but the last entry is sequence 0"
    )


def test_two_swapped_entries_are_named(alice: User) -> None:
    entries = write(alice, 4)
    first, second = entries[1], entries[2]
    names = [f.attname for f in AuditEntry._meta.concrete_fields if f.attname != "id"]
    rows = {e.id: AuditEntry.objects.filter(id=e.id).values(*names).get() for e in (first, second)}
    # An UPDATE of every column but the id; one row moves out of the way (sequence is unique).
    with maintenance():
        AuditEntry.objects.filter(id=first.id).update(sequence=999999)
        AuditEntry.objects.filter(id=second.id).update(**rows[first.id])
        AuditEntry.objects.filter(id=first.id).update(**rows[second.id])
    assert verify().problem == (
        f"entries reordered: entry id {first.id} (sequence 3, test.action.3) is where sequence 2"
        f" belongs; sequence 2 is at entry id {second.id}"
    )


def test_an_entry_forged_without_the_key_is_named(alice: User) -> None:
    write(alice, 3)
    head = AuditChainHead.objects.get()
    forged = AuditEntry(
        sequence=4, prev_hash=head.hash, actor_label="public", action="forged.action"
    )
    # Everything right but the key: a plain SHA-256 (or any other key) of the same content.
    forged.hash = hashlib.sha256(
        forged.prev_hash.encode() + b"{}"  # the forger cannot produce the HMAC
    ).hexdigest()
    with transaction.atomic():
        forged.save(force_insert=True)
    tamper("UPDATE audit_auditchainhead SET sequence = 4, hash = %s", [forged.hash])
    assert verify().problem == (
        f"entry id {forged.id} (sequence 4, forged.action) does not match its hash:"
        " edited, or written without the chain key"
    )


def test_verify_command_exit_status_and_summary(alice: User, capsys: Any) -> None:
    entries = write(alice, 3)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert out.startswith("Audit chain intact: 3 entries checked in ")
    tamper("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["", entries[2].id])
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1
    message = str(failure.value)
    assert f"entry id {entries[2].id} (sequence 3, test.action.3)" in message
    assert message.endswith("2 of 3 entries checked before it.")
    # Ids and action names only: no reason, no actor.
    assert SECRET_REASON not in message
    assert alice.email not in message


def test_a_missing_chain_head_is_rebuilt_from_the_last_entry(alice: User) -> None:
    write(alice, 2)
    with maintenance():
        AuditChainHead.objects.all().delete()
    assert verify().problem == "the chain head is missing (last entry sequence 2)"
    write(alice, 1)
    assert verify().intact
    assert AuditChainHead.objects.get().sequence == 3
