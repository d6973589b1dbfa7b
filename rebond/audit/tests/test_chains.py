"""One chain per clinic (issue 21): each clinic's entries chain on their own head, verify checks
every chain and names the broken one, anchors hold every chain, and on PostgreSQL a writer of
one clinic never waits on another clinic's open transaction.

Tampering goes through raw SQL inside `protection.maintenance()`, as in test_chain.py.
"""

from __future__ import annotations

import json
import threading
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections, transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from rebond import audit
from rebond.accounts.models import Clinic, User
from rebond.audit.chain import verify
from rebond.audit.models import (
    CHAIN_STARTED_ACTION,
    GENESIS_ACTION,
    NO_CLINIC,
    AuditChainHead,
    AuditEntry,
)
from rebond.audit.protection import maintenance
from rebond.test import make_clinic

CLINIC_A = uuid.UUID("aaaaaaaa-0000-4000-8000-000000000001")
CLINIC_B = uuid.UUID("bbbbbbbb-0000-4000-8000-000000000002")


def write(clinic_id: uuid.UUID | None, count: int, actor: User | None = None) -> list[AuditEntry]:
    entries = []
    for n in range(count):
        with transaction.atomic():
            entries.append(audit.log(actor=actor, action=f"chains.{n}", clinic_id=clinic_id))
    return entries


