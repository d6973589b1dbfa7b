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
    from rebond.audit.protection import maintenance

    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditChainHead")
    alias = schema_editor.connection.alias
    entries = entry_model.objects.using(alias)
    earlier = list(entries.order_by("id").values(*KEPT_FIELDS))
    with maintenance(alias):
        entries.all().delete()
        head_model.objects.using(alias).all().delete()
    write_genesis_and(entry_model, head_model, alias, earlier)


def write_genesis_and(
    entry_model: Any, head_model: Any, alias: str, earlier: list[dict[str, Any]]
) -> None:
    """Write the genesis entry, chain `earlier` behind it, and write the one keyed head.

    The head's mac is the single-chain form of this schema; migration 0005 re-keys it with
    the chain's id once it has checked it.
    """
    import hashlib
    import hmac
    import uuid

    from django.utils.timezone import now

    from rebond.audit.chain import chain_key, link_hash
    from rebond.audit.models import GENESIS, GENESIS_ACTION

    genesis: dict[str, Any] = {
        "at": now(),
        "actor_id": None,
        "actor_label": "system",
        "clinic_id": None,
        "action": GENESIS_ACTION,
        "object_type": "",
        "object_id": "",
        "fields": [],
        "reason": f"Start of the audit trail; {len(earlier)} earlier entries chained after it.",
        "request_id": uuid.uuid4(),
    }
    key, previous, sequence = chain_key(), GENESIS, 0
    for values in [genesis, *earlier]:
        sequence += 1
        values = {**values, "sequence": sequence}
        digest = link_hash(key, previous, values)
        entry_model.objects.using(alias).create(**values, prev_hash=previous, hash=digest)
        previous = digest
    message = f"rebond-audit-head\n{sequence}:{previous}".encode("ascii")
    mac = hmac.new(key, message, hashlib.sha256).hexdigest()
    head_model.objects.using(alias).create(pk=1, sequence=sequence, hash=previous, mac=mac)


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
