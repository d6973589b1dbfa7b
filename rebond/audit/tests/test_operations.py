"""Operations run on the server are audited: who ran them, as which host user, no values
(issue 24, item 7): key rotation and retirement, backup, restore, and clinics and accounts
created from the command line."""

from __future__ import annotations

import getpass
import os
import subprocess
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from rebond.accounts.models import Clinic, User
from rebond.audit.chain import verify
from rebond.audit.models import AuditEntry
from rebond.audit.operations import command_line, operator_label
from rebond.crypto.keys import new_key_line, parse
from rebond.test import make_couple
from rebond.tests import live


def operations() -> list[tuple[str, str, str]]:
    entries = AuditEntry.objects.filter(actor_label__startswith="cli:").order_by("sequence")
    return list(entries.values_list("action", "object_id", "actor_label"))


def test_the_operator_is_the_host_user_and_whoever_used_sudo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SUDO_USER", raising=False)
    assert operator_label().startswith(f"cli:{getpass.getuser()}@")
    monkeypatch.setenv("SUDO_USER", "alice")
    assert operator_label().endswith(" (sudo by alice)")


@pytest.mark.django_db(transaction=True)
def test_rotation_retirement_backup_and_restore_are_audited_without_values(
    alice: User, tmp_path: Path, settings: Settings
) -> None:
    canary = f"CANARY{uuid.uuid4().hex}"
    old, backup = new_key_line("data", "data-2026a"), new_key_line("backup", "backup-2026a")
    settings.REBOND_KEYRING = parse(f"{old}\n{backup}", "test")
    settings.VAR_DIR = tmp_path / "var"
    make_couple(alice, canary)
    path = tmp_path / "nightly.backup"
    call_command("backup", str(path), stdout=StringIO())
    settings.REBOND_KEYRING = parse(f"{old}\n{backup}\n{new_key_line('data', 'data-2027a')}", "t")
    call_command("keys", "rotate", stdout=StringIO())
    path.unlink()  # the backup expires
    call_command("keys", "retire", "data-2026a", stdout=StringIO())
    me = operator_label()
    assert operations() == [
        ("backup.create", "nightly.backup", me),
        ("keys.rotate", "data-2027a", me),
        ("keys.retire", "data-2026a", me),
    ]
    backup_entry = AuditEntry.objects.get(action="backup.create")
    # The couple's values are under its subject key (v2), kept in the subject key store and
    # not in the backup: the dump itself needs no data key (rebond/crypto/subjects.py).
    assert backup_entry.reason == "keys backup-2026a"

    call_command("backup", str(path), stdout=StringIO())
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(path), stdout=StringIO())
    assert operations()[-1] == ("backup.restore", "nightly.backup", me)
    assert verify().intact
    stored = " ".join(str(v) for v in AuditEntry.objects.values_list("reason", "fields"))
    assert canary not in stored


@pytest.mark.django_db
def test_clinics_and_accounts_created_from_the_command_line_are_audited() -> None:
    # Not from a command: a view audits its own creations.
    Clinic.objects.create(name="Created by a web request", slug="web")
    assert operations() == []
    with command_line():
        clinic = Clinic.objects.create(name="Practice", slug="practice")
        user = User.objects.create_user(
            "admin@example.org", "a long passphrase here", clinic=clinic
        )
    me = operator_label()
    assert operations() == [
        ("clinic.create", str(clinic.pk), me),
        ("account.create", str(user.pk), me),
    ]
    assert AuditEntry.objects.get(action="account.create").clinic_id == clinic.pk


@pytest.mark.slow
def test_createsuperuser_from_the_rebond_command_is_audited(tmp_path: Path) -> None:
    env = {
        **{key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ},
        "DEBUG": "True",
        "HTTPS": "False",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "REBOND_VAR_DIR": str(tmp_path),
        "DJANGO_SUPERUSER_EMAIL": "operator@example.org",
        "DJANGO_SUPERUSER_PASSWORD": "a long passphrase for the operator",
        "SUDO_USER": "alice",
    }
    rebond = str(live.BIN / "rebond")
    for step in (["migrate", "-v0"], ["createsuperuser", "--noinput", "--display_name", "Op"]):
        subprocess.run([rebond, *step], env=env, cwd=live.ROOT, check=True, timeout=180)
    query = (
        "from rebond.audit.models import AuditEntry as A;"
        "print(list(A.objects.values_list('action', 'actor_label')))"
    )
    done = subprocess.run(
        [rebond, "shell", "-c", query], env=env, cwd=live.ROOT, check=True, timeout=120,
        capture_output=True, text=True,
    )  # fmt: skip
    assert "('account.create', 'cli:" in done.stdout
    assert "(sudo by alice)" in done.stdout
