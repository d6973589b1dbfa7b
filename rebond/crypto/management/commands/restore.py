"""`rebond restore FILE`: restore an encrypted backup, then verify counts and the audit chain.

After the verification, erasures made since the backup are applied again: couples and
partners whose subject key was shredded are deleted (rebond/crypto/subjects.py), and the
command says how many.

Exit status 0 when every table has the backup's row count and the audit chain verifies;
1 otherwise, naming each difference. A database already in use is refused without --force.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rebond.audit.operations import log_operation
from rebond.crypto.backup import BackupError, restore
from rebond.crypto.keys import KeyringError
from rebond.crypto.needs import MissingKeyError
from rebond.crypto.subjects import reapply_erasures


class Command(BaseCommand):
    help = "Restore a backup made by `rebond backup` and verify it (row counts, audit chain)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument("--database", default="default", help="Database alias.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds clinics, users or audit entries.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore(options["file"], options["database"], force=options["force"])
        except (BackupError, KeyringError, MissingKeyError, OSError) as exc:
            raise CommandError(str(exc)) from None
        # Recorded in the restored database, after its recount and verification.
        log_operation(
            "backup.restore",
            object_type="backup",
            object_id=options["file"].name,
            reason="verified" if report.ok else "differs from the backup",
        )
        self.stdout.write(
            f"Restored {report.tables} tables, {report.rows} rows"
            f" in {report.seconds * 1000:.0f} ms (decrypt, load, recount, verify)."
        )
        for difference in report.count_differences:
            self.stdout.write(f"  count differs: {difference}")
        if report.chain_problem:
            self.stdout.write(f"  audit chain: {report.chain_problem}")
        else:
            self.stdout.write(f"Audit chain intact: {report.chain_entries} entries checked.")
        # Whatever the verdict: an erased person must not come back with a restore.
        erased = reapply_erasures()
        self.stdout.write(
            f"Erasures re-applied: {erased['couples']} couples and {erased['partners']} partners"
            " erased since this backup were deleted again."
        )
        if erased["partners_refused"]:
            self.stdout.write(
                f"  {erased['partners_refused']} erased partners are still referenced by kept"
                " records and were not deleted; their data cannot be read."
            )
        if not report.ok:
            raise CommandError("The restored database differs from the backup.", returncode=1)
        self.stdout.write("Row counts match the backup's manifest.")
