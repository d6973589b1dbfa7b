"""Work on stored blobs in bulk: seal legacy plaintext (migrations) and rotate keys.

Rotation has two parts: the subject keys in the subject key store are re-wrapped under the
current data key (rebond/crypto/subject_keys.py), and blobs are re-sealed where their key is
not the one they should have: a v1 blob of a field with a respondent becomes v2 (its subject's
key), a v1 blob of a field without one moves to the current data key. v2 blobs are left as
they are: their key is the subject's, which rotation does not change.

Both read each row's identity and blob with `values_list` (no model instances, no signals,
no `save()` side effects such as append-only guards or `auto_now`), open or parse the value,
seal it again under the current key and write it back with `QuerySet.update()`. Work goes in
primary-key order, in batches, each batch in its own transaction, so an interrupted run
loses nothing and a rerun continues: rows already done are recognised and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps as global_apps
from django.db import models, transaction

from rebond.crypto.envelope import SUBJECT_VERSION, is_blob, key_id_of, keyring, version_of
from rebond.crypto.fields import EncryptedJSONField, EncryptedMixin, Sealed, encrypted_fields
from rebond.crypto.subject_keys import store

BATCH = 500


@dataclass
class Tally:
    """Counts of one bulk pass, per column and in total."""

    examined: int = 0
    changed: int = 0


def encrypted_models(app_registry: Any = None) -> list[type[models.Model]]:
    """Return every model that has at least one encrypted field."""
    registry = app_registry or global_apps
    return [m for m in registry.get_models() if encrypted_fields(m)]


def _batches(model: type[models.Model], columns: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    """Yield rows (pk, *columns) in pk order, BATCH at a time, re-querying after each batch."""
    last = None
    while True:
        query = model._default_manager.order_by("pk")
        if last is not None:
            query = query.filter(pk__gt=last)
        rows = list(query.values_list("pk", *columns)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _columns(field: EncryptedMixin) -> list[str]:
    row_names, respondent_name = field.identity_fields()
    names = [*row_names, *([respondent_name] if respondent_name else [])]
    return [*dict.fromkeys(names), field.attname]  # type: ignore[attr-defined]


def _legacy_value(field: EncryptedMixin, stored: str) -> Any:
    """Return the Python value of a column written before it was encrypted."""
    if isinstance(field, EncryptedJSONField):
        return json.loads(stored)
    return field.to_python(stored)  # type: ignore[attr-defined]


def already_right(field: EncryptedMixin, blob: str, key_id: str) -> bool:
    """Whether `blob` is sealed the way this field's new values are."""
    if field.respondent is not None:
        return version_of(blob) == SUBJECT_VERSION
    return version_of(blob) != SUBJECT_VERSION and key_id_of(blob) == key_id


def reseal(model: type[models.Model], field: EncryptedMixin, *, legacy: bool, key_id: str) -> Tally:
    """Seal one column's values under their right key; with `legacy`, plaintext too.

    The right key is the subject's for a field with a respondent (any v2 blob is left alone),
    else the data key `key_id`. Blobs already right are skipped: that makes a rerun resume.
    """
    tally = Tally()
    columns = _columns(field)
    names = columns[:-1]
    for rows in _batches(model, columns):
        with transaction.atomic():
            for pk, *values in rows:
                stored = values[-1]
                tally.examined += 1
                if stored is None:
                    continue
                blob = stored.blob if isinstance(stored, Sealed) else str(stored)
                identity = dict(zip(names, values[:-1], strict=True))
                if is_blob(blob):
                    if already_right(field, blob, key_id):
                        continue
                    value = field.open_value(blob, identity)
                elif legacy:
                    value = _legacy_value(field, blob)
                else:
                    # Plaintext where a blob belongs: refuse, as a read would (CR-03).
                    field.open_value(blob, identity)
                    continue  # pragma: no cover - open_value raised
                sealed = field.seal_value(value, identity)
                model._default_manager.filter(pk=pk).update(**{field.attname: sealed})  # type: ignore[attr-defined]
                tally.changed += 1
    return tally


def seal_legacy_rows(app_label: str, model_name: str) -> Any:
    """Return a migration operation body that seals a model's existing plaintext values."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        fields = encrypted_fields(model)
        if not fields or not model._default_manager.using(schema_editor.connection.alias).exists():
            return
        key_id, _ = keyring().current("data")
        for field in fields:
            reseal(model, field, legacy=True, key_id=key_id)

    return forwards


def rotate(
    models_: Iterable[type[models.Model]] | None = None,
) -> dict[str, Tally]:
    """Re-wrap the subject keys, then re-seal every column; return tallies by column.

    The subject keys' tally is reported as "subject keys".
    """
    ring = keyring()
    key_id, _ = ring.current("data")
    report: dict[str, Tally] = {}
    wrapped = store().wrapping_key_ids()
    report["subject keys"] = Tally(examined=sum(wrapped.values()), changed=store().rewrap(ring))
    for model in models_ if models_ is not None else encrypted_models():
        for field in encrypted_fields(model):
            label = f"{model._meta.label}.{field.name}"  # type: ignore[attr-defined]
            report[label] = reseal(model, field, legacy=False, key_id=key_id)
    return report


def unseal_not_supported(apps: Any, schema_editor: Any) -> None:
    """Refuse to migrate backwards: that would write every encrypted value out in plaintext."""
    raise RuntimeError("Encrypted columns are not decrypted by a backwards migration.")
