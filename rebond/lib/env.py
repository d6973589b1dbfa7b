"""Strict readers for settings taken from the environment.

Each reader rejects values it does not understand with ImproperlyConfigured, so a typo in a
deployment's environment stops start-up with a clear message instead of silently falling back
to a default (the healthchecks `hc/settings.py` approach). Secrets may also come from a file
named by `<NAME>_FILE`, which is how container and systemd credential stores hand them over.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import overload

from django.core.exceptions import ImproperlyConfigured

_TRUE = "True"
_FALSE = "False"


@overload
def envstr(name: str, default: str) -> str: ...
@overload
def envstr(name: str, default: None = None) -> str | None: ...
def envstr(name: str, default: str | None = None) -> str | None:
    """Return the variable as text, or `default` when it is unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def envbool(name: str, default: bool) -> bool:
    """Return the variable as a boolean; only the words True and False are accepted."""
    value = os.environ.get(name, "")
    if value == "":
        return default
    if value not in (_TRUE, _FALSE):
        raise ImproperlyConfigured(f"Unexpected value {name}={value!r}, use 'True' or 'False'.")
    return value == _TRUE


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return the variable as an integer, at least `minimum` when given."""
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Unexpected value {name}={value!r}, use a whole number."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is too small; the minimum is {minimum}.")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped entries."""
    value = os.environ.get(name, "")
    if value == "":
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def envsecret(name: str) -> str | None:
    """Return a secret from `NAME` or from the file named by `NAME_FILE`, never both."""
    direct = os.environ.get(name, "")
    path = os.environ.get(f"{name}_FILE", "")
    if direct and path:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both: remove one.")
    if path:
        try:
            mode = stat.S_IMODE(Path(path).stat().st_mode)
            text = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE={path!r} cannot be read: {exc}. Create it readable by the service"
                " user (docs/deploy.md, Configure)."
            ) from None
        # As for the keyring (rebond/crypto/keys.py): a secret others can read is no secret.
        if mode & 0o077:
            raise ImproperlyConfigured(
                f"{name}_FILE={path!r} is readable by group or others (mode {mode:04o}):"
                f" chmod 0400 {path} and chown it to the service user (docs/deploy.md, Configure)."
            )
        return text
    return direct or None
