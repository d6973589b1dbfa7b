"""The migrations that introduced encryption seal rows written before them (SECURITY.md CR-01).

A fresh SQLite file is migrated to just before the encryption migrations, filled with
plaintext through the historical models (as an older Rebond wrote it), then migrated forward.
Afterwards every value reads back unchanged through today's models and the raw columns hold
only ciphertext.
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
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.timezone import now

BEFORE = [
    ("couples", "0004_alter_casetransition_by"),
    ("assessments", "0002_schedule_rules_and_reminders"),
    ("intake", "0001_initial"),
    ("alerts", "0002_safetyplan"),
]
for app, name in BEFORE:
    call_command("migrate", app, name, verbosity=0)
old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
clinic = old.get_model("accounts", "Clinic").objects.create(
    name="Old clinic", slug="old", jurisdiction="GB"
)
user = old.get_model("accounts", "User").objects.create(
    email="old@example.test", display_name="Old Clinician", clinic_id=clinic.id, password="!"
)
couple = old.get_model("couples", "Couple").objects.create(
    clinic_id=clinic.id, label="Legacy & Couple", primary_clinician_id=user.id,
    relationship_agreement_notes="",
)
partner = old.get_model("couples", "Partner").objects.create(
    couple_id=couple.id, role="A", display_name="Zoë Legacy", pronouns="she/her",
    intake_goal="clarify",
)
old.get_model("couples", "Partner").objects.create(couple_id=couple.id, role="B", display_name="B")
old.get_model("couples", "ContactChannel").objects.create(
    partner_id=partner.id, kind="email", value="zoe@example.org", safe_hours="after 6"
)
for n in range(3):
    old.get_model("couples", "CaseTransition").objects.create(
        couple_id=couple.id, to_status="referred", reason=f"reason {n}"
    )
administration = old.get_model("assessments", "Administration").objects.create(
    couple_id=couple.id, partner_id=partner.id, instrument_code="PHQ-9", created_by_id=user.id
)
old.get_model("assessments", "DraftAnswer").objects.create(
    administration_id=administration.id, item_number=9, value=0
)
old.get_model("assessments", "Submission").objects.create(
    administration_id=administration.id, submission_key=uuid.uuid4(),
    answers={"1": 0, "9": 2}, scores={"total": 2}, total=2.0, band="Minimal", flags=[],
    complete=True, missing=[],
)
old.get_model("intake", "ConsultationRequest").objects.create(
    clinic_id=clinic.id, name="Old Requester", contact_method="email",
    contact_value="old@example.org", may_leave_message=False, concerns=["infidelity"],
    concerns_text="what happened", feels_safe="no", consented_at=now(),
)
old.get_model("alerts", "SafetyPlan").objects.create(
    couple_id=couple.id, partner_id=partner.id, warning_signs="old signs", created_by_id=user.id
)

call_command("migrate", verbosity=0)

from rebond.assessments.models import DraftAnswer, Submission
from rebond.couples.models import CaseTransition, ContactChannel, Couple, Partner
from rebond.alerts.models import SafetyPlan
from rebond.intake.models import ConsultationRequest
from rebond.crypto.envelope import is_blob
from rebond.crypto.fields import encrypted_fields
from rebond.crypto.rows import encrypted_models

raw_plain = []
with connection.cursor() as cursor:
    for model in encrypted_models():
        for field in encrypted_fields(model):
            cursor.execute(
                f'SELECT "{field.column}" FROM "{model._meta.db_table}"'
                f' WHERE "{field.column}" IS NOT NULL'
            )
            raw_plain += [f"{model.__name__}.{field.name}" for (v,) in cursor if not is_blob(v)]
zoe = Partner.objects.get(role="A")
submission = Submission.objects.get()
request = ConsultationRequest.objects.get()
print(json.dumps({
    "raw_plain": raw_plain,
    "label": Couple.objects.get().label,
    "partner": [zoe.display_name, zoe.pronouns, zoe.intake_goal],
    "channel": [ContactChannel.objects.get().value, ContactChannel.objects.get().safe_hours],
    "reasons": sorted(t.reason for t in CaseTransition.objects.all()),
    "row_keys": len({t.row_key for t in CaseTransition.objects.all()}),
    "draft": DraftAnswer.objects.get().value,
    "submission": [submission.answers, submission.scores, submission.total, submission.band],
    "request": [request.name, request.contact_value, request.concerns, request.feels_safe],
    "plan": SafetyPlan.objects.get().warning_signs,
}))
"""


def migrate_legacy_rows(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return live.run_django_script(SCRIPT, database_url, tmp_path)


def assert_sealed_and_unchanged(found: dict[str, Any]) -> None:
    assert found["raw_plain"] == []
    assert found["label"] == "Legacy & Couple"
    assert found["partner"] == ["Zoë Legacy", "she/her", "clarify"]
    assert found["channel"] == ["zoe@example.org", "after 6"]
    assert found["reasons"] == ["reason 0", "reason 1", "reason 2"]
    assert found["row_keys"] == 3
    assert found["draft"] == 0
    assert found["submission"] == [{"1": 0, "9": 2}, {"total": 2}, 2.0, "Minimal"]
    assert found["request"] == ["Old Requester", "old@example.org", ["infidelity"], "no"]
    assert found["plan"] == "old signs"


@pytest.mark.slow
def test_rows_written_before_encryption_are_sealed_by_the_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
    assert_sealed_and_unchanged(migrate_legacy_rows(url, tmp_path))


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_encryption_migrations_on_postgresql(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with live.scratch_postgres(connection.settings_dict, "rebond_legacy") as scratch:
        assert_sealed_and_unchanged(migrate_legacy_rows(scratch.url, tmp_path))
