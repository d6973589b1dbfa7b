"""Append-only at the database level: triggers refuse UPDATE, DELETE and TRUNCATE of entries.

Migration 0003 installs them: on SQLite, BEFORE UPDATE / BEFORE DELETE triggers that
RAISE(ABORT); on PostgreSQL, a plpgsql function behind BEFORE UPDATE OR DELETE (per row) and
BEFORE TRUNCATE (per statement) triggers. The chain head may be updated (audit.log() moves it)
but not deleted or truncated. Raw SQL through any normal connection is refused.

`maintenance()` is the one way past them, for the current transaction only:
- PostgreSQL: `SET LOCAL rebond.audit_maintenance = 'on'`, which the trigger function reads with
  current_setting(..., true) and which ends with the transaction;
- SQLite: a row in the table `audit_maintenance`, inserted and deleted inside the same
  transaction, so it is never committed and no other connection ever sees it (SQLite has one
  writer at a time, and triggers of the main schema cannot read a TEMP table).
The application never calls it. Its uses are emptying the tables of a test database
(rebond/conftest.py wraps Django's flush, which TransactionTestCase and the browser tests run
between tests), tests that tamper on purpose to prove `rebond audit verify` notices, and a
deliberate, documented repair by the database owner. `rebond flush` outside the test suite is
refused, which is the point: nothing erases the audit trail by accident.

This guards against mistakes and against SQL run through the application's own connection. It
does not stop the database owner, who can drop the triggers; the hash chain (verify) and an
off-box copy of the chain head are what reveal that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

# Names used by migration 0003 (kept here so tests and maintenance agree with it).
MAINTENANCE_SETTING = "rebond.audit_maintenance"
MAINTENANCE_TABLE = "audit_maintenance"
SQLITE_TRIGGERS = (
    "audit_auditentry_no_update",
    "audit_auditentry_no_delete",
    "audit_auditchainhead_no_delete",
)
POSTGRESQL_TRIGGERS = (
    ("audit_auditentry", "audit_auditentry_append_only"),
    ("audit_auditentry", "audit_auditentry_no_truncate"),
    ("audit_auditchainhead", "audit_auditchainhead_no_delete"),
    ("audit_auditchainhead", "audit_auditchainhead_no_truncate"),
)


@contextmanager
def maintenance(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let the block update, delete and truncate audit rows, inside one transaction."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting(%s, true)", [MAINTENANCE_SETTING])
            (before,) = cursor.fetchone() or ("",)
            cursor.execute("SELECT set_config(%s, 'on', true)", [MAINTENANCE_SETTING])
            yield
            cursor.execute("SELECT set_config(%s, %s, true)", [MAINTENANCE_SETTING, before or ""])
        else:
            cursor.execute("INSERT INTO audit_maintenance (flag) VALUES (1)")
            flag = cursor.lastrowid
            yield
            cursor.execute("DELETE FROM audit_maintenance WHERE rowid = %s", [flag])
    # On an exception the transaction (or savepoint) rolls back, and the flag with it.


def installed_triggers(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """Return the names of the protecting triggers present in the database."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                " AND tgrelid IN ('audit_auditentry'::regclass, 'audit_auditchainhead'::regclass)"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def expected_triggers(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    if connections[using].vendor == "postgresql":
        return {name for _, name in POSTGRESQL_TRIGGERS}
    return set(SQLITE_TRIGGERS)
