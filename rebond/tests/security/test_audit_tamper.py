"""SECURITY.md LG-06: each kind of tampering with the audit trail is caught by
`rebond audit verify` (edit, delete, reorder, truncate), and an untouched trail passes.

Tampering goes through raw SQL inside `protection.maintenance()`, the way someone with write
access to the database who knows how to pass the triggers would; the triggers themselves are
proved in rebond/audit/tests/test_protection.py and the exact messages in test_chain.py.
Truncating the entries and the chain head together leaves an empty, valid-looking trail: that
is caught only against a head exported off the box (LG-06), not by this in-database check.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from rebond import audit
from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.audit.protection import maintenance
from rebond.tests import figures

pytestmark = pytest.mark.django_db

SECTION = "Audit"
ENTRIES = 6


def _sql(sql: str, *params: int | str) -> None:
    with maintenance(), connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def edit(entries: list[AuditEntry]) -> None:
    _sql("UPDATE audit_auditentry SET action = %s WHERE id = %s", "edited", entries[2].id)


def delete(entries: list[AuditEntry]) -> None:
    _sql("DELETE FROM audit_auditentry WHERE id = %s", entries[2].id)


def reorder(entries: list[AuditEntry]) -> None:
    first, second = entries[2], entries[3]
    names = [f.attname for f in AuditEntry._meta.concrete_fields if f.attname != "id"]
    rows = {e.id: AuditEntry.objects.filter(id=e.id).values(*names).get() for e in (first, second)}
    with maintenance():
        AuditEntry.objects.filter(id=first.id).update(sequence=10**9)
        AuditEntry.objects.filter(id=second.id).update(**rows[first.id])
        AuditEntry.objects.filter(id=first.id).update(**rows[second.id])


def truncate(entries: list[AuditEntry]) -> None:
    _sql("DELETE FROM audit_auditentry")


TAMPERING: dict[str, Callable[[list[AuditEntry]], None]] = {
    "edit": edit,
    "delete": delete,
    "reorder": reorder,
    "truncate": truncate,
}


def write(actor: User) -> list[AuditEntry]:
    entries = []
    for n in range(ENTRIES):
        with transaction.atomic():
            entries.append(audit.log(actor=actor, action=f"security.tamper.{n}"))
    return entries


def test_an_untouched_trail_verifies(alice: User) -> None:
    write(alice)
    call_command("audit", "verify")


@pytest.mark.parametrize("kind", TAMPERING)
def test_each_kind_of_tampering_is_detected_by_audit_verify(alice: User, kind: str) -> None:
    entries = write(alice)
    TAMPERING[kind](entries)
    detected = False
    try:
        call_command("audit", "verify")
    except CommandError as failure:
        detected = failure.returncode == 1
    figures.tally(SECTION, "tamper cases detected", passed=detected)
    assert detected, f"{kind} went unnoticed"
