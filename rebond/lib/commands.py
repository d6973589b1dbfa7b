"""A base for sweep commands that run once, or forever with `--every SECONDS`."""

from __future__ import annotations

import abc
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class SweepCommand(BaseCommand, abc.ABC):
    """Run `sweep()` once, or repeatedly with `--every`; print one line per run.

    The line names counts only, zero included: an operator reading the journal can tell a
    healthy, idle run from a timer that never fired (issue 24, item 9).
    """

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Repeat every SECONDS instead of running once.",
        )

    @abc.abstractmethod
    def sweep(self) -> str:
        """Do one round of work; return the line to print (counts only, never a person)."""

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            self.stdout.write(self.sweep())
            if not options["every"]:
                return
            time.sleep(options["every"])
