"""`rebond keys generate|rotate|status`: make keys, re-encrypt to the newest, show key use.

- `generate [--purpose data|backup] [--id ID]` prints one keyring line with a fresh key;
  append it to the keyring file (the last `data` line becomes the key for new writes).
- `rotate` re-wraps every subject key under the current data key, then re-encrypts every
  encrypted column where needed (v1 values of a subject become v2, under the subject's key;
  values of nobody move to the current data key), in batches, each batch committed on its
  own: interrupted, it resumes where it stopped when run again.
- `status` counts the stored values under each key id and lists the backups still present
  that need a key other than the current ones.
- `retire KEY` says whether KEY may leave the keyring: it refuses (exit 1) while it is
  current, while stored values use it, while it wraps subject keys, or while a known backup
  needs it (rebond/crypto/needs.py).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.timezone import now

from rebond.audit.operations import log_operation
from rebond.crypto.envelope import (
    SUBJECT_VERSION,
    DecryptionError,
    key_id_of,
    keyring,
    version_of,
)
from rebond.crypto.fields import Sealed, encrypted_fields
from rebond.crypto.keys import PURPOSES, new_key_line
from rebond.crypto.needs import known_backups, retire_refusal
from rebond.crypto.rows import encrypted_models, rotate
from rebond.crypto.subject_keys import SubjectKeyError, store

SUBJECT_KEYS = "subject keys"


def key_usage() -> Counter[str]:
    """Return how many stored values each key id sealed ("plaintext" for anything else)."""
    usage: Counter[str] = Counter()
    for model in encrypted_models():
        for field in encrypted_fields(model):
            stored = model._default_manager.values_list(field.attname, flat=True)  # type: ignore[attr-defined]
            for value in stored.iterator(chunk_size=2000):
                if value is None:
                    continue
                blob = value.blob if isinstance(value, Sealed) else str(value)
                try:
                    # v2 ids are per-subject keys: counted together, not one line each.
                    is_v2 = version_of(blob) == SUBJECT_VERSION
                    usage[SUBJECT_KEYS if is_v2 else key_id_of(blob)] += 1
                except DecryptionError:
                    usage["plaintext"] += 1
    return usage


class Command(BaseCommand):
    help = "Encryption keys: generate a key, rotate every column to the newest, show key use."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="generate|rotate|status|retire"
        )
        generate = sub.add_parser("generate", help="Print a keyring line with a new random key.")
        generate.add_argument("--purpose", choices=PURPOSES, default="data")
        generate.add_argument("--id", dest="key_id", help="Key id (default: purpose and date).")
        sub.add_parser("rotate", help="Re-encrypt every encrypted value under the newest key.")
        sub.add_parser("status", help="Count stored values per key id; backups needing old keys.")
        retire = sub.add_parser("retire", help="Check that a key may leave the keyring.")
        retire.add_argument("key_id", help="The key id to retire, e.g. data-2026a.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "generate":
            key_id = options["key_id"] or f"{options['purpose']}-{now():%Y%m%d-%H%M%S}"
            try:
                self.stdout.write(new_key_line(options["purpose"], key_id))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            return
        if options["subcommand"] == "status":
            self.status()
            return
        if options["subcommand"] == "retire":
            self.retire(options["key_id"])
            return
        started = time.perf_counter()
        key_id = keyring().current("data")[0]
        try:
            report = rotate()
        except (DecryptionError, SubjectKeyError) as exc:
            raise CommandError(
                f"Rotation stopped: a stored value could not be decrypted ({exc})."
                " Rows done so far are committed; fix the keyring and run it again."
            ) from None
        subject_keys = report.pop("subject keys")
        examined = sum(t.examined for t in report.values())
        changed = sum(t.changed for t in report.values())
        log_operation(
            "keys.rotate",
            object_type="key",
            object_id=key_id,
            reason=f"{changed} re-encrypted, {subject_keys.changed} subject keys re-wrapped",
        )
        for label, tally in report.items():
            if tally.changed:
                self.stdout.write(f"  {label}: {tally.changed} of {tally.examined} re-encrypted")
        self.stdout.write(
            f"Subject keys re-wrapped: {subject_keys.changed} of {subject_keys.examined}."
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Rotated to key {key_id!r}: {changed} values re-encrypted, {examined} rows examined"
            f" in {len(report)} columns, 0 failures, {seconds:.1f} s."
        )

    def status(self) -> None:
        ring = keyring()
        current = ring.current("data")[0]
        for key_id, count in sorted(key_usage().items()):
            marker = " (current)" if key_id == current else ""
            self.stdout.write(f"{key_id}{marker}: {count} values")
        for key_id, count in sorted(store().wrapping_key_ids().items()):
            marker = " (current)" if key_id == current else ""
            self.stdout.write(f"{key_id}{marker}: wraps {count} subject keys")
        current_keys = set(ring.current_ids.values())
        needing = [
            (record, sorted({record.backup_key, *record.data_keys} - current_keys))
            for record in known_backups()
        ]
        needing = [(record, old) for record, old in needing if old]
        if not needing:
            self.stdout.write("No known backup needs a key other than the current ones.")
            return
        self.stdout.write("Backups that need an old key (keep it until they have expired):")
        for record, old in needing:
            self.stdout.write(f"  {record.path} ({record.created_at}) needs {', '.join(old)}")

    def retire(self, key_id: str) -> None:
        refusal = retire_refusal(key_id)
        if refusal:
            raise CommandError(f"Not retired: {refusal}")
        log_operation("keys.retire", object_type="key", object_id=key_id)
        self.stdout.write(
            f"{key_id} is needed by no stored value and no known backup: remove its line from"
            f" the keyring (sudo sed -i '/ {key_id} /d' /etc/rebond/keys) and restart."
        )
