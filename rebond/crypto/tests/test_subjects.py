"""Crypto-shredding: subject keys, shred, and a backup that cannot bring an erased person back.

Issue 23. Values with a respondent are sealed under their subject's key (envelope v2), kept in
a store outside the database and its backups; destroying the key erases every copy.
"""

from __future__ import annotations

import stat
import threading
import uuid
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.db.models.deletion import Collector
from pytest_django.fixtures import Settings

from rebond.accounts.models import User
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.crypto import subject_keys
from rebond.crypto.backup import restore, write_backup
from rebond.crypto.envelope import DecryptionError, key_id_of, keyring, version_of
from rebond.crypto.fields import Sealed, encrypted_fields
from rebond.crypto.keys import new_key_line, parse
from rebond.crypto.rows import encrypted_models
from rebond.crypto.subject_keys import SubjectKeyStore, store
from rebond.crypto.subjects import is_shredded, reapply_erasures, shred, subjects_of
from rebond.crypto.tests.conftest import sealed_as_before_subject_keys
from rebond.test import make_couple


def stored(model: type[models.Model], field: str, pk: Any) -> str:
    blob = model._default_manager.filter(pk=pk).values_list(field, flat=True).get()
    assert isinstance(blob, Sealed)
    return blob.blob


def write_raw(model: type[models.Model], field: str, pk: Any, blob: str) -> None:
    model._default_manager.filter(pk=pk).update(**{field: Sealed(blob)})


def rows_to_delete(*roots: models.Model) -> list[models.Model]:
    """The rows a delete of `roots` removes, as the erasure workflow collects them."""
    collector = Collector(using="default")
    collector.collect(list(roots))
    found = [row for rows in collector.data.values() for row in rows]
    for query in collector.fast_deletes:
        found.extend(query)
    return found


def test_values_of_a_subject_are_v2_under_its_key_and_do_not_open_in_another_subjects_row(
    alice: User,
) -> None:
    couple = make_couple(alice, "Rivera & Chen", partners=("Ann", "Ben"))
    ann, ben = couple.partners.get(role="A"), couple.partners.get(role="B")
    ann_channel = ContactChannel.objects.create(partner=ann, kind="email", value="a@example.org")
    ben_channel = ContactChannel.objects.create(partner=ben, kind="email", value="b@example.org")
    blob = stored(ContactChannel, "value", ann_channel.pk)
    assert version_of(blob) == "v2"
    assert key_id_of(blob) == store().key_for(str(ann.pk), keyring(), create=False).key_id
    assert ContactChannel.objects.get(pk=ann_channel.pk).value == "a@example.org"

    write_raw(ContactChannel, "value", ben_channel.pk, blob)  # Ann's blob in Ben's row
    with pytest.raises(DecryptionError, match="not this subject's key"):
        _ = ContactChannel.objects.get(pk=ben_channel.pk).value


def test_shred_destroys_the_subjects_key_only_and_is_idempotent(alice: User) -> None:
    couple = make_couple(alice, "Rivera & Chen", partners=("Ann", "Ben"))
    ann, ben = couple.partners.get(role="A"), couple.partners.get(role="B")
    assert subjects_of([ann]) == {str(ann.pk)}
    assert not is_shredded(str(ann.pk))

    assert shred([str(ann.pk)]) == 1
    assert shred([str(ann.pk)]) == 0  # idempotent
    assert is_shredded(str(ann.pk))
    assert not is_shredded(str(ben.pk))
    with pytest.raises(DecryptionError, match="was destroyed: the subject's data was erased"):
        _ = Partner.objects.get(pk=ann.pk).display_name
    assert Partner.objects.get(pk=ben.pk).display_name == "Ben"
    assert Couple.objects.get(pk=couple.pk).label == "Rivera & Chen"
    # A value sealed now gets a fresh key (an erased partner's placeholder name); what was
    # sealed under the destroyed key still does not open.
    old_name = stored(Partner, "display_name", ann.pk)
    placeholder = Partner.objects.get(pk=ann.pk)
    placeholder.display_name = "Partner A (erased)"
    placeholder.save(update_fields=["display_name"])
    assert Partner.objects.get(pk=ann.pk).display_name == "Partner A (erased)"
    assert key_id_of(stored(Partner, "display_name", ann.pk)) != key_id_of(old_name)
    assert is_shredded(str(ann.pk))
    write_raw(Partner, "display_name", ann.pk, old_name)  # as an older backup would hold it
    with pytest.raises(DecryptionError, match="was destroyed: the subject's data was erased"):
        _ = Partner.objects.get(pk=ann.pk).display_name


