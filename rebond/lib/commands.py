"""A base for sweep commands that run once, or forever with `--every SECONDS`."""

from __future__ import annotations

import abc
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class SweepCommand(BaseCommand, abc.ABC):
    """Run `sweep()` once, or repeatedly with `--every`; print what it reports, if anything."""

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
        """Do one round of work; return a line to print, or "" when there was nothing to do."""

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = self.sweep()
            if report:
                self.stdout.write(report)
            if not options["every"]:
                return
            time.sleep(options["every"])
