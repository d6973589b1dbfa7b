"""`rebond catalogues`: bring the translation catalogues up to date with the sources, compile."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rebond.lib import catalogues


class Command(BaseCommand):
    help = (
        "Collect every string marked for translation into rebond/locale/<language>/, keeping "
        "the translations already there, and compile the catalogues the server reads."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        catalogues.update()
        catalogues.compile_all()
        for code in catalogues.languages():
            self.stdout.write(f"Updated and compiled the catalogues of {code!r}.")
