"""Rebond's translation catalogues: made from the sources, compiled for the server.

One catalogue per language and domain lives in rebond/locale/<code>/LC_MESSAGES/: `django.po`
for templates and Python, `djangojs.po` for the scripts (served by Django's JavaScript
catalogue). `rebond catalogues` (also `make messages`) collects every marked string into them
and compiles the `.mo` files the server reads; both are committed, so a server needs no GNU
gettext. docs/translation.md says how to translate and how to add a language.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "rebond" / "locale"
DOMAINS = ("django", "djangojs")
# Where no user-facing string lives: tests, benchmarks, tooling, and vendored or built files.
IGNORE = (
    "node_modules/*",
    "var/*",
    "bench/*",
    "scripts/*",
    "docs/*",
    "build/*",
    "dist/*",
    "psychometrics/*",
    "*/tests/*",
    "*/vendor/*",
    "rebond/test.py",
    "rebond/conftest.py",
    "manage.py",
    # Not walked as a source: makemessages would otherwise take any folder named "locale" it
    # meets as the place to write, over LOCALE_PATHS, and a check into a scratch folder would
    # rewrite the shipped catalogues instead.
    "rebond/locale",
)


def languages() -> list[str]:
    """Return the translated languages: every entry of LANGUAGES but the source language."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue(language: str, domain: str, locale_dir: Path = LOCALE_DIR) -> Path:
    """Return the path of one catalogue (`.po`; its compiled `.mo` lies beside it)."""
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


@contextmanager
def _in_root() -> Iterator[None]:
    # makemessages reads the tree below the working directory.
    before = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(before)


def update(locale_dir: Path = LOCALE_DIR, codes: Sequence[str] | None = None) -> None:
    """Collect every marked string into the catalogues under `locale_dir`.

    Translations already there are kept; a string whose source changed is marked fuzzy (so the
    catalogue test fails until a translator checks it); strings gone from the sources are
    dropped.
    """
    chosen = list(codes) if codes is not None else languages()
    with _in_root(), override_settings(LOCALE_PATHS=[locale_dir]):
        for domain in DOMAINS:
            call_command(
                "makemessages",
                locale=chosen,
                domain=domain,
                ignore_patterns=list(IGNORE),
                no_obsolete=True,
                add_location="file",
                verbosity=0,
            )


def compile_all(locale_dir: Path = LOCALE_DIR) -> None:
    """Compile every catalogue under `locale_dir` to the `.mo` file the server reads."""
    with _in_root(), override_settings(LOCALE_PATHS=[locale_dir]):
        call_command("compilemessages", locale=languages(), verbosity=0)
