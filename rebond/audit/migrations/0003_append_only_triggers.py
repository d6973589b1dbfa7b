"""Refuse UPDATE, DELETE and TRUNCATE of audit entries in the database itself.

See rebond/audit/protection.py for the design and for `maintenance()`, the one way past them.
Careful: on SQLite, a later migration that rebuilds the audit_auditentry table (most AlterField
operations) drops its triggers; test_protection.py fails if that happens, and such a migration
must then recreate them.
"""

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    # Holds a row only inside a maintenance transaction; never committed with one.
    "CREATE TABLE audit_maintenance (flag INTEGER NOT NULL)",
    """CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
       WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry
       WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER audit_auditchainhead_no_delete BEFORE DELETE ON audit_auditchainhead
       WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
       BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be deleted'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditchainhead_no_delete",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_delete",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update",
    "DROP TABLE IF EXISTS audit_maintenance",
]
POSTGRESQL_FORWARD = [
    """CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF coalesce(current_setting('rebond.audit_maintenance', true), '') = 'on' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit entries are append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$""",
    """CREATE TRIGGER audit_auditentry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_auditentry_no_truncate BEFORE TRUNCATE ON audit_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_auditchainhead_no_delete BEFORE DELETE ON audit_auditchainhead
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_auditchainhead_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
       FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditchainhead_no_truncate ON audit_auditchainhead",
    "DROP TRIGGER IF EXISTS audit_auditchainhead_no_delete ON audit_auditchainhead",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]


def run(statements: dict[str, list[str]]) -> Any:
    def operation(apps: Any, schema_editor: Any) -> None:
        for statement in statements[schema_editor.connection.vendor]:
            schema_editor.execute(statement, params=None)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_hash_chain"),
    ]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