def test_a_shred_in_another_process_is_seen_once_the_generation_is_checked(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    couple = make_couple(alice, "Rivera & Chen")
    subject = str(couple.pk)
    here, elsewhere = SubjectKeyStore(store().path), SubjectKeyStore(store().path)
    here.key_for(subject, keyring(), create=False)  # cached here
    elsewhere.shred([subject])
    monkeypatch.setattr(subject_keys, "GENERATION_CHECK_SECONDS", 0.0)
    with pytest.raises(subject_keys.SubjectErasedError):
        here.key_for(subject, keyring(), create=False)


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_before_an_erasure_cannot_bring_the_person_back(
    alice: User, tmp_path: Path
) -> None:
    canary = f"CANARY{uuid.uuid4().hex[:12]}"
    erased = make_couple(alice, f"{canary} couple", partners=(f"{canary} A", f"{canary} B"))
    ContactChannel.objects.create(
        partner=erased.partners.get(role="A"), kind="email", value=f"{canary}@example.org"
    )
    kept = make_couple(alice, "Kept & Well", partners=("Kim", "Lee"))
    backup = tmp_path / "before-erasure.backup"
    write_backup(backup)

    # The erasure, as rebond/lifecycle does it: collect, name the subjects, delete, shred.
    doomed = rows_to_delete(erased)
    subjects = subjects_of(doomed)
    erased_pk = erased.pk
    assert {str(erased_pk), *(str(p.pk) for p in erased.partners.all())} <= subjects
    erased.delete()
    assert shred(subjects) >= 3

    report = restore(backup, force=True)
    assert report.ok
    # Restored, the rows are back but sealed under destroyed keys: nothing opens.
    with pytest.raises(DecryptionError, match="destroyed"):
        _ = Couple.objects.get(pk=erased_pk).label
    assert reapply_erasures() == {"couples": 1, "partners": 0, "partners_refused": 0}

    readable: list[str] = []
    for model in encrypted_models():
        for row in model._default_manager.all():
            readable.extend(str(getattr(row, f.attname)) for f in encrypted_fields(model))  # type: ignore[attr-defined]
    assert not [value for value in readable if canary in value]
    assert not Couple.objects.filter(pk=erased_pk).exists()
    assert Couple.objects.get(pk=kept.pk).label == "Kept & Well"
    assert {p.display_name for p in Partner.objects.filter(couple=kept)} == {"Kim", "Lee"}


@pytest.mark.django_db(transaction=True)
def test_restore_command_reapplies_erasures_and_says_so(alice: User, tmp_path: Path) -> None:
    erased = make_couple(alice, "To be erased")
    backup = tmp_path / "rebond.backup"
    call_command("backup", str(backup), stdout=StringIO())
    subjects = subjects_of(rows_to_delete(erased))
    erased.delete()
    shred(subjects)
    out = StringIO()
    call_command("restore", str(backup), "--force", stdout=out)
    assert "Erasures re-applied: 1 couples and 0 partners" in out.getvalue()
    assert not Couple.objects.exists()


def test_rotate_moves_v1_values_to_subject_keys_and_rewraps_them(
    alice: User, settings: Settings
) -> None:
    old, new = new_key_line("data", "k1"), new_key_line("data", "k2")
    settings.REBOND_KEYRING = parse(old, "test")
    with sealed_as_before_subject_keys():
        legacy = make_couple(alice, "Written by an older release")
    current = make_couple(alice, "Written today")
    assert version_of(stored(Couple, "label", legacy.pk)) == "v1"
    assert store().wrapping_key_ids() == {"k1": 3}  # the couple and its two partners

    settings.REBOND_KEYRING = parse(f"{old}\n{new}", "test")
    with pytest.raises(CommandError, match="stored values still use k1"):
        call_command("keys", "retire", "k1", stdout=StringIO())
    out = StringIO()
    call_command("keys", "rotate", stdout=out)
    # The older release's values get their subject keys as they are re-sealed, under k2.
    assert "Subject keys re-wrapped: 3 of 3." in out.getvalue()
    assert version_of(stored(Couple, "label", legacy.pk)) == "v2"
    assert store().wrapping_key_ids() == {"k2": 6}

    settings.REBOND_KEYRING = parse(new, "test")  # k1 gone: everything still opens
    assert Couple.objects.get(pk=legacy.pk).label == "Written by an older release"
    assert Couple.objects.get(pk=current.pk).label == "Written today"


def test_retire_refuses_a_data_key_that_wraps_subject_keys(alice: User, settings: Settings) -> None:
    old, new = new_key_line("data", "k1"), new_key_line("data", "k2")
    settings.REBOND_KEYRING = parse(old, "test")
    make_couple(alice, "Rivera & Chen")
    settings.REBOND_KEYRING = parse(f"{old}\n{new}", "test")
    with pytest.raises(CommandError, match="k1 still wraps 3 subject key"):
        call_command("keys", "retire", "k1", stdout=StringIO())
    call_command("keys", "rotate", stdout=StringIO())
    out = StringIO()
    call_command("keys", "retire", "k1", stdout=out)
    assert "k1 is needed by no stored value" in out.getvalue()


def test_the_store_file_is_private_and_concurrent_creation_makes_one_key(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "store" / "subject-keys.sqlite3"
    settings.REBOND_SUBJECT_KEYS_FILE = path
    processes = [SubjectKeyStore(path) for _ in range(8)]  # one per "process"
    barrier = threading.Barrier(len(processes))
    found: list[str] = []

    def create(one: SubjectKeyStore) -> None:
        barrier.wait()
        found.append(
            one.key_for("7c7d5a52-0000-4000-8000-000000000001", keyring(), create=True).key_id
        )
        one.close()

    threads = [threading.Thread(target=create, args=(one,)) for one in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == len(processes)
    assert len(set(found)) == 1
    assert store().wrapping_key_ids() == {keyring().current("data")[0]: 1}
    for file in path.parent.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name


def test_a_store_readable_by_others_is_refused(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "subject-keys.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    with pytest.raises(subject_keys.SubjectKeyError, match="readable by group or others"):
        SubjectKeyStore(path).connection()


def test_every_subject_is_a_uuid_primary_key_so_no_two_people_share_one() -> None:
    for model in encrypted_models():
        for field in encrypted_fields(model):
            if field.respondent is None:
                continue
            _, attname = field.identity_fields()
            target = next(f for f in model._meta.concrete_fields if f.attname == attname)
            related: Any = target.related_model
            pointed = related._meta.pk if target.is_relation else target
            assert isinstance(pointed, models.UUIDField), f"{model._meta.label}.{field.attname}"  # type: ignore[attr-defined]
    assert connection.vendor in {"sqlite", "postgresql"}
    assert apps.get_model("couples", "Couple") is Couple
