"""`rebond backup FILE`: write an encrypted, online backup of the database with its manifest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rebond.audit.operations import log_operation
from rebond.crypto.backup import BackupError, write_backup
from rebond.crypto.keys import KeyringError
from rebond.crypto.needs import MissingKeyError


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup or pg_dump), encrypted with the backup key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Where to write the backup (mode 0600).")
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            manifest = write_backup(options["file"], options["database"])
        except (BackupError, KeyringError, MissingKeyError, OSError) as exc:
            raise CommandError(str(exc)) from None
        log_operation(
            "backup.create",
            object_type="backup",
            object_id=options["file"].name,
            reason=f"keys {', '.join([manifest['backup_key'], *manifest['data_keys']])}",
        )
        rows = sum(manifest["counts"].values())
        chains = len(manifest["audit_heads"])
        self.stdout.write(
            f"Backup written to {options['file']}: {len(manifest['counts'])} tables,"
            f" {rows} rows, {chains} audit chain heads,"
            f" {time.perf_counter() - started:.1f} s."
        )
