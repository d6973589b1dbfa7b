"""Audit entries: written inside the change's transaction, never rewritten, no values."""

from __future__ import annotations

import pytest
from django.db import transaction

from rebond import audit
from rebond.accounts.models import User
from rebond.audit.models import GENESIS_ACTION, AuditEntry
from rebond.test import make_couple

pytestmark = pytest.mark.django_db


def test_it_records_who_did_what_to_which_record(alice: User) -> None:
    couple = make_couple(alice)
    with transaction.atomic():
        entry = audit.log(
            actor=alice,
            action="couples.case.open",
            obj=couple,
            clinic_id=couple.clinic_id,
            fields=["status", "label"],
        )
    entry.refresh_from_db()
    assert entry.actor_id == alice.id
    assert entry.actor_label == f"clinician:{alice.email}"
    assert entry.object_type == "couples.couple"
    assert entry.object_id == str(couple.id)
    assert entry.clinic_id == couple.clinic_id
    assert entry.fields == ["label", "status"]  # names only, sorted; never values


def test_an_anonymous_visitor_and_a_partner_get_stable_labels(alice: User) -> None:
    couple = make_couple(alice)
    partner = couple.partners.first()
    assert partner is not None
    with transaction.atomic():
        public = audit.log(actor=None, action="intake.request.submit")
        by_partner = audit.log(actor=partner, action="couples.partner.goal", obj=partner)
    assert public.actor_label == "public"
    assert by_partner.actor_id is None
    assert by_partner.actor_label == f"partner:{partner.pk}"


def test_it_refuses_to_write_outside_a_transaction(alice: User) -> None:
    # Under pytest-django every test runs in a transaction, so leave it explicitly.
    connection = transaction.get_connection()
    connection.in_atomic_block, saved = False, connection.in_atomic_block
    try:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            audit.log(actor=alice, action="x")
    finally:
        connection.in_atomic_block = saved


def test_entries_are_never_rewritten_or_deleted(alice: User) -> None:
    with transaction.atomic():
        entry = audit.log(actor=alice, action="couples.case.open")
    entry.action = "something.else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "couples.case.open"


def change_that_fails(actor: User) -> None:
    with transaction.atomic():
        audit.log(actor=actor, action="couples.case.open")
        raise RuntimeError("the change itself failed")


def test_the_entry_rolls_back_with_a_failed_change(alice: User) -> None:
    with pytest.raises(RuntimeError, match="change itself failed"):
        change_that_fails(alice)
    assert not AuditEntry.objects.exclude(action=GENESIS_ACTION).exists()
