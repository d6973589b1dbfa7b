"""One audit chain per clinic, plus the chain of no clinic, each with its own keyed head.

The choice: the existing trail is kept, entry for entry, as the chain of no clinic
(models.NO_CLINIC), and every clinic's chain starts afresh, with its genesis entry, at the
clinic's first entry after this migration (audit.log()). No entry is rewritten: ids,
sequences, hashes and the canonical JSON of every old entry stay as they were, so the history
verifies exactly as it did before (and every anchor written before stays valid: it is an
anchor of the chain of no clinic). Re-chaining the old entries per clinic would have meant
recomputing every hash, which first needs the whole old chain verified and would bless with
fresh hashes whatever was not caught; keeping it needs nothing of the kind. The price is that
the old entries of a clinic stay in the chain of no clinic (their clinic_id still names the
clinic, so a clinic's history is still found by clinic_id).

What changes:
- every entry gets `chain` (existing ones: NO_CLINIC), and the sequence is unique per chain;
- the head row is keyed by its chain (the one existing head becomes the head of NO_CLINIC),
  no longer by the single id 1;
- the head's mac now binds its chain's id. It is recomputed here only after the old mac
  (the single-chain form) has been checked with the AUDIT_CHAIN_KEY of the environment that
  runs this: a head rewritten without the key, or a different key, stops the migration
  rather than being blessed with a valid new mac.
On SQLite these operations rebuild both tables, which drops their append-only triggers
(migration 0003); they are created again at the end.
"""

import hashlib
import hmac
from importlib import import_module
from typing import Any

from django.db import migrations, models

from rebond.audit.models import NO_CLINIC

TRIGGERS = import_module("rebond.audit.migrations.0003_append_only_triggers")


def rekey_head(apps: Any, schema_editor: Any) -> None:
    from rebond.audit.chain import chain_key, head_mac

    head_model = apps.get_model("audit", "AuditChainHead")
    key = chain_key()
    for head in head_model.objects.using(schema_editor.connection.alias):
        message = f"rebond-audit-head\n{head.sequence}:{head.hash}".encode("ascii")
        single_chain_mac = hmac.new(key, message, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(head.mac, single_chain_mac):
            raise RuntimeError(
                "The audit chain head does not match its mac (rewritten without the chain key,"
                " or AUDIT_CHAIN_KEY is not the key the trail was written with): not splitting"
                " the chain. Run `rebond audit verify` on the release before (docs/deploy.md)."
            )
        head.mac = head_mac(key, head.chain, head.sequence, head.hash)
        head.save(update_fields=["mac"])


def continue_head_ids(apps: Any, schema_editor: Any) -> None:
    """Make PostgreSQL's new id sequence of heads start after the existing head's id (1)."""
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite gives out max(rowid) + 1
    schema_editor.execute(
        "SELECT setval(pg_get_serial_sequence('audit_auditchainhead', 'id'),"
        " COALESCE(MAX(id), 0) + 1, false) FROM audit_auditchainhead",
        params=None,
    )


def restore_sqlite_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL keeps triggers across these ALTER TABLEs
    for statement in TRIGGERS.SQLITE_BACKWARD:
        if "DROP TRIGGER" in statement:
            schema_editor.execute(statement, params=None)
    for statement in TRIGGERS.SQLITE_FORWARD:
        if "CREATE TRIGGER" in statement:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_genesis_entry_and_keyed_head"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="auditchainhead", name="audit_chain_head_one_row"),
        migrations.AlterField(
            model_name="auditchainhead",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="chain",
            field=models.UUIDField(default=NO_CLINIC, unique=True),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.UUIDField(default=NO_CLINIC, editable=False),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("chain", "sequence"), name="audit_chain_sequence"
            ),
        ),
        migrations.RunPython(continue_head_ids, migrations.RunPython.noop),
        migrations.RunPython(rekey_head, migrations.RunPython.noop),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]
