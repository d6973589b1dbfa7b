"""Which language a person reads Rebond in.

Each person has one: a clinician chooses theirs (empty: the clinic's default), each partner has
theirs (the two partners of a couple may differ), and a clinic's default serves its public
request page. A code that is not (or no longer) in settings.LANGUAGES falls back, never fails:
a page in the clinic's or the server's language is better than no page.
"""

from __future__ import annotations

from django.conf import settings


def supported(code: str | None) -> str | None:
    """Return `code` if Rebond ships that language, else None."""
    return code if code and code in dict(settings.LANGUAGES) else None


def first_supported(*codes: str | None) -> str:
    """Return the first of `codes` Rebond ships, else the server's language (LANGUAGE_CODE)."""
    for code in codes:
        if supported(code):
            return str(code)
    return str(settings.LANGUAGE_CODE)


def name_of(code: str) -> str:
    """Return a language's name in that language ("Español"), or its code if Rebond does not
    ship it (a code stored before, or imported)."""
    return str(dict(settings.LANGUAGES).get(code, code))


def choices() -> list[tuple[str, str]]:
    """Return (code, name) for every language Rebond ships, each name in its own language."""
    return [(code, name) for code, name in settings.LANGUAGES]
