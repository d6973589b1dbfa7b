"""The keyring: versioned AES-256 keys read from a file or the environment, never SECRET_KEY.

A keyring is text, one key per line (blank lines and `#` comments are ignored):

    <purpose> <key id> <base64 of 32 random bytes>

`purpose` is `data` (field encryption) or `backup` (backup files). For each purpose the
**last** line is the current key, used for every new encryption; the earlier ones only
decrypt. Rotating is therefore: append a line (`rebond keys generate data k2 >> file`),
restart, run `rebond keys rotate`, then delete the old line.

Where it comes from (settings.py reads it at start-up, see `load_configured`):
- `REBOND_KEYS_FILE`: a path to the keyring file; refused if group or others may read it
  (mode 0600 or 0400), because whoever reads it reads every encrypted column;
- `REBOND_KEYS`: the keyring itself, lines separated by newlines or `;`;
- neither, with DEBUG=True: a development keyring is created under var/ (mode 0600);
- neither, in production: start-up stops, naming the variables.
Keys live outside the database and outside the backup files, so a stolen database or backup
without the keyring is unreadable (SECURITY.md CR-06, CR-09).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from rebond.lib.files import create_private_file

KEY_BYTES = 32  # AES-256
PURPOSES = ("data", "backup")
KEY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
FILE_VARIABLE = "REBOND_KEYS_FILE"
TEXT_VARIABLE = "REBOND_KEYS"


class KeyringError(ImproperlyConfigured):
    """The keyring is missing, unreadable or malformed; the message names what to fix."""


@dataclass(frozen=True)
class Keyring:
    """Keys by purpose and id; the current key of a purpose is the one listed last."""

    keys: dict[str, dict[str, bytes]] = field(default_factory=dict)
    current_ids: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def current(self, purpose: str) -> tuple[str, bytes]:
        """Return (key id, key) of the key new encryptions of `purpose` use."""
        key_id = self.current_ids.get(purpose)
        if key_id is None:
            raise KeyringError(f"The keyring ({self.source}) has no {purpose!r} key.")
        return key_id, self.keys[purpose][key_id]

    def get(self, purpose: str, key_id: str) -> bytes | None:
        """Return the key of `purpose` named `key_id`, or None when the keyring lacks it."""
        return self.keys.get(purpose, {}).get(key_id)

    def ids(self, purpose: str) -> list[str]:
        return list(self.keys.get(purpose, {}))


def parse(text: str, source: str) -> Keyring:
    """Return the keyring written in `text`; raise KeyringError naming `source` and the line."""
    keys: dict[str, dict[str, bytes]] = {}
    current: dict[str, str] = {}
    seen: set[str] = set()
    lines = text.replace(";", "\n").splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        where = f"{source}, entry {number}"
        if len(parts) != 3:
            raise KeyringError(f"{where}: expected '<purpose> <key id> <base64 key>'.")
        purpose, key_id, encoded = parts
        if purpose not in PURPOSES:
            raise KeyringError(f"{where}: purpose must be one of {', '.join(PURPOSES)}.")
        if not KEY_ID.match(key_id):
            raise KeyringError(f"{where}: key id must be 1-32 of a-z, 0-9 and '-'.")
        if key_id in seen:
            raise KeyringError(f"{where}: key id {key_id!r} is listed twice.")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError(f"{where}: the key is not valid base64.") from None
        if len(key) != KEY_BYTES:
            raise KeyringError(f"{where}: the key must be {KEY_BYTES} bytes (AES-256).")
        seen.add(key_id)
        keys.setdefault(purpose, {})[key_id] = key
        current[purpose] = key_id
    if "data" not in current:
        raise KeyringError(f"{source} holds no 'data' key.")
    return Keyring(keys=keys, current_ids=current, source=source)


def new_key_line(purpose: str, key_id: str) -> str:
    """Return one keyring line holding a fresh random key (from `secrets`)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)}")
    if not KEY_ID.match(key_id):
        raise ValueError("key id must be 1-32 of a-z, 0-9 and '-'")
    encoded = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
    return f"{purpose} {key_id} {encoded}"


def read_file(path: Path) -> Keyring:
    """Return the keyring in `path`, refusing a file that group or others can read."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyringError(f"{FILE_VARIABLE}={str(path)!r} cannot be read: {exc}.") from None
    if stat.S_IMODE(mode) & 0o077:
        raise KeyringError(
            f"{FILE_VARIABLE}={str(path)!r} is readable by group or others"
            f" (mode {stat.S_IMODE(mode):04o}); chmod 600 or 400 it."
        )
    return parse(text, f"{FILE_VARIABLE}={path}")


def development_keyring(var_dir: Path) -> Path:
    """Create (once) and return a development keyring file under `var_dir`, mode 0600."""
    path = var_dir / "dev-keys"
    if not path.exists():
        create_private_file(
            path,
            "# Development keyring made by Rebond (DEBUG=True). Never use it in production.\n"
            f"{new_key_line('data', 'dev-data-1')}\n{new_key_line('backup', 'dev-backup-1')}\n",
        )
    return path


def load_configured(*, text: str | None, path: str | None, debug: bool, var_dir: Path) -> Keyring:
    """Return the keyring named by REBOND_KEYS / REBOND_KEYS_FILE (read by settings.py).

    In development (DEBUG=True) with neither set, create one under `var_dir`.
    """
    if path and text:
        raise KeyringError(f"Set either {TEXT_VARIABLE} or {FILE_VARIABLE}, not both.")
    if path:
        return read_file(Path(path))
    if text:
        return parse(text, TEXT_VARIABLE)
    if not debug:
        raise KeyringError(
            f"{FILE_VARIABLE} (or {TEXT_VARIABLE}) must be set when DEBUG=False:"
            " make a keyring with `rebond keys generate` (docs/deploy.md, Keys)."
        )
    return read_file(development_keyring(var_dir))


def generate_main(argv: list[str]) -> int:
    """Run `rebond keys generate`: print one keyring line. Needs no settings or keyring."""
    import argparse
    from datetime import UTC, datetime

    parser = argparse.ArgumentParser(
        prog="rebond keys generate", description="Print a keyring line with a new random key."
    )
    parser.add_argument("--purpose", choices=PURPOSES, default="data")
    parser.add_argument("--id", dest="key_id", help="Key id (default: purpose and UTC time).")
    options = parser.parse_args(argv)
    key_id = options.key_id or f"{options.purpose}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    try:
        print(new_key_line(options.purpose, key_id))
    except ValueError as exc:
        parser.error(str(exc))
    return 0
