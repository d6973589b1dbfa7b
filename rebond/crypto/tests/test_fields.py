"""Encrypted fields fail closed and bind each value to its place (SECURITY.md CR-02..CR-06)."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from rebond.accounts.models import User
from rebond.assessments import actions as assessments
from rebond.assessments.models import DraftAnswer
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.crypto.envelope import NONCE_BYTES, DecryptionError, keyring, seal
from rebond.crypto.keys import new_key_line, parse
from rebond.crypto.subject_keys import store
from rebond.test import make_couple, sign_in
from rebond.tests.figures import Figures


def raw(model: Any, field: str, pk: Any) -> str:
    table = model._meta.db_table
    column = model._meta.get_field(field).column
    pk_value = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        # Table and column names come from the models, never from input.
        sql = f'SELECT "{column}" FROM "{table}" WHERE "id" = %s'  # noqa: S608
        cursor.execute(sql, [pk_value])
        return str(cursor.fetchone()[0])


def write_raw(model: Any, field: str, pk: Any, stored: str) -> None:
    table = model._meta.db_table
    column = model._meta.get_field(field).column
    pk_value = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        sql = f'UPDATE "{table}" SET "{column}" = %s WHERE "id" = %s'  # noqa: S608
        cursor.execute(sql, [stored, pk_value])


def test_a_stored_value_is_a_versioned_aes_gcm_blob_naming_its_key(alice: User) -> None:
    couple = make_couple(alice, "Rivera & Chen")
    stored = raw(Couple, "label", couple.pk)
    version, key_id, nonce, _sealed = stored.split(":")
    # A couple's label is the couple's data: sealed under the couple's subject key (v2).
    subject_key = store().key_for(str(couple.pk), keyring(), create=False)
    assert (version, key_id) == ("v2", subject_key.key_id)
    assert len(base64.urlsafe_b64decode(nonce + "==")) == NONCE_BYTES
    assert "Rivera" not in stored
    assert Couple.objects.get(pk=couple.pk).label == "Rivera & Chen"


def test_swapping_blobs_between_two_partners_is_detected(alice: User) -> None:
    couple = make_couple(alice, partners=("Ann", "Ben"))
    ann, ben = couple.partners.get(role="A"), couple.partners.get(role="B")
    ann_blob, ben_blob = raw(Partner, "display_name", ann.pk), raw(Partner, "display_name", ben.pk)
    write_raw(Partner, "display_name", ann.pk, ben_blob)
    write_raw(Partner, "display_name", ben.pk, ann_blob)
    for pk in (ann.pk, ben.pk):
        with pytest.raises(DecryptionError, match="not this subject's key: moved"):
            _ = Partner.objects.get(pk=pk).display_name


def test_moving_a_blob_to_another_field_or_item_is_detected(alice: User) -> None:
    couple = make_couple(alice)
    partner = couple.partners.get(role="A")
    channel = ContactChannel.objects.create(
        partner=partner, kind="email", value="ann@example.org", safe_hours="evenings"
    )
    write_raw(ContactChannel, "safe_hours", channel.pk, raw(ContactChannel, "value", channel.pk))
    loaded = ContactChannel.objects.get(pk=channel.pk)
    assert loaded.value == "ann@example.org"
    with pytest.raises(DecryptionError):
        _ = loaded.safe_hours
    # Two autosaved answers of one check-in: item 1's blob copied onto item 2.
    administration = assessments.schedule_instrument(alice, couple.id, "PHQ-9")[0]
    owner = administration.partner
    assessments.save_draft_answer(owner, administration.id, 1, 3)
    assessments.save_draft_answer(owner, administration.id, 2, 0)
    one, two = DraftAnswer.objects.order_by("item_number")
    write_raw(DraftAnswer, "value", two.pk, raw(DraftAnswer, "value", one.pk))
    with pytest.raises(DecryptionError):
        assessments.draft_answers(administration)


def test_a_corrupted_byte_a_wrong_key_and_smuggled_plaintext_all_fail_closed(
    alice: User, settings: SettingsWrapper
) -> None:
    couple = make_couple(alice, "Rivera & Chen")
    stored = raw(Couple, "label", couple.pk)
    flipped = stored[:-3] + ("A" if stored[-3] != "A" else "B") + stored[-2:]
    write_raw(Couple, "label", couple.pk, flipped)
    with pytest.raises(DecryptionError, match="authentication failed"):
        _ = Couple.objects.get(pk=couple.pk).label
    write_raw(Couple, "label", couple.pk, "Rivera & Chen")
    with pytest.raises(DecryptionError, match="not a v1 or v2 ciphertext"):
        _ = Couple.objects.get(pk=couple.pk).label
    write_raw(Couple, "label", couple.pk, stored)
    original = settings.REBOND_KEYRING
    key_id = original.current("data")[0]
    # The couple's key is wrapped under the data key: another key of that name cannot unwrap it.
    settings.REBOND_KEYRING = parse(new_key_line("data", key_id), "other")
    with pytest.raises(DecryptionError, match="failed its integrity check"):
        _ = Couple.objects.get(pk=couple.pk).label
    settings.REBOND_KEYRING = parse(new_key_line("data", "another"), "other")
    with pytest.raises(DecryptionError, match=f"data key '{key_id}', which is not in the keyring"):
        _ = Couple.objects.get(pk=couple.pk).label


def test_a_page_whose_data_cannot_be_decrypted_is_refused_with_the_generic_error(
    alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    couple = make_couple(alice, "Rivera & Chen")
    stored = raw(Couple, "label", couple.pk)
    tampered = stored[:-3] + ("A" if stored[-3] != "A" else "B") + stored[-2:]
    write_raw(Couple, "label", couple.pk, tampered)
    client = Client(raise_request_exception=False)
    sign_in(client, alice)
    with caplog.at_level(logging.ERROR, logger="rebond.crypto"):
        response = client.get(reverse("case", args=[couple.id]))
    assert response.status_code == 500
    body = response.content.decode()
    assert tampered not in body
    assert tampered.split(":")[3] not in body
    failures = [r for r in caplog.records if r.name == "rebond.crypto"]
    assert failures, "the decryption failure was not logged"
    logged = "\n".join(r.getMessage() for r in failures)
    assert "decrypt_failure model=couples.couple field=label" in logged
    assert str(couple.id) in logged
    assert tampered.split(":")[3] not in logged
    assert "Rivera" not in logged


def test_a_sealed_value_never_turns_into_text(alice: User) -> None:
    make_couple(alice, "Rivera & Chen")
    sealed = Couple.objects.values_list("label", flat=True).get()
    assert repr(sealed) == "<Sealed>"
    with pytest.raises(DecryptionError):
        str(sealed)


def test_plain_values_cannot_be_written_or_searched_past_the_model(alice: User) -> None:
    couple = make_couple(alice, "Rivera & Chen")
    with pytest.raises(TypeError, match=r"couples\.Couple\.label is encrypted"):
        Couple.objects.filter(pk=couple.pk).update(label="plain")
    with pytest.raises(TypeError, match="is encrypted"):
        Couple.objects.filter(label="Rivera & Chen").exists()


def test_changing_secret_key_leaves_every_value_readable(
    alice: User, settings: SettingsWrapper
) -> None:
    couple = make_couple(alice, "Rivera & Chen", partners=("Ann", "Ben"))
    settings.SECRET_KEY = "a-completely-different-secret-key-" + "x" * 30
    settings.SECRET_KEY_FALLBACKS = []
    loaded = Couple.objects.get(pk=couple.pk)
    assert loaded.label == "Rivera & Chen"
    assert sorted(p.display_name for p in loaded.partners.all()) == ["Ann", "Ben"]


def test_a_hundred_thousand_encryptions_never_repeat_a_nonce(figures: Figures) -> None:
    blobs = [seal(b"same plaintext", b"same|aad|-") for _ in range(100_000)]
    nonces = {b.split(":")[2] for b in blobs}
    ciphertexts = {b.split(":")[3] for b in blobs}
    collisions = len(blobs) - len(nonces)
    assert collisions == 0
    assert len(ciphertexts) == len(blobs)
    figures.record("Crypto", "nonce collisions", collisions)


def test_a_row_without_an_identity_cannot_be_sealed(alice: User) -> None:
    couple = make_couple(alice)
    administration = assessments.schedule_instrument(alice, couple.id, "PHQ-9")[0]
    with pytest.raises(ValueError, match="item_number is not set"):
        DraftAnswer.objects.create(
            administration=administration,
            item_number=None,  # type: ignore[misc]
            value=1,
        )


def test_length_and_choices_are_still_checked_on_the_plaintext() -> None:
    from django.core.exceptions import ValidationError
    from django.forms import TextInput

    name = Partner._meta.get_field("display_name")
    assert isinstance(name.formfield().widget, TextInput)
    with pytest.raises(ValidationError, match="at most 120 characters"):
        name.clean("x" * 121, None)
    with pytest.raises(ValidationError, match="not a valid choice"):
        Partner._meta.get_field("intake_goal").clean("bogus", None)
