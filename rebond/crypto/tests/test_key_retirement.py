"""Rotation, then removing the old data key, never silently loses a backup (issue 24, item 1).

A backup sealed before a rotation holds values under the old data key. Once that key leaves
the keyring, restoring the backup would load rows nobody can read: `restore` refuses before
touching the database, naming the key; `backup` refuses data it could not restore;
`keys status` names the backups that still need an old key; `keys retire` refuses while one
does. The data is written as before subject keys (v1, under the data key), as an older
release left it; values under subject keys depend on the store's wrapping keys instead
(rebond/crypto/tests/test_subjects.py). Runs on both legs of `make test` (SQLite and PostgreSQL).
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from pytest_django.fixtures import Settings

from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.crypto.backup import table_counts
from rebond.crypto.keys import new_key_line, parse
from rebond.crypto.needs import MissingKeyError, refuse_to_start_without_the_data_keys
from rebond.crypto.tests.conftest import sealed_as_before_subject_keys
from rebond.test import make_couple

OLD, NEW, BACKUP = "data-2026a", "data-2027a", "backup-2026a"


def use_keyring(settings: Settings, *lines: str) -> None:
    settings.REBOND_KEYRING = parse("\n".join(lines), "test")


@pytest.mark.django_db(transaction=True)
def test_a_backup_sealed_before_rotation_is_refused_once_its_data_key_is_gone(
    alice: User, tmp_path: Path, settings: Settings
) -> None:
    old, new, backup = (
        new_key_line("data", OLD),
        new_key_line("data", NEW),
        new_key_line("backup", BACKUP),
    )
    use_keyring(settings, old, backup)
    with sealed_as_before_subject_keys():
        make_couple(alice, "Rivera & Chen")
    before_rotation = tmp_path / "before-rotation.backup"
    call_command("backup", str(before_rotation), stdout=StringIO())

    # Section 8: append the new key, rotate, check status, then retire the old one.
    use_keyring(settings, old, backup, new)
    call_command("keys", "rotate", stdout=StringIO())
    status = StringIO()
    call_command("keys", "status", stdout=status)
    assert f"{NEW} (current)" in status.getvalue()
    assert f"{before_rotation}" in status.getvalue()
    assert f"needs {OLD}" in status.getvalue()
    with pytest.raises(CommandError, match=f"{OLD}.*still needed by 1 backup.*{before_rotation}"):
        call_command("keys", "retire", OLD, stdout=StringIO())

    # The operator removes the old line anyway: the old backup cannot be restored.
    use_keyring(settings, backup, new)
    counts = table_counts()
    with pytest.raises(CommandError, match=f"needs data key {OLD!r}, which the keyring lacks"):
        call_command("restore", str(before_rotation), "--force", stdout=StringIO())
    assert table_counts() == counts  # nothing changed
    assert Couple.objects.get().label == "Rivera & Chen"

    # Into an empty database, too: refused before loading anything.
    call_command("flush", interactive=False, verbosity=0)
    empty = table_counts()
    with pytest.raises(CommandError, match=OLD):
        call_command("restore", str(before_rotation), stdout=StringIO())
    assert table_counts() == empty

    # With the key back, the same backup restores and reads.
    use_keyring(settings, old, backup, new)
    call_command("restore", str(before_rotation), stdout=StringIO())
    assert Couple.objects.get().label == "Rivera & Chen"

    # Once that backup has expired (its file is gone), the old key may be retired.
    before_rotation.unlink()
    call_command("keys", "rotate", stdout=StringIO())
    out = StringIO()
    call_command("keys", "retire", OLD, stdout=out)
    assert f"{OLD} is needed by no stored value and no known backup" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_data_sealed_under_a_key_the_keyring_lacks(
    alice: User, tmp_path: Path, settings: Settings
) -> None:
    old, backup = new_key_line("data", OLD), new_key_line("backup", BACKUP)
    use_keyring(settings, old, backup)
    with sealed_as_before_subject_keys():
        make_couple(alice, "Rivera & Chen")
    use_keyring(settings, backup, new_key_line("data", NEW))  # removed before rotating
    path = tmp_path / "rebond.backup"
    with pytest.raises(CommandError, match=f"needs data key {OLD!r}, which the keyring lacks"):
        call_command("backup", str(path), stdout=StringIO())
    assert not path.exists()


@pytest.mark.django_db
def test_retire_refuses_a_key_that_stored_values_or_new_writes_use(
    alice: User, settings: Settings
) -> None:
    old, backup = new_key_line("data", OLD), new_key_line("backup", BACKUP)
    use_keyring(settings, old, backup)
    with sealed_as_before_subject_keys():
        make_couple(alice, "Rivera & Chen")
    with pytest.raises(CommandError, match=f"{OLD} is the current data key"):
        call_command("keys", "retire", OLD, stdout=StringIO())
    use_keyring(settings, old, backup, new_key_line("data", NEW))
    with pytest.raises(CommandError, match=f"stored values still use {OLD}: run `rebond keys"):
        call_command("keys", "retire", OLD, stdout=StringIO())
    with pytest.raises(CommandError, match="no-such-key is not in the keyring"):
        call_command("keys", "retire", "no-such-key", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_start_up_refuses_stored_values_under_a_key_the_keyring_lacks(
    alice: User, settings: Settings
) -> None:
    use_keyring(settings, new_key_line("data", OLD), new_key_line("backup", BACKUP))
    with sealed_as_before_subject_keys():
        make_couple(alice, "Rivera & Chen")
    refuse_to_start_without_the_data_keys()  # every key present: starts
    use_keyring(settings, new_key_line("data", NEW))  # the old line deleted before rotating
    with pytest.raises(MissingKeyError, match=f"The database needs data key {OLD!r}"):
        refuse_to_start_without_the_data_keys()
    with pytest.raises(SystemCheckError, match=f"rebond.E010.*{OLD}"):
        call_command("check", "--database", "default", stdout=StringIO(), stderr=StringIO())