def tamper(sql: str, params: list[Any]) -> None:
    with maintenance(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def chain_value(chain: uuid.UUID) -> Any:
    """The chain as the database stores it (SQLite keeps a UUID as 32 hex digits)."""
    return AuditEntry._meta.get_field("chain").get_db_prep_value(chain, connection)


def problems() -> dict[uuid.UUID, str | None]:
    return {verdict.chain: verdict.problem for verdict in verify().chains}


@pytest.mark.django_db
def test_each_clinic_gets_its_own_chain_from_its_first_entry(alice: User) -> None:
    a_entries = write(CLINIC_A, 2, alice)
    b_entries = write(CLINIC_B, 3)
    write(None, 1)
    for clinic, entries in ((CLINIC_A, a_entries), (CLINIC_B, b_entries)):
        chain = list(AuditEntry.objects.filter(chain=clinic).order_by("id"))
        assert [e.sequence for e in chain] == list(range(1, len(entries) + 2))
        assert (chain[0].action, chain[0].clinic_id) == (GENESIS_ACTION, clinic)
        assert [e.id for e in chain[1:]] == [e.id for e in entries]
        head = AuditChainHead.objects.get(chain=clinic)
        assert (head.sequence, head.hash) == (chain[-1].sequence, chain[-1].hash)
    # The chain of no clinic went on from the migrations' genesis entry: the start of each
    # clinic's chain, once, then the entry of no clinic.
    no_clinic = AuditEntry.objects.filter(chain=NO_CLINIC).order_by("id")
    assert list(no_clinic.values_list("sequence", "action", "object_type", "object_id")) == [
        (1, GENESIS_ACTION, "", ""),
        (2, CHAIN_STARTED_ACTION, "audit.chain", str(CLINIC_A)),
        (3, CHAIN_STARTED_ACTION, "audit.chain", str(CLINIC_B)),
        (4, "chains.0", "", ""),
    ]
    assert AuditChainHead.objects.get(chain=NO_CLINIC).sequence == 4
    report = verify()
    assert report.intact, report.problem
    assert [(v.chain, v.checked) for v in report.chains] == [
        (NO_CLINIC, 4),
        (CLINIC_A, 3),
        (CLINIC_B, 4),
    ]


@pytest.mark.django_db
def test_an_edit_in_one_clinics_chain_is_named_and_the_others_verify() -> None:
    write(CLINIC_A, 3)
    b_entries = write(CLINIC_B, 3)
    tamper("UPDATE audit_auditentry SET object_id = 'x' WHERE id = %s", [b_entries[1].id])
    found = problems()
    assert found[NO_CLINIC] is None
    assert found[CLINIC_A] is None
    assert found[CLINIC_B] == (
        f"entry id {b_entries[1].id} (sequence 3, chains.1) does not match its hash:"
        " edited, or written without the chain key"
    )
    assert verify().problem == f"chain of clinic {CLINIC_B}: {found[CLINIC_B]}"


@pytest.mark.django_db
def test_a_deletion_in_each_of_two_chains_is_reported_for_each() -> None:
    a_entries = write(CLINIC_A, 3)
    b_entries = write(CLINIC_B, 3)
    tamper("DELETE FROM audit_auditentry WHERE id IN (%s, %s)", [a_entries[0].id, b_entries[2].id])
    found = problems()
    assert found[CLINIC_A] == (
        f"entries deleted: sequence 2 missing before entry id {a_entries[1].id}"
        " (sequence 3, chains.1)"
    )
    assert found[CLINIC_B] == (
        "entries deleted: the chain head records sequence 4 but the last entry is sequence 3"
    )
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    message = str(failure.value)
    assert f"Audit chain broken (chain of clinic {CLINIC_A}): entries deleted" in message
    assert f"Audit chain broken (chain of clinic {CLINIC_B}): entries deleted" in message
    assert message.endswith("1 of 3 chains intact.")


@pytest.mark.django_db
def test_a_head_cannot_be_swapped_onto_another_chain() -> None:
    write(CLINIC_A, 2)
    write(CLINIC_B, 2)
    a_head = AuditChainHead.objects.values("sequence", "hash", "mac").get(chain=CLINIC_A)
    # Chain B's tail deleted and chain A's (validly keyed) head put in its place.
    tamper(
        "UPDATE audit_auditchainhead SET sequence = %s, hash = %s, mac = %s WHERE chain = %s",
        [a_head["sequence"], a_head["hash"], a_head["mac"], chain_value(CLINIC_B)],
    )
    assert problems()[CLINIC_B] == (
        "the chain head does not match its mac: rewritten without the chain key"
    )
    assert problems()[CLINIC_A] is None


@pytest.mark.django_db
def test_an_entry_moved_into_another_clinics_chain_is_detected() -> None:
    write(CLINIC_A, 2)
    b_entries = write(CLINIC_B, 2)
    # The last entry of B relabelled as A's next one, heads left alone.
    tamper(
        "UPDATE audit_auditentry SET chain = %s, sequence = 4 WHERE id = %s",
        [chain_value(CLINIC_A), b_entries[1].id],
    )
    found = problems()
    assert found[CLINIC_A] == (
        f"entry id {b_entries[1].id} (sequence 4, chains.1) is not of this chain's clinic:"
        " moved from another chain"
    )
    assert found[CLINIC_B] == (
        "entries deleted: the chain head records sequence 3 but the last entry is sequence 2"
    )


@pytest.mark.django_db
def test_a_clinic_chain_without_its_head_refuses_every_entry_of_that_clinic_only() -> None:
    write(CLINIC_A, 2)
    with maintenance():
        AuditChainHead.objects.filter(chain=CLINIC_A).delete()
    assert problems()[CLINIC_A] == "the chain head is missing (last entry sequence 3)"
    # Never restarted: the chain has entries, so its head was deleted, not never made.
    with pytest.raises(audit.ChainHeadMissing):
        write(CLINIC_A, 1)
    assert not AuditChainHead.objects.filter(chain=CLINIC_A).exists()
    assert AuditEntry.objects.filter(chain=CLINIC_A).count() == 3
    write(CLINIC_B, 1)
    assert problems()[CLINIC_B] is None


@pytest.fixture
def anchor_file(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors")
    return tmp_path / "anchors"


@pytest.mark.django_db
def test_anchor_records_every_chain_and_catches_one_clinics_rollback(anchor_file: Path) -> None:
    write(CLINIC_A, 2)
    a_head = AuditChainHead.objects.values("sequence", "hash", "mac").get(chain=CLINIC_A)
    later = write(CLINIC_A, 2)
    write(CLINIC_B, 2)
    call_command("audit", "anchor", stdout=StringIO())
    lines = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    # The chain of no clinic in the form of before per-clinic chains, then one line a clinic.
    assert [line.get("chain") for line in lines] == [None, str(CLINIC_A), str(CLINIC_B)]
    # No clinic's: its genesis entry and the starts of A's and B's chains.
    assert [line["sequence"] for line in lines] == [3, 5, 3]
    # Clinic A's trail put back as it was two entries ago, its own valid head with it.
    with maintenance(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditentry WHERE id >= %s AND chain = %s",
            [later[0].id, chain_value(CLINIC_A)],
        )
        cursor.execute(
            "UPDATE audit_auditchainhead SET sequence = %s, hash = %s, mac = %s WHERE chain = %s",
            [a_head["sequence"], a_head["hash"], a_head["mac"], chain_value(CLINIC_A)],
        )
    assert verify().intact  # nothing in the database itself shows it
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    message = str(failure.value)
    assert f"Audit chain broken (chain of clinic {CLINIC_A}): entries deleted or rolled back" in (
        message
    )
    assert "records sequence 5 but the last entry is sequence 3" in message
    assert message.endswith("2 of 3 chains intact.")


@pytest.mark.django_db
def test_a_whole_clinic_chain_deleted_after_an_anchor_is_caught(anchor_file: Path) -> None:
    write(CLINIC_A, 2)
    call_command("audit", "anchor", stdout=StringIO())
    tamper("DELETE FROM audit_auditentry WHERE chain = %s", [chain_value(CLINIC_A)])
    tamper("DELETE FROM audit_auditchainhead WHERE chain = %s", [chain_value(CLINIC_A)])
    with pytest.raises(CommandError, match=f"chain of clinic {CLINIC_A}.: the chain was deleted"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_a_whole_clinic_chain_deleted_is_caught_without_anchors(settings: SettingsWrapper) -> None:
    settings.AUDIT_ANCHOR_FILE = None
    write(CLINIC_A, 2)
    write(CLINIC_B, 1)
    started = AuditEntry.objects.get(chain=NO_CLINIC, object_id=str(CLINIC_A))
    assert (started.action, started.object_type, started.clinic_id) == (
        CHAIN_STARTED_ACTION,
        "audit.chain",
        None,
    )
    tamper("DELETE FROM audit_auditentry WHERE chain = %s", [chain_value(CLINIC_A)])
    tamper("DELETE FROM audit_auditchainhead WHERE chain = %s", [chain_value(CLINIC_A)])
    found = problems()
    assert found == {
        NO_CLINIC: None,
        CLINIC_A: "the chain was deleted (its start is recorded at no-clinic sequence 2)",
        CLINIC_B: None,
    }
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    message = str(failure.value)
    assert f"Audit chain broken (chain of clinic {CLINIC_A}): the chain was deleted" in message
    assert message.endswith("2 of 3 chains intact.")


@pytest.mark.django_db
def test_a_clinic_chain_whose_genesis_entry_was_deleted_is_reported() -> None:
    write(CLINIC_A, 1)
    genesis = AuditEntry.objects.get(chain=CLINIC_A, sequence=1)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [genesis.id])
    entry = AuditEntry.objects.get(chain=CLINIC_A)
    assert problems()[CLINIC_A] == (
        f"entries deleted: sequence 1 (the genesis entry) missing before entry id {entry.id}"
        " (sequence 2, chains.0)"
    )


@pytest.mark.django_db
def test_verify_checks_and_reports_many_chains(settings: SettingsWrapper) -> None:
    settings.AUDIT_ANCHOR_FILE = None
    clinics: list[Clinic] = [make_clinic(f"Clinic {n}", start_audit_chain=False) for n in range(20)]
    for n, clinic in enumerate(clinics):
        write(clinic.id, 1 + n % 3)
    report = verify()
    assert report.intact, report.problem
    assert len(report.chains) == 21
    # No clinic's chain: its genesis entry and the start of each clinic's chain.
    assert report.of(NO_CLINIC).checked == 21
    assert report.checked == 21 + sum(2 + n % 3 for n in range(20))
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    text = out.getvalue()
    assert text.startswith(f"Audit chains intact: 21 chains, {report.checked} entries checked")
    for n, clinic in enumerate(clinics):
        assert f"  chain of clinic {clinic.id}: {2 + n % 3} entries; no anchor." in text


def log_in_thread(clinic_id: uuid.UUID, lock_timeout: str) -> list[BaseException | None]:
    """Log one entry of `clinic_id` from another thread (its own connection); return its error."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
                audit.log(actor=None, action="chains.other.thread", clinic_id=clinic_id)
            outcome.append(None)
        except BaseException as exc:  # reported to the test's thread
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the other writer neither finished nor timed out"
    return outcome


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_clinic_never_waits_on_another_clinics_open_transaction() -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    write(CLINIC_A, 1)
    write(CLINIC_B, 1)
    with transaction.atomic():
        # Clinic A's head stays locked until this block ends.
        audit.log(actor=None, action="chains.held", clinic_id=CLINIC_A)
        # Another writer of clinic A waits for it: proved by its lock timeout.
        [blocked] = log_in_thread(CLINIC_A, "300ms")
        assert isinstance(blocked, OperationalError)
        assert "lock timeout" in str(blocked)
        # A writer of clinic B, and one of no clinic, complete meanwhile.
        assert log_in_thread(CLINIC_B, "5s") == [None]
        assert log_in_thread(uuid.UUID(int=0), "5s") == [None]
    assert AuditChainHead.objects.get(chain=CLINIC_B).sequence == 3
    assert AuditChainHead.objects.get(chain=CLINIC_A).sequence == 3
    assert verify().intact


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_first_writers_of_a_clinic_start_one_chain() -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    outcome: list[BaseException | None] = []
    with transaction.atomic():
        # This transaction starts clinic A's chain and holds its new head, uncommitted.
        audit.log(actor=None, action="chains.first", clinic_id=CLINIC_A)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (mine,) = cursor.fetchone()
        started = threading.Event()

        def second_writer() -> None:
            try:
                started.set()
                with transaction.atomic():
                    audit.log(actor=None, action="chains.second", clinic_id=CLINIC_A)
                outcome.append(None)
            except BaseException as exc:  # reported to the test's thread
                outcome.append(exc)
            finally:
                connections.close_all()

        thread = threading.Thread(target=second_writer)
        thread.start()
        started.wait(timeout=30)
        # Wait until the second writer is blocked on this transaction (its lock of the head
        # of no clinic, taken before it would insert the clinic's head).
        with connection.cursor() as cursor:
            for _ in range(600):
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> %s", [mine]
                )
                if cursor.fetchone()[0]:
                    break
                threading.Event().wait(0.05)
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert outcome == [None]
    chain = list(
        AuditEntry.objects.filter(chain=CLINIC_A).order_by("id").values_list("sequence", "action")
    )
    assert chain == [(1, GENESIS_ACTION), (2, "chains.first"), (3, "chains.second")]
    assert AuditChainHead.objects.filter(chain=CLINIC_A).count() == 1
    # One record of the start in the chain of no clinic, by the writer that started it.
    starts = AuditEntry.objects.filter(chain=NO_CLINIC, action=CHAIN_STARTED_ACTION)
    assert list(starts.values_list("object_id", flat=True)) == [str(CLINIC_A)]
    assert verify().intact


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_writer_holding_no_clinics_head_and_a_first_writer_of_a_clinic_do_not_deadlock() -> None:
    """A transaction logs an entry of no clinic, then the first of clinic A, while another
    starts clinic A: had the other inserted A's head before locking the head of no clinic,
    each would wait on the other."""
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    outcome: list[BaseException | None] = []
    with transaction.atomic():
        audit.log(actor=None, action="chains.no.clinic")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (mine,) = cursor.fetchone()

        def first_writer() -> None:
            try:
                with transaction.atomic():
                    audit.log(actor=None, action="chains.other", clinic_id=CLINIC_A)
                outcome.append(None)
            except BaseException as exc:  # reported to the test's thread
                outcome.append(exc)
            finally:
                connections.close_all()

        thread = threading.Thread(target=first_writer)
        thread.start()
        # Wait until the other writer is blocked on this transaction.
        with connection.cursor() as cursor:
            for _ in range(600):
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> %s", [mine]
                )
                if cursor.fetchone()[0]:
                    break
                threading.Event().wait(0.05)
        audit.log(actor=None, action="chains.mine", clinic_id=CLINIC_A)
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert outcome == [None]
    chain = list(
        AuditEntry.objects.filter(chain=CLINIC_A).order_by("id").values_list("sequence", "action")
    )
    assert chain == [(1, GENESIS_ACTION), (2, "chains.mine"), (3, "chains.other")]
    starts = AuditEntry.objects.filter(chain=NO_CLINIC, action=CHAIN_STARTED_ACTION)
    assert list(starts.values_list("object_id", flat=True)) == [str(CLINIC_A)]
    assert verify().intact


@pytest.mark.django_db
@pytest.mark.parametrize("action", [GENESIS_ACTION, CHAIN_STARTED_ACTION])
def test_the_chains_own_entries_cannot_be_written_through_log(action: str) -> None:
    """A forged start would name a chain verify() then looks for (its object_id)."""
    with transaction.atomic(), pytest.raises(ValueError, match="written by the audit chain"):
        audit.log(actor=None, action=action, object_type="audit.chain", object_id="not a chain")
    assert verify().intact
