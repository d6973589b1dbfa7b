"""The migration that switches core safety rules back on (issue 15 B6).

A fresh database is migrated to just before it, a clinic's settings that switched core rules
off are written through the historical models (as an older Rebond let an admin do), then the
database is migrated forward. Afterwards every core rule is on, each change has an audit entry,
the chain still verifies, and the clinic's admins were told (the e-mail names no person).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from rebond.tests import live

SCRIPT = r"""
import json
import django
django.setup()
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("alerts", "0004_alter_alert_type")]
call_command("migrate", verbosity=0)
call_command("migrate", "alerts", "0004_alter_alert_type", verbosity=0)
old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
Clinic, User = old.get_model("accounts", "Clinic"), old.get_model("accounts", "User")
Setting = old.get_model("alerts", "AlertRuleSetting")
clinic = Clinic.objects.create(name="Old clinic", slug="old", jurisdiction="GB")
other = Clinic.objects.create(name="Careful clinic", slug="careful", jurisdiction="GB")
User.objects.create(email="admin@old.test", display_name="Ada", clinic_id=clinic.id,
                    password="!", is_clinic_admin=True)
User.objects.create(email="therapist@old.test", display_name="Tom", clinic_id=clinic.id,
                    password="!")
User.objects.create(email="admin@careful.test", display_name="Cy", clinic_id=other.id,
                    password="!", is_clinic_admin=True)
for rule, threshold in (("phq9_item9", 1), ("asq", None), ("ipv_screen", None),
                        ("severe_score", None)):
    Setting.objects.create(clinic_id=clinic.id, rule=rule, enabled=False, threshold=threshold)
Setting.objects.create(clinic_id=other.id, rule="asq", enabled=True)

call_command("migrate", verbosity=0)

from rebond.alerts.models import AlertRuleSetting
from rebond.audit import chain
from rebond.audit.models import AuditEntry

print(json.dumps({
    "settings": sorted(
        [s.clinic.slug, s.rule, s.enabled, s.threshold] for s in AlertRuleSetting.objects.all()
    ),
    "audit": sorted(
        [e.action, AlertRuleSetting.objects.get(pk=e.object_id).rule, e.fields, bool(e.reason),
         str(e.clinic_id) == str(clinic.id)]
        for e in AuditEntry.objects.filter(action="alerts.rule.core_reenabled")
    ),
    "chain_ok": chain.verify().intact,
    "mail": [[m.to, m.subject, m.body] for m in getattr(mail, "outbox", [])],
}))
"""


def migrate_disabled_rules(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return live.run_django_script(SCRIPT, database_url, tmp_path)


def assert_reenabled_audited_and_told(found: dict[str, Any]) -> None:
    assert found["settings"] == [
        ["careful", "asq", True, None],
        ["old", "asq", True, None],
        ["old", "ipv_screen", True, None],
        ["old", "phq9_item9", True, 1],  # the stricter threshold is kept
        ["old", "severe_score", False, None],  # not a core rule: the clinic's choice stands
    ]
    assert found["audit"] == [
        ["alerts.rule.core_reenabled", rule, ["enabled"], True, True]
        for rule in ("asq", "ipv_screen", "phq9_item9")
    ]
    assert found["chain_ok"]
    ((to, subject, body),) = found["mail"]  # one notice, to the admin of that clinic only
    assert to == ["admin@old.test"]
    assert "safety" in subject.lower()
    for label in ("PHQ-9 item 9", "ASQ", "Partner violence"):
        assert label in body
    assert "always on" in body


@pytest.mark.slow
def test_the_migration_switches_core_rules_back_on_audits_and_tells_the_admins(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'disabled.sqlite3'}"
    assert_reenabled_audited_and_told(migrate_disabled_rules(url, tmp_path))


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_core_rules_migration_on_postgresql(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with live.scratch_postgres(connection.settings_dict, "rebond_core_rules") as scratch:
        assert_reenabled_audited_and_told(migrate_disabled_rules(scratch.url, tmp_path))
