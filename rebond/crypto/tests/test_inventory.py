"""docs/crypto-inventory.yaml matches the code: no drift (SECURITY.md CR-10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings

from rebond.crypto import envelope, keys
from rebond.crypto.fields import EncryptedMixin
from rebond.crypto.rows import encrypted_models

INVENTORY = Path(__file__).resolve().parents[3] / "docs" / "crypto-inventory.yaml"


def inventory() -> dict[str, Any]:
    return dict(yaml.safe_load(INVENTORY.read_text(encoding="utf-8")))


def encrypted_in_code() -> set[str]:
    return {
        f"{model._meta.label}.{field.name}"
        for model in encrypted_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedMixin)
    }


def test_every_encrypted_field_is_listed_and_every_listed_phi_field_is_encrypted() -> None:
    listed = set(inventory()["phi_fields"])
    code = encrypted_in_code()
    assert code - listed == set(), "encrypted in the code but missing from the inventory"
    assert listed - code == set(), "listed as PHI but not encrypted in the code"


def test_fields_kept_in_plaintext_exist_and_are_not_encrypted() -> None:
    for label in inventory()["plaintext_by_design"]:
        app_label, model_name, field_name = label.split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        assert not isinstance(field, EncryptedMixin), label


def test_algorithms_and_key_purposes_match_the_code() -> None:
    document = inventory()
    algorithm = next(a for a in document["algorithms"] if a["id"] == envelope.VERSION)
    assert algorithm["name"] == "AES-256-GCM"
    assert algorithm["key_bytes"] == keys.KEY_BYTES
    assert "96-bit" in algorithm["nonce"]
    assert envelope.NONCE_BYTES * 8 == 96
    purposes = {k["purpose"] for k in document["keys"]}
    assert set(keys.PURPOSES) | {"audit-chain", "subject"} == purposes
    subject_envelope = next(a for a in document["algorithms"] if a["id"] == "v2")
    assert subject_envelope["id"] == envelope.SUBJECT_VERSION
    assert subject_envelope["key_bytes"] == keys.KEY_BYTES
    # Every key the running configuration holds has a documented purpose.
    ring = settings.REBOND_KEYRING
    assert {p for p in keys.PURPOSES if ring.ids(p)} <= purposes
