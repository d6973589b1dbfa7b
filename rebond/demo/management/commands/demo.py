"""`rebond demo`: load the synthetic demo practice and print its logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rebond.demo.practice import DEMO_PASSWORD, build_demo_practice


class Command(BaseCommand):
    help = "Load (or refresh) the synthetic demo practice and print its logins. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (a demo practice has a published password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
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
