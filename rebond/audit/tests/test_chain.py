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
from rebond.audit.chain import Verdict, chain_key, head_mac, link_hash, values_of, verify
from rebond.audit.models import GENESIS, GENESIS_ACTION, NO_CLINIC, AuditChainHead, AuditEntry
from rebond.audit.protection import maintenance

pytestmark = pytest.mark.django_db

SECRET_REASON = "canary-reason-never-printed"
# Entries of no clinic go to the chain of no clinic, which the migrations started.
NONE = "chain of no clinic: "


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
    # The chain starts with the genesis entry the migrations wrote (audit 0004).
    assert [e.sequence for e in stored] == [1, 2, 3, 4]
    assert (stored[0].action, stored[0].actor_label) == (GENESIS_ACTION, "system")
    assert [e.prev_hash for e in stored] == [GENESIS, *(e.hash for e in stored[:3])]
    for entry in stored:
        # The hash is recomputable from what the database holds (the time survives the trip).
        assert entry.hash == link_hash(chain_key(), entry.prev_hash, values_of(entry))
    assert [e.hash for e in entries] == [e.hash for e in stored[1:]]
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (4, stored[3].hash)
    assert head.mac == head_mac(chain_key(), NO_CLINIC, 4, stored[3].hash)
    assert verify().chains == (Verdict(NO_CLINIC, checked=4, total=4, problem=None),)


def test_the_hash_is_keyed(alice: User) -> None:
    (entry,) = write(alice, 1)
    plain = hashlib.sha256(GENESIS.encode() + b"anything").hexdigest()
    assert entry.hash != link_hash(b"another key of the same length....", GENESIS, values_of(entry))
    assert entry.hash != plain


def test_a_new_trail_holds_its_genesis_entry_and_verifies() -> None:
    assert verify().chains == (Verdict(NO_CLINIC, checked=1, total=1, problem=None),)


def test_an_empty_trail_does_not_verify(alice: User) -> None:
    write(alice, 2)
    tamper("DELETE FROM audit_auditentry", [])
    tamper("DELETE FROM audit_auditchainhead", [])
    assert verify().problem == NONE + "the chain is empty: its genesis entry was deleted"


def test_a_chain_must_start_with_its_genesis_entry(alice: User) -> None:
    entries = write(alice, 2)
    tamper("DELETE FROM audit_auditentry WHERE sequence = 1", [])
    assert verify().problem == (
        NONE + f"entries deleted: sequence 1 (the genesis entry) missing before entry id"
        f" {entries[0].id} (sequence 2, test.action.1)"
    )
    # A first entry that is not a genesis entry: the genesis entry was replaced.
    tamper("UPDATE audit_auditentry SET sequence = 1 WHERE id = %s", [entries[0].id])
    assert verify().problem == (
        NONE + f"the chain does not start with its genesis entry: entry id {entries[0].id}"
        " (sequence 1, test.action.1)"
    )


def test_an_edited_entry_is_named(alice: User) -> None:
    entries = write(alice, 4)
    tamper("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["x", entries[1].id])
    verdict = verify()
    assert not verdict.intact
    assert verdict.problem == (
        NONE + f"entry id {entries[1].id} (sequence 3, test.action.2) does not match its hash:"
        " edited, or written without the chain key"
    )
    assert verdict.checked == 2


def test_a_deleted_entry_is_named(alice: User) -> None:
    entries = write(alice, 4)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].id])
    verdict = verify()
    assert verdict.problem == (
        NONE + f"entries deleted: sequence 3 missing before entry id {entries[2].id}"
        " (sequence 4, test.action.3)"
    )


def test_entries_deleted_from_the_end_or_all_of_them_are_detected(alice: User) -> None:
    entries = write(alice, 4)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[3].id])
    assert verify().problem == (
        NONE + "entries deleted: the chain head records sequence 5 but the last entry is sequence 4"
    )
    tamper("DELETE FROM audit_auditentry", [])  # "truncate"
    assert verify().problem == NONE + "the chain is empty: its genesis entry was deleted"


def test_a_head_moved_back_onto_a_truncated_chain_is_detected(alice: User) -> None:
    entries = write(alice, 4)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[3].id])
    # The head made to agree with the new last entry, as a database writer without the key can.
    tamper(
        "UPDATE audit_auditchainhead SET sequence = %s, hash = %s",
        [entries[2].sequence, entries[2].hash],
    )
    assert verify().problem == (
        NONE + "the chain head does not match its mac: rewritten without the chain key"
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
        NONE
        + f"entries reordered: entry id {first.id} (sequence 4, test.action.3) is where sequence 3"
        f" belongs; sequence 3 is at entry id {second.id}"
    )


def test_an_entry_forged_without_the_key_is_named(alice: User) -> None:
    write(alice, 3)
    head = AuditChainHead.objects.get()
    forged = AuditEntry(
        sequence=5, prev_hash=head.hash, actor_label="public", action="forged.action"
    )
    # Everything right but the key: a plain SHA-256 (or any other key) of the same content.
    forged.hash = hashlib.sha256(
        forged.prev_hash.encode() + b"{}"  # the forger cannot produce the HMAC
    ).hexdigest()
    with transaction.atomic():
        forged.save(force_insert=True)
    tamper("UPDATE audit_auditchainhead SET sequence = 5, hash = %s", [forged.hash])
    assert verify().problem == (
        NONE + f"entry id {forged.id} (sequence 5, forged.action) does not match its hash:"
        " edited, or written without the chain key"
    )


def test_verify_command_exit_status_and_summary(alice: User, capsys: Any) -> None:
    entries = write(alice, 3)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert out.startswith("Audit chains intact: 1 chains, 4 entries checked in ")
    assert "  chain of no clinic: 4 entries; no anchor." in out
    tamper("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["", entries[2].id])
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1
    message = str(failure.value)
    assert f"entry id {entries[2].id} (sequence 4, test.action.3)" in message
    assert message.startswith("Audit chain broken (chain of no clinic): entry id")
    assert message.endswith("3 of 4 entries checked before it.\n0 of 1 chains intact.")
    # Ids and action names only: no reason, no actor.
    assert SECRET_REASON not in message
    assert alice.email not in message


def test_a_missing_chain_head_refuses_every_change(alice: User) -> None:
    # Rebuilding it from the last entry would bless a chain whose tail was deleted with it.
    write(alice, 2)
    with maintenance():
        AuditChainHead.objects.all().delete()
    assert verify().problem == NONE + "the chain head is missing (last entry sequence 3)"
    with pytest.raises(audit.ChainHeadMissing):
        write(alice, 1)
    assert AuditEntry.objects.count() == 3
