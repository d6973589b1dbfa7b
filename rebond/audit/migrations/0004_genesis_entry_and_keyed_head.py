"""Start every chain with a genesis entry, and key the chain head (its `mac`).

A new database gets the genesis entry and a head at sequence 1. An existing one gets the
genesis entry first and its earlier entries chained after it, in their order, with the
AUDIT_CHAIN_KEY of the environment that runs this (as 0002 did): their contents and times are
kept; their ids and sequence numbers move up by the genesis entry. From then on an empty
trail means a deleted one (rebond/audit/chain.py).
"""

from importlib import import_module
from typing import Any

from django.db import migrations, models

# Adding a NOT NULL column makes SQLite rebuild the table, which drops its triggers (0003).
TRIGGERS = import_module("rebond.audit.migrations.0003_append_only_triggers")

# chain.HASHED_FIELDS without "sequence", which start() gives out anew.
KEPT_FIELDS = (
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


def restore_head_trigger(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL keeps triggers across ADD COLUMN
    for statement in TRIGGERS.SQLITE_FORWARD:
        if "TRIGGER audit_auditchainhead_no_delete" in statement:
            schema_editor.execute(statement, params=None)


def start_chain(apps: Any, schema_editor: Any) -> None:
    from rebond.audit import chain
    from rebond.audit.protection import maintenance

    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditChainHead")
    alias = schema_editor.connection.alias
    entries = entry_model.objects.using(alias)
    earlier = list(entries.order_by("id").values(*KEPT_FIELDS))
    with maintenance(alias):
        entries.all().delete()
        head_model.objects.using(alias).all().delete()
    chain.start(entry_model, head_model, alias, earlier=earlier)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_append_only_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RunPython(restore_head_trigger, migrations.RunPython.noop),
        migrations.RunPython(start_chain, migrations.RunPython.noop),
    ]
