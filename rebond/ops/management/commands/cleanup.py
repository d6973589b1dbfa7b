"""`rebond cleanup`: delete what nothing will read again (rebond/ops/cleanup.py), now.

The worker already runs it once a day; this is for an operator who wants it now, or wants to
see first what it would remove (`--dry-run`). It prints counts only, never a person.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rebond.ops import cleanup


class Command(BaseCommand):
    help = (
        "Delete expired sessions, old task results, stale worker heartbeats, long-dead private "
        "links and old throttle rows (the worker does it daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be removed; delete nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        counts = cleanup.run(dry_run=dry_run, log=False)
        verb = "would remove" if dry_run else "removed"
        self.stdout.write(f"{verb}: {cleanup.summary(counts)}")
