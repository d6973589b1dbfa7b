"""audited_update: saves only what changed, audits the names of what changed, never the values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from rebond.accounts.models import CrisisResource, User
from rebond.audit.models import AuditEntry
from rebond.audit.updates import audited_update
from rebond.test import make_couple

pytestmark = pytest.mark.django_db


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


def test_it_saves_and_audits_only_the_fields_that_changed(alice: User) -> None:
    couple = make_couple(alice, label="Before")
    before = couple.updated_at - timedelta(days=1)
    type(couple).objects.filter(pk=couple.pk).update(updated_at=before)
    couple.refresh_from_db()
    with transaction.atomic():
        changed = audited_update(
            couple,
            {"label": "After", "modality": couple.modality},
            alice,
            "couples.case.update",
            clinic_id=couple.clinic_id,
        )
    assert changed == ["label"]
    couple.refresh_from_db()
    assert couple.label == "After"
    assert couple.updated_at > before  # the model's updated_at is saved with the change
    [entry] = _entries("couples.case.update")
    assert entry.fields == ["label"]
    assert "After" not in str(entry.__dict__)


def test_nothing_changed_saves_and_audits_nothing(alice: User) -> None:
    couple = make_couple(alice, label="Same")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        changed = audited_update(couple, {"label": "Same"}, alice, "couples.case.update")
    assert changed == []
    assert not [q for q in queries.captured_queries if "UPDATE" in q["sql"]]
    assert _entries("couples.case.update") == []


def test_audit_unchanged_records_an_entry_with_no_fields(alice: User) -> None:
    couple = make_couple(alice, label="Same")
    with transaction.atomic():
        audited_update(
            couple, {"label": "Same"}, alice, "couples.case.update", audit_unchanged=True
        )
    [entry] = _entries("couples.case.update")
    assert entry.fields == []


def test_a_new_row_is_inserted_whole_and_audited(alice: User) -> None:
    resource = CrisisResource(clinic=alice.clinic)
    with transaction.atomic():
        changed = audited_update(
            resource,
            {"name": "Helpline", "phone": "", "position": 0},
            alice,
            "accounts.crisis_resource.add",
            clinic_id=alice.clinic_id,
        )
    assert resource.pk is not None
    assert CrisisResource.objects.get(pk=resource.pk).name == "Helpline"
    assert "name" in changed
    [entry] = _entries("accounts.crisis_resource.add")
    assert entry.fields == sorted(changed)


def test_the_reason_may_be_told_the_changed_fields(alice: User) -> None:
    couple = make_couple(alice, label="Before")
    with transaction.atomic():
        audited_update(
            couple,
            {"label": "After"},
            alice,
            "couples.case.update",
            reason=lambda changed: f"{', '.join(changed)} changed",
        )
    [entry] = _entries("couples.case.update")
    assert entry.reason == "label changed"
