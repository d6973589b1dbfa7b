"""Switch back on every core safety rule a clinic had switched off (issue 15 B6).

Core rules (PHQ-9 item 9, ASQ, partner violence) are always on from now on; the next
migration makes the database refuse a row that switches one off. Each row turned back on gets
an audit entry, and each clinic's admins get one notice through the task queue (an outbox row
written in this migration's transaction, sent by `rebond worker`).

The audit entry goes through `rebond.audit.log()` itself, the only writer that keeps the hash
chain valid; so this migration runs after the audit app's migrations.
"""

from django.db import migrations

CORE_RULES = ("asq", "ipv_screen", "phq9_item9")
REASON = "Core safety rules are always on (issue 15 B6); switched back on by a migration."


def reenable_core_rules(apps, schema_editor):
    from rebond import audit
    from rebond.alerts.tasks import tell_admins_core_rules_reenabled

    settings = apps.get_model("alerts", "AlertRuleSetting")
    disabled = list(settings.objects.filter(rule__in=CORE_RULES, enabled=False).order_by("pk"))
    by_clinic: dict[str, list[str]] = {}
    for row in disabled:
        settings.objects.filter(pk=row.pk).update(enabled=True)
        audit.log(
            actor=None,
            action="alerts.rule.core_reenabled",
            object_type="alerts.alertrulesetting",
            object_id=str(row.pk),
            clinic_id=row.clinic_id,
            fields=["enabled"],
            reason=REASON,
        )
        by_clinic.setdefault(str(row.clinic_id), []).append(row.rule)
    for clinic_id, rule_codes in by_clinic.items():
        tell_admins_core_rules_reenabled.enqueue(clinic_id, sorted(rule_codes))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_encrypt_at_rest"),
        ("alerts", "0004_alter_alert_type"),
        # Its audit entries join the chain that audit 0004 starts with a genesis entry.
        ("audit", "0004_genesis_entry_and_keyed_head"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(reenable_core_rules, migrations.RunPython.noop)]
