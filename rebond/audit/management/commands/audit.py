"""`rebond audit verify`: recompute the audit hash chain and report the first broken link.

Exit status 0 when the chain is intact, 1 when it is not. The report names entries by id,
sequence number and action only, never by their contents.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rebond.audit.chain import verify


class Command(BaseCommand):
    help = "Audit trail tools. `verify` checks that no entry was edited, deleted or reordered."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="verify")
        check = subcommands.add_parser(
            "verify", help="Recompute the hash chain; exit 1 at the first broken link."
        )
        check.add_argument("--database", default="default", help="Database alias to check.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        verdict = verify(options["database"])
        elapsed = f"{(time.perf_counter() - started) * 1000:.0f} ms"
        if verdict.intact:
            self.stdout.write(
                f"Audit chain intact: {verdict.checked} entries checked in {elapsed}."
            )
            return
        raise CommandError(
            f"Audit chain broken: {verdict.problem}."
            f" {verdict.checked} of {verdict.total} entries checked before it.",
            returncode=1,
        )
