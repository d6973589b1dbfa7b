"""`rebond demo`: load the synthetic demo practice and print its logins.

`rebond demo --code` prints the current second-factor code of the demo clinicians (only
theirs: their app seed is published with the demo)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rebond.demo.practice import DEMO_PASSWORD, build_demo_practice, demo_codes


class Command(BaseCommand):
    help = "Load (or refresh) the synthetic demo practice and print its logins. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (a demo practice has a published password).",
        )
        parser.add_argument(
            "--code",
            nargs="?",
            const="",
            metavar="EMAIL",
            help="Print the current two-factor code of the demo clinicians (or of one of them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["code"] is not None:
            self._print_codes(options["code"] or None)
            return
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to load the demo practice with DEBUG=False: its password is public. "
                "Use --force on a throw-away server."
            )
        logins = build_demo_practice()
        self.stdout.write(
            self.style.SUCCESS(f"Demo practice ready. Log in at {settings.SITE_URL}/ with:")
        )
        for login in logins:
            self.stdout.write(f"  {login.email:<30} password: {DEMO_PASSWORD}   ({login.roles})")
        self.stdout.write(
            "Then enter the 6-digit code that `make demo-code` (or `rebond demo --code`) prints;"
            " a code works once and a new one comes every 30 seconds."
        )

    def _print_codes(self, email: str | None) -> None:
        try:
            codes = demo_codes(email)
        except LookupError as error:
            raise CommandError(f"{error} Codes are printed for demo accounts only.") from error
        if not codes:
            raise CommandError("No demo practice here: run `rebond demo` first.")
        for address, code in codes:
            self.stdout.write(f"  {address:<30} code: {code}")
