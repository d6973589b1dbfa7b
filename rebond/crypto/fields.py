"""Encrypted model fields: every value sealed with AES-256-GCM, bound to where it is stored.

Use them like the field they replace, naming whose data the value is:

    display_name = EncryptedCharField(max_length=120, respondent="self")
    value = EncryptedCharField(max_length=254, respondent="partner")
    notes = EncryptedTextField(blank=True, respondent="couple")
    answers = EncryptedJSONField(respondent="administration")
    value = EncryptedIntegerField(
        respondent="administration", row=("administration", "item_number")
    )

The associated data (AAD) of each value is

    <app_label>.<model>.<field> | <row identity> | <respondent identity>

so a blob copied into another column, another row, or another partner's row no longer opens
(SECURITY.md CR-04). `respondent` names the field that identifies whose data it is ("self"
for the row's own primary key, None when the value belongs to nobody in particular); `row`
names the field(s) that identify the row (default: the primary key).

Row identity before INSERT. The AAD must be known when the value is sealed, which is before
the row exists. Rebond's models use UUID primary keys generated in Python (`default=uuid4`),
so `pk` is known before `save()`: that is the default. A model whose primary key the database
assigns (BigAutoField) must name a unique, immutable natural key instead, e.g. DraftAnswer's
(administration, item_number), or a UUID column set in Python. Sealing with an unknown
identity raises rather than binding to nothing. A two-step save (insert, then encrypt with
the new id) was rejected: it writes the row once unencrypted or with a placeholder.

Keys. A value with a respondent is sealed under its subject's key (envelope v2): the subject
is the respondent identity, e.g. a partner's id, so erasing someone destroys one key and every
copy of their values, backups included, stops opening (rebond/crypto/subjects.py). A value
with respondent=None is sealed under the keyring's data key (v1).

Reading. The database hands back a `Sealed` value; the field's descriptor opens it on first
attribute access, when the instance (hence the AAD) is known, and caches the plaintext on the
instance. A `Sealed` never turns into text: `str()` raises, so a `.values()` query or a
template can never show ciphertext. A failure to open raises DecryptionError and logs the
model, field, row and key id, never the value; the request then fails with the generic error
page (CR-03).

Writing. `save()`, `create()`, `update_or_create()` and `bulk_create()` seal through
`pre_save`. `QuerySet.update()`, `bulk_update()` and lookups such as `filter(value=...)` are
refused for plaintext: they have no instance to bind the value to, and an encrypted column
cannot be searched. Numbers are sealed as text, so encrypted columns cannot be summed, sorted
or filtered in SQL either: keep values that queries need in plain columns (see
docs/crypto-inventory.yaml for which ones and why).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property

from rebond.crypto.envelope import DecryptionError, key_id_of, open_blob, seal

logger = logging.getLogger("rebond.crypto")

if TYPE_CHECKING:
    # Values are whatever the field type holds (str, int, JSON); the stubs' TextField is str.
    _TextBase = models.TextField[Any, str]
    _IntegerBase = models.TextField[Any, int]
    _JSONBase = models.TextField[Any, Any]
else:
    _TextBase = _IntegerBase = _JSONBase = models.TextField

NO_RESPONDENT = "-"


class Sealed:
    """A ciphertext as read from the database, not yet opened (it never becomes text)."""

    __slots__ = ("blob",)

    def __init__(self, blob: str) -> None:
        self.blob = blob

    def __str__(self) -> str:
        raise DecryptionError("a sealed value was used without opening it through its model")

    def __repr__(self) -> str:
        return "<Sealed>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.blob == self.blob

    def __hash__(self) -> int:
        return hash(self.blob)


class SealedAttribute(DeferredAttribute):
    """The descriptor that opens a Sealed value on first access, with the instance's AAD."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            field: EncryptedMixin = self.field  # type: ignore[assignment]
            value = field.open_for(instance, value.blob)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedMixin:
    """What every encrypted field shares: AAD, sealing in pre_save, opening in the descriptor."""

    descriptor_class = SealedAttribute
    encrypted = True

    def __init__(
        self,
        *args: Any,
        respondent: str | None,
        row: str | Sequence[str] = "pk",
        **kwargs: Any,
    ) -> None:
        self.respondent = respondent
        self.row = (row,) if isinstance(row, str) else tuple(row)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kwargs["respondent"] = self.respondent
        if self.row != ("pk",):
            kwargs["row"] = list(self.row)
        return name, f"rebond.crypto.fields.{type(self).__name__}", args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"

    # -- what the value is as bytes (overridden per type) -----------------------------------
    def to_plain(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_plain(self, data: bytes) -> Any:
        raise NotImplementedError

    # -- associated data --------------------------------------------------------------------
    def identity_fields(self) -> tuple[list[str], str | None]:
        """Return the attnames making up the row identity, and the respondent's attname."""
        meta = self.model._meta  # type: ignore[attr-defined]
        row = [
            meta.pk.attname if name == "pk" else meta.get_field(name).attname for name in self.row
        ]
        if self.respondent is None:
            return row, None
        if self.respondent == "self":
            return row, meta.pk.attname
        return row, meta.get_field(self.respondent).attname

    def aad(self, identity: dict[str, Any]) -> bytes:
        """Return the AAD for one row, given its identity values by attname."""
        meta = self.model._meta  # type: ignore[attr-defined]
        row_names, respondent_name = self.identity_fields()
        row = ",".join(self._canonical(name, identity.get(name)) for name in row_names)
        respondent = (
            NO_RESPONDENT
            if respondent_name is None
            else self._canonical(respondent_name, identity.get(respondent_name))
        )
        name = self.name  # type: ignore[attr-defined]
        return f"{meta.label_lower}.{name}|{row}|{respondent}".encode()

    def _canonical(self, attname: str, value: Any) -> str:
        if value is None:
            raise ValueError(
                f"{self.model._meta.label}.{self.name}: {attname} is not set, so the value"  # type: ignore[attr-defined]
                " cannot be bound to its row; encrypted fields need a row identity known"
                " before save (see rebond/crypto/fields.py)."
            )
        meta = self.model._meta  # type: ignore[attr-defined]
        target = next(f for f in meta.concrete_fields if f.attname == attname)
        return str(target.to_python(value))

    def subject(self, identity: dict[str, Any]) -> str | None:
        """Return whose key seals the value: the respondent identity as bound in the AAD.

        Respondents are UUID primary keys (rebond/crypto/tests/test_subjects.py checks it), so
        one subject string never names two people. None when the value belongs to nobody.
        """
        _, respondent_name = self.identity_fields()
        if respondent_name is None:
            return None
        return self._canonical(respondent_name, identity.get(respondent_name))

    def identity_of(self, instance: Any) -> dict[str, Any]:
        row_names, respondent_name = self.identity_fields()
        names = [*row_names, *([respondent_name] if respondent_name else [])]
        return {name: getattr(instance, name) for name in names}

    # -- sealing and opening ----------------------------------------------------------------
    def seal_value(self, value: Any, identity: dict[str, Any]) -> Sealed | None:
        if value is None:
            return None
        return Sealed(
            seal(self.to_plain(value), self.aad(identity), subject=self.subject(identity))
        )

    def open_value(self, blob: str, identity: dict[str, Any]) -> Any:
        try:
            plain = open_blob(blob, self.aad(identity), subject=self.subject(identity))
            return self.from_plain(plain)
        except DecryptionError as exc:
            meta = self.model._meta  # type: ignore[attr-defined]
            try:
                key_id = key_id_of(blob)
            except DecryptionError:
                key_id = "none"
            row = {k: str(v) for k, v in identity.items()}
            # Ids and key id only: never the blob, never a value (SECURITY.md CR-03, LG).
            logger.error(
                "decrypt_failure model=%s field=%s row=%s key=%s cause=%s",
                meta.label_lower,
                self.name,  # type: ignore[attr-defined]
                row,
                key_id,
                exc,
            )
            raise

    def open_for(self, instance: Any, blob: str) -> Any:
        return self.open_value(blob, self.identity_of(instance))

    # -- Django field hooks -----------------------------------------------------------------
    def pre_save(self, model_instance: Any, add: bool) -> Any:
        raw = model_instance.__dict__.get(self.attname)  # type: ignore[attr-defined]
        if isinstance(raw, Sealed):
            return raw  # Read but never opened or changed: the stored blob is still right.
        value = getattr(model_instance, self.attname)  # type: ignore[attr-defined]
        return self.seal_value(value, self.identity_of(model_instance))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else Sealed(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.blob
        raise TypeError(
            f"{self.model._meta.label}.{self.name} is encrypted: write it through save() or"  # type: ignore[attr-defined]
            " create(), and do not filter, update() or bulk_update() it with plain values."
        )

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return self.get_prep_value(value)


class EncryptedTextField(EncryptedMixin, _TextBase):
    """Free text, sealed. A form shows a text area."""

    def to_plain(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def from_plain(self, data: bytes) -> str:
        return data.decode("utf-8")

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)


class EncryptedCharField(EncryptedTextField):
    """A short text, sealed; `max_length` is checked on the plaintext. A form shows one line."""

    @cached_property
    def validators(self) -> list[Any]:
        extra = [MaxLengthValidator(self.max_length)] if self.max_length else []
        return [*super().validators, *extra]

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().formfield(**{"widget": forms.TextInput, **kwargs})


class EncryptedIntegerField(EncryptedMixin, _IntegerBase):
    """A whole number, sealed (0 stays 0, None stays None)."""

    _pyi_private_set_type: int  # type: ignore[assignment]
    _pyi_private_get_type: int  # type: ignore[assignment]

    def to_plain(self, value: Any) -> bytes:
        return str(int(value)).encode("ascii")

    def from_plain(self, data: bytes) -> int:
        return int(data.decode("ascii"))

    def to_python(self, value: Any) -> Any:
        return None if value is None else int(value)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return forms.IntegerField(required=not self.blank, **kwargs)


class EncryptedJSONField(EncryptedMixin, _JSONBase):
    """A JSON document, sealed whole (keys included, unlike encrypted-values-only designs)."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def to_plain(self, value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def from_plain(self, data: bytes) -> Any:
        return json.loads(data.decode("utf-8"))

    def to_python(self, value: Any) -> Any:
        return value


def encrypted_fields(model: type[models.Model]) -> list[EncryptedMixin]:
    """Return the encrypted fields of one model."""
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


def open_stored(model: type[models.Model], field_name: str, stored: str, **identity: Any) -> Any:
    """Return the plaintext of a blob read outside Django (e.g. a test's raw SQL).

    `identity` gives the row and respondent values by attname, e.g. for a DraftAnswer:
    `open_stored(DraftAnswer, "value", blob, administration_id=..., item_number=3)`.
    """
    field = model._meta.get_field(field_name)
    if not isinstance(field, EncryptedMixin):
        raise TypeError(f"{model._meta.label}.{field_name} is not encrypted")
    return field.open_value(stored, identity)
