"""Backups are online, encrypted with a key kept apart, and verified on restore (RL-08, CR-09).

The same tests run on both legs of `make test`: SQLite (online backup API) and PostgreSQL
(`pg_dump -Fc` / `pg_restore`); the `postgresql` test asserts it really ran on PostgreSQL.
"""

from __future__ import annotations

import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from pytest_django.fixtures import Settings

from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.crypto.backup import database_in_use, read_backup, seal_backup, table_counts
from rebond.crypto.keys import new_key_line, parse
from rebond.crypto.tests.seeding import seed_everything
from rebond.test import make_couple
from rebond.tests.figures import Figures

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def backup_wipe_restore(alice: User, tmp_path: Path, figures: Figures) -> None:
    canary = f"CANARY{uuid.uuid4().hex}"
    seed_everything(alice, canary)
    before = table_counts()
    path = tmp_path / "rebond.backup"
    out = StringIO()
    call_command("backup", str(path), stdout=out)
    assert "Backup written" in out.getvalue()
    assert path.stat().st_mode & 0o777 == 0o600
    data = path.read_bytes()
    plaintext_artefacts = sum(
        data.count(marker) for marker in (canary.encode(), SQLITE_MAGIC, PG_DUMP_MAGIC)
    )
    assert plaintext_artefacts == 0

    call_command("flush", interactive=False, verbosity=0)  # the wipe
    assert not database_in_use()
    assert table_counts() != before

    out = StringIO()
    call_command("restore", str(path), stdout=out)
    report = out.getvalue()
    # Every row back, plus the audit entry recording the restore itself.
    assert table_counts() == {**before, "audit_auditentry": before["audit_auditentry"] + 1}
    assert "Row counts match the backup's manifest." in report
    assert "Audit chain intact" in report
    # Encrypted values come back readable with the same data key.
    assert any(canary in c.label for c in Couple.objects.all())
    milliseconds = report.split(" rows in ")[1].split(" ms ")[0]
    figures.record("Backup", f"restore time ({connection.vendor}, ms)", milliseconds)
    figures.record("Backup", f"rows compared ({connection.vendor})", sum(before.values()))
    figures.record(
        "Backup", f"plaintext artefacts in backup ({connection.vendor})", plaintext_artefacts
    )

    # A database in use is not overwritten unless asked.
    with pytest.raises(CommandError, match="already holds clinics, users or audit entries"):
        call_command("restore", str(path), stdout=StringIO())
    call_command("restore", str(path), "--force", stdout=StringIO())
    assert table_counts() == {**before, "audit_auditentry": before["audit_auditentry"] + 1}


@pytest.mark.django_db(transaction=True)
def test_backup_then_wipe_then_restore_gives_the_same_rows_and_a_verified_chain(
    alice: User, tmp_path: Path, figures: Figures
) -> None:
    backup_wipe_restore(alice, tmp_path, figures)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_on_postgresql(alice: User, tmp_path: Path, figures: Figures) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    backup_wipe_restore(alice, tmp_path, figures)


@pytest.mark.django_db(transaction=True)
def test_restore_needs_the_backup_key_and_refuses_a_damaged_file(
    alice: User, tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "rebond.backup"
    call_command("backup", str(path), stdout=StringIO())
    call_command("flush", interactive=False, verbosity=0)
    original = settings.REBOND_KEYRING
    settings.REBOND_KEYRING = parse(new_key_line("data", "k1"), "without backup key")
    with pytest.raises(CommandError, match="is not in the keyring: restore needs it"):
        call_command("restore", str(path), stdout=StringIO())
    settings.REBOND_KEYRING = original
    damaged = bytearray(path.read_bytes())
    damaged[-10] ^= 0x01
    path.write_bytes(bytes(damaged))
    with pytest.raises(CommandError, match="failed its integrity check"):
        call_command("restore", str(path), stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_restore_reports_each_count_and_chain_head_that_differs(
    alice: User, tmp_path: Path
) -> None:
    path = tmp_path / "rebond.backup"
    make_couple(alice, "Rivera & Chen")
    call_command("backup", str(path), stdout=StringIO())
    # A manifest that disagrees with its dump (as a truncated or mixed-up dump would).
    _header, manifest, dump = read_backup(path)
    manifest["counts"]["couples_couple"] += 1
    manifest["audit_heads"] = {
        "00000000-0000-0000-0000-000000000000": {"sequence": 999, "hash": "0" * 64}
    }
    seal_backup(path, manifest, dump)
    out = StringIO()
    with pytest.raises(CommandError, match="differs from the backup"):
        call_command("restore", str(path), "--force", stdout=out)
    assert "count differs: couples_couple: backup 2, restored 1" in out.getvalue()
    assert "audit chain: the restored audit chain heads differ" in out.getvalue()
