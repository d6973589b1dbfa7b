"""`rebond safety_sweep`: escalate overdue HIGH alerts and deliver pending notifications.

Run it every minute (a systemd timer in docs/deploy.md; `make run` runs it in a loop), so an
unacknowledged HIGH alert reaches the safety leads even if no other work wakes the worker.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rebond.alerts import actions


class Command(BaseCommand):
    help = "Escalate overdue HIGH alerts and deliver pending alert notifications."

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
            escalated = actions.escalate_overdue_alerts()
            sent = actions.deliver_notifications()
            if escalated or sent:
                self.stdout.write(f"escalated {escalated}, notifications sent {sent}")
            if not options["every"]:
                return
            time.sleep(options["every"])
