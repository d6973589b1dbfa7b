"""Key rotation: new writes use the newest key; `rebond keys rotate` moves everything to it,
resumes after an interruption, and afterwards the old key can go (SECURITY.md CR-07)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from rebond.accounts.models import User
from rebond.couples.models import ContactChannel, Couple
from rebond.crypto import fields as crypto_fields
from rebond.crypto.envelope import DecryptionError, key_id_of, version_of
from rebond.crypto.fields import Sealed
from rebond.crypto.keys import new_key_line, parse
from rebond.crypto.tests.conftest import sealed_as_before_subject_keys
from rebond.test import make_couple
from rebond.tests.figures import Figures

ROWS = 3000


SUBJECT = "subject key"


def key_of(blob: str) -> str:
    """The data key id of a v1 blob; SUBJECT for a v2 blob (under its subject's key)."""
    return SUBJECT if version_of(blob) == "v2" else key_id_of(blob)


def key_ids(model: Any, field: str) -> set[str]:
    blobs = model.objects.values_list(field, flat=True)
    return {key_of(b.blob) for b in blobs if isinstance(b, Sealed)}


def test_rotation_moves_every_value_to_the_new_key_and_resumes_after_a_crash(
    alice: User, settings: Settings, monkeypatch: pytest.MonkeyPatch, figures: Figures
) -> None:
    old_line = new_key_line("data", "k1")
    settings.REBOND_KEYRING = parse(old_line, "test")
    # Written by a release before subject keys: v1 under k1; rotation moves them to v2.
    with sealed_as_before_subject_keys():
        couple = make_couple(alice, "Rivera & Chen")
        partner = couple.partners.get(role="A")
        ContactChannel.objects.bulk_create(
            ContactChannel(partner=partner, kind="email", value=f"p{n}@example.org")
            for n in range(ROWS)
        )
    assert key_ids(ContactChannel, "value") == {"k1"}

    new_line = new_key_line("data", "k2")
    settings.REBOND_KEYRING = parse(f"{old_line}\n{new_line}", "test")
    make_couple(alice, "Written after the new key")
    assert SUBJECT in key_ids(Couple, "label")

    # The first run dies part-way (as a killed process would): finished batches stay done.
    original = crypto_fields.EncryptedMixin.seal_value
    calls = {"n": 0}

    def crash_on_the_1200th(self: Any, value: Any, identity: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1200:
            raise RuntimeError("killed")
        return original(self, value, identity)

    monkeypatch.setattr(crypto_fields.EncryptedMixin, "seal_value", crash_on_the_1200th)
    with pytest.raises(RuntimeError, match="killed"):
        call_command("keys", "rotate", stdout=StringIO())
    monkeypatch.undo()
    assert key_ids(ContactChannel, "value") == {"k1", SUBJECT}
    partly: list[Any] = list(ContactChannel.objects.values_list("value", flat=True))
    done_before = sum(key_of(b.blob) == SUBJECT for b in partly)
    assert 0 < done_before < ROWS

    out = StringIO()
    call_command("keys", "rotate", stdout=out)
    assert "0 failures" in out.getvalue()
    assert f"couples.ContactChannel.value: {ROWS - done_before} of {ROWS} re-encrypted" in (
        out.getvalue()
    )
    settings.REBOND_KEYRING = parse(new_line, "test")  # the old key is gone
    assert key_ids(ContactChannel, "value") == {SUBJECT}
    assert key_ids(Couple, "label") == {SUBJECT}
    expected = {f"p{n}@example.org" for n in range(ROWS)}
    values = {c.value for c in ContactChannel.objects.all()}
    unreadable = len(expected - values)
    assert unreadable == 0
    assert Couple.objects.get(pk=couple.pk).label == "Rivera & Chen"
    status = StringIO()
    call_command("keys", "status", stdout=status)
    assert "k1" not in status.getvalue()
    figures.add("Crypto", "rotation rows", ROWS)
    figures.add("Crypto", "rotation failures", unreadable)


def test_rotation_stops_with_a_clear_message_when_a_value_cannot_be_opened(
    alice: User, settings: Settings
) -> None:
    old_line = new_key_line("data", "k1")
    settings.REBOND_KEYRING = parse(old_line, "test")
    make_couple(alice, "Rivera & Chen")
    settings.REBOND_KEYRING = parse(new_key_line("data", "k2"), "test")  # k1 lost
    with pytest.raises(Exception, match="could not be decrypted") as caught:
        call_command("keys", "rotate", stdout=StringIO())
    assert not isinstance(caught.value, DecryptionError)


def test_generate_prints_a_keyring_line_the_parser_accepts() -> None:
    out = StringIO()
    call_command("keys", "generate", "--purpose", "backup", "--id", "b2", stdout=out)
    ring = parse(new_key_line("data", "k1") + "\n" + out.getvalue(), "generated")
    assert ring.current("backup")[0] == "b2"


def test_the_database_check_warns_while_a_persons_values_are_under_a_data_key(
    alice: User,
) -> None:
    from django.core.checks import run_checks

    def warned() -> list[str]:
        messages = run_checks(databases=["default"], include_deployment_checks=False)
        return [m.id for m in messages if m.id == "rebond.W011"]

    make_couple(alice, "Subject keys already")
    assert warned() == []
    with sealed_as_before_subject_keys():
        make_couple(alice, "Written by an older release")
    assert warned() == ["rebond.W011"]
    call_command("keys", "rotate", stdout=StringIO())
    assert warned() == []
