"""Hash-chain the audit trail: sequence, prev_hash and hash on every entry, and the chain head.

Entries written before this migration are chained in id order with the AUDIT_CHAIN_KEY of the
environment that runs it (rebond/audit/chain.py).
"""

from typing import Any

from django.db import migrations, models


def chain_existing_entries(apps: Any, schema_editor: Any) -> None:
    from rebond.audit.chain import chain_key, link_hash
    from rebond.audit.models import GENESIS

    head_id = 1  # the one head row of the single chain of this schema (0005 keys heads by chain)

    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditChainHead")
    alias = schema_editor.connection.alias
    key, previous, sequence = chain_key(), GENESIS, 0
    for entry in entry_model.objects.using(alias).order_by("id").iterator(chunk_size=2000):
        sequence += 1
        entry.sequence, entry.prev_hash = sequence, previous
        values = {
            name: getattr(entry, name)
            for name in (
                "sequence",
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
        }
        entry.hash = previous = link_hash(key, entry.prev_hash, values)
        entry.save(update_fields=["sequence", "prev_hash", "hash"])
    if sequence:
        head_model.objects.using(alias).create(pk=head_id, sequence=sequence, hash=previous)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                (
                    "hash",
                    models.CharField(
                        default="0000000000000000000000000000000000000000000000000000000000000000",
                        max_length=64,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="audit_chain_head_one_row"
                    )
                ],
            },
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
    ]
