"""Crypto-shredding: erase a person's data everywhere, backups included, by destroying one key.

Every encrypted value with a respondent is sealed under its subject's key (rebond/crypto/
subject_keys.py, envelope v2). The erasure workflow (rebond/lifecycle/) deletes the rows, then
destroys the keys of the subjects those rows held:

    doomed = rows collected for deletion (e.g. django.db.models.deletion.Collector)
    subjects = subjects_of(doomed)       # before the delete: the rows name their subjects
    ... delete the rows, commit ...
    shred(subjects)                      # after the commit: no copy opens any more

A backup taken before still holds the rows, sealed under keys that no longer exist: restored,
they cannot be read. `reapply_erasures()` (called by `rebond restore`) then deletes the couples
and partners whose key was shredded, so no page trips over them.

A subject is the respondent identity bound into each value's AAD: the UUID primary key of a
couple, partner, administration, session, injury, note, user or consultation request. UUIDs
never repeat across tables, so a subject string names one thing only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import models, transaction
from django.db.models import ProtectedError
from django.dispatch import Signal

from rebond.crypto.fields import encrypted_fields
from rebond.crypto.subject_keys import store

CHUNK = 500


def subjects_of(instances: Iterable[models.Model]) -> set[str]:
    """Return the subjects of the encrypted values these rows hold (their keys' names).

    Reads only identity columns: nothing is decrypted.
    """
    found: set[str] = set()
    for instance in instances:
        for field in encrypted_fields(type(instance)):
            if field.respondent is None:
                continue
            subject = field.subject(field.identity_of(instance))
            if subject is not None:
                found.add(subject)
    return found


def shred(subjects: Iterable[str]) -> int:
    """Destroy these subjects' keys (store and cache); return how many keys were destroyed.

    Idempotent: a second call destroys nothing and returns 0. Every subject is recorded as
    shredded, even one that never had a key. A value sealed for it later gets a fresh key.
    """
    return store().shred(str(subject) for subject in subjects)


def is_shredded(subject: str) -> bool:
    """Whether the subject's key was destroyed (no key, and recorded as shredded)."""
    return store().is_shredded(str(subject))


def _own_subject_models() -> list[type[models.Model]]:
    """Models with a value whose subject is the row itself (`respondent="self"`)."""
    return [
        model
        for model in apps.get_models()
        if any(field.respondent == "self" for field in encrypted_fields(model))
    ]


def _delete_in_chunks(model: type[models.Model], pks: list[str]) -> tuple[int, int]:
    """Delete the rows of `model` among `pks`; return (deleted, refused by PROTECT)."""
    deleted = refused = 0
    for start in range(0, len(pks), CHUNK):
        for row in model._default_manager.filter(pk__in=pks[start : start + CHUNK]):
            try:
                with transaction.atomic():
                    row.delete()
                deleted += 1
            except ProtectedError:
                refused += 1
    return deleted, refused


# Sent by `reapply_erasures` with `partner_ids`: partners whose key was shredded and whose row
# is in the database, e.g. brought back by the restore of a backup older than their erasure.
# rebond.lifecycle receives it and erases them again as it first did (their own rows go, their
# row stays with a placeholder name). A receiver returns how many it handled.
erased_partners_present = Signal()


def reapply_erasures() -> dict[str, int]:
    """After restoring an older backup, erase again the couples and partners that were erased.

    Their values cannot be opened any more (their keys are shredded); left in place they would
    make every page that lists them fail. Deleting a couple removes its partners and records
    with it (CASCADE). Partners present whose key was shredded are handed to the receivers of
    `erased_partners_present` (rebond.lifecycle); with none, they are deleted. Returns counts:
    couples, partners, and partners_refused (a partner that another kept row still protects;
    its values stay unreadable).
    """
    shredded = sorted(store().shredded_subjects())
    if not shredded:
        return {"couples": 0, "partners": 0, "partners_refused": 0}
    # Through the app registry: crypto sits below couples in the layers (architecture.md).
    couple_model = apps.get_model("couples", "Couple")
    partner_model = apps.get_model("couples", "Partner")
    couples, _ = _delete_in_chunks(couple_model, shredded)
    # Other rows that are their own subject (a consultation request that became an erased
    # case outlives its couple: SET_NULL) go the same way. Rows whose subject is another row
    # (a check-in's answers, a session's notes) went with their couple above.
    for model in _own_subject_models():
        if model not in (couple_model, partner_model):
            _delete_in_chunks(model, shredded)
    present = [
        str(pk)
        for start in range(0, len(shredded), CHUNK)
        for pk in partner_model._default_manager.filter(
            pk__in=shredded[start : start + CHUNK]
        ).values_list("pk", flat=True)
    ]
    responses = erased_partners_present.send(sender=None, partner_ids=present)
    if responses:
        handled = max(int(count or 0) for _receiver, count in responses)
        return {"couples": couples, "partners": handled, "partners_refused": 0}
    partners, refused = _delete_in_chunks(partner_model, present)
    return {"couples": couples, "partners": partners, "partners_refused": refused}
