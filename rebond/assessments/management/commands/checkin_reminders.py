"""`rebond checkin_reminders`: remind partners of check-ins left open, per clinic settings.

Run it every few minutes (a systemd timer in docs/deploy.md; `make run` runs it in a loop).
Each reminder is claimed in the database first, so overlapping runs never send one twice.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rebond.assessments.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send the reminders of open check-ins that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Repeat every SECONDS instead of running once.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            queued = send_due_reminders()
            if queued:
                self.stdout.write(f"reminders queued {queued}")
            if not options["every"]:
                return
            time.sleep(options["every"])
