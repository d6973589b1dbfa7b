"""Migrations 0004 and 0005 on a trail written before them: the single chain becomes the chain
of no clinic, entry for entry, and still verifies, with the anchors written before; clinics'
chains start afresh; a head that does not match its mac stops the split.

A fresh database is migrated to 0003 (entries without a genesis entry), filled through the
historical models, migrated to 0004 (genesis entry, keyed single head), anchored, then
migrated to the end.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from rebond.tests import live

SCRIPT = r"""
import json
import uuid
import django
django.setup()
from datetime import UTC, datetime
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.timezone import now

clinic_id = uuid.uuid4()
call_command("migrate", "audit", "0003", verbosity=0)
loader = MigrationExecutor(connection).loader
old = loader.project_state([("audit", "0003_append_only_triggers")]).apps
for n in range(3):
    old.get_model("audit", "AuditEntry").objects.create(
        sequence=n + 1, prev_hash="", hash="", actor_label="public",
        clinic_id=clinic_id if n else None, action=f"old.action.{n}",
    )
call_command("migrate", "audit", "0004", verbosity=0)
at_0004 = MigrationExecutor(connection).loader.project_state(
    [("audit", "0004_genesis_entry_and_keyed_head")]
).apps
entries = at_0004.get_model("audit", "AuditEntry").objects.order_by("id")
before = [[e.id, e.sequence, e.prev_hash, e.hash, e.action] for e in entries]
head = at_0004.get_model("audit", "AuditChainHead").objects.get()
# TAMPER

from rebond.audit.anchor import Anchor
old_anchor = Anchor(head.sequence, head.hash, datetime.now(UTC)).line()
try:
    call_command("migrate", verbosity=0)
except RuntimeError as refused:
    print(json.dumps({"refused": str(refused)}))
    raise SystemExit(0)

from rebond import audit
from rebond.audit.anchor import parse
from rebond.audit.chain import verify
from rebond.audit.models import NO_CLINIC, AuditChainHead, AuditEntry
from rebond.audit.protection import expected_triggers, installed_triggers

after = [[e.id, e.sequence, e.prev_hash, e.hash, e.action] for e in AuditEntry.objects.all()]
chains = sorted({str(c) for c in AuditEntry.objects.values_list("chain", flat=True)})
anchored = verify(anchors=[parse(old_anchor)])
with transaction.atomic():
    audit.log(actor=None, action="new.clinic.read", clinic_id=clinic_id)
with transaction.atomic():
    audit.log(actor=None, action="new.no.clinic")
report = verify(anchors=[parse(old_anchor)])
print(json.dumps({
    "before": before,
    "after": after,
    "chains": chains,
    "anchored": [anchored.intact, anchored.problem, anchored.checked],
    "report": [report.intact, report.problem, [[str(v.chain), v.checked] for v in report.chains]],
    "clinic_chain": list(
        AuditEntry.objects.filter(chain=clinic_id).values_list("sequence", "action")
    ),
    "heads": sorted(str(c) for c in AuditChainHead.objects.values_list("chain", flat=True)),
    "no_clinic": str(NO_CLINIC),
    "clinic": str(clinic_id),
    "triggers": sorted(expected_triggers() - installed_triggers()),
}))
"""

TAMPER_HEAD = """
with connection.cursor() as cursor:
    cursor.execute("UPDATE audit_auditchainhead SET sequence = 2")
"""


def migrate(database_url: str, tmp_path: Path, tamper: str = "") -> dict[str, Any]:
    return live.run_django_script(SCRIPT.replace("# TAMPER", tamper), database_url, tmp_path)


def assert_split(found: dict[str, Any]) -> None:
    no_clinic, clinic = found["no_clinic"], found["clinic"]
    # Migration 0004 chained the three old entries behind a genesis entry.
    assert [row[1] for row in found["before"]] == [1, 2, 3, 4]
    assert found["before"][0][4] == "audit.genesis"
    # 0005 kept every old entry as it was (id, sequence, hashes), all in the chain of no
    # clinic, even the two that name a clinic.
    assert found["after"] == found["before"]
    assert found["chains"] == [no_clinic]
    # The history verifies as before, with the anchor written before the split.
    assert found["anchored"] == [True, None, 4]
    # The clinic's first entry started its chain with a genesis entry; no clinic's went on
    # with the record of that start, then its own new entry. The migration started no chain.
    assert found["clinic_chain"] == [[1, "audit.genesis"], [2, "new.clinic.read"]]
    assert found["heads"] == sorted([no_clinic, clinic])
    assert found["report"] == [True, None, [[no_clinic, 6], [clinic, 2]]]
    assert found["triggers"] == []


@pytest.mark.slow
def test_the_split_keeps_the_history_verifiable_on_sqlite(tmp_path: Path) -> None:
    assert_split(migrate(f"sqlite:///{tmp_path / 'audit.sqlite3'}", tmp_path))


@pytest.mark.slow
def test_the_split_refuses_a_head_rewritten_without_the_key(tmp_path: Path) -> None:
    found = migrate(f"sqlite:///{tmp_path / 'audit.sqlite3'}", tmp_path, TAMPER_HEAD)
    assert "does not match its mac" in found["refused"]


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_split_on_postgresql(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with live.scratch_postgres(connection.settings_dict, "rebond_audit_split") as scratch:
        assert_split(migrate(scratch.url, tmp_path))
    with live.scratch_postgres(connection.settings_dict, "rebond_audit_split") as scratch:
        found = migrate(scratch.url, tmp_path, TAMPER_HEAD)
    assert "does not match its mac" in found["refused"]
