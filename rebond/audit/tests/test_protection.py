"""Database triggers refuse UPDATE, DELETE and TRUNCATE of the audit trail, from raw SQL too.

Runs on SQLite in the SQLite leg and on PostgreSQL in the PostgreSQL leg of `make test`.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from rebond import audit
from rebond.accounts.models import User
from rebond.audit.chain import verify
from rebond.audit.models import GENESIS_ACTION, AuditChainHead, AuditEntry
from rebond.audit.protection import (
    MAINTENANCE_SETTING,
    expected_triggers,
    installed_triggers,
    maintenance,
)


def assert_refused(sql: str, params: list[int] | None = None) -> None:
    with (
        pytest.raises(DatabaseError, match=r"append-only|cannot be deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def one_entry(actor: User) -> AuditEntry:
    with transaction.atomic():
        return audit.log(actor=actor, action="couples.case.open")


@pytest.mark.django_db
def test_the_triggers_survive_every_migration() -> None:
    # A later migration that rebuilds the table on SQLite would drop them silently.
    assert expected_triggers() <= installed_triggers()


@pytest.mark.django_db
def test_raw_sql_cannot_update_or_delete_entries(alice: User) -> None:
    entry = one_entry(alice)
    assert_refused("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [entry.id])
    assert_refused("UPDATE audit_auditentry SET reason = 'x'")
    assert_refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.id])
    assert_refused("DELETE FROM audit_auditentry")
    assert_refused("DELETE FROM audit_auditchainhead")
    if connection.vendor == "postgresql":
        assert_refused("TRUNCATE audit_auditentry")
        assert_refused("TRUNCATE audit_auditchainhead")
    assert AuditEntry.objects.get(pk=entry.pk).action == "couples.case.open"
    assert verify().intact


@pytest.mark.django_db
def test_maintenance_lasts_for_its_block_only(alice: User) -> None:
    entry = one_entry(alice)
    with maintenance():
        AuditEntry.objects.filter(id=entry.id).update(reason="repaired")
    assert_refused("UPDATE audit_auditentry SET reason = 'again'")
    with pytest.raises(RuntimeError), maintenance():
        raise RuntimeError("a failed repair")
    assert_refused("DELETE FROM audit_auditentry")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting(%s, true)", [MAINTENANCE_SETTING])
            assert cursor.fetchone()[0] in (None, "")
        else:
            cursor.execute("SELECT count(*) FROM audit_maintenance")
            assert cursor.fetchone()[0] == 0


# Transactional tests end with Django's flush (DELETE or TRUNCATE of every table), as the
# browser tests do; rebond/conftest.py runs it inside maintenance() and starts a new chain.
# These two prove that the flush empties the trail and that the next test starts afresh.
@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_starts_a_new_chain(alice: User) -> None:
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [GENESIS_ACTION]
    assert AuditChainHead.objects.get().sequence == 1
    one_entry(alice)
    one_entry(alice)
    assert list(AuditEntry.objects.values_list("sequence", flat=True)) == [1, 2, 3]
    assert verify().intact


@pytest.mark.django_db(transaction=True)
def test_the_flush_emptied_the_trail_and_its_head(alice: User) -> None:
    test_a_flushed_database_starts_a_new_chain(alice)
    assert_refused("DELETE FROM audit_auditentry")
