"""Which keys the data needs: in the database, in a backup's dump, in the backups taken here.

A data key may leave the keyring only when no stored value and no backup still to be restored
was sealed with it; otherwise a restore loads rows that nobody can read (issue 24, item 1).
So `backup`, `restore` and start-up (rebond/wsgi.py) refuse data needing a key the keyring
lacks, naming the key ids, and every backup is recorded (path, time, key ids: no values) in
a registry under REBOND_VAR_DIR, kept outside the database so a restore does not erase it.
`keys status` lists the backups still present that need an old key; `keys retire` refuses
while one does.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections

from rebond.crypto.envelope import keyring
from rebond.crypto.fields import encrypted_fields
from rebond.crypto.keys import KEY_ID
from rebond.crypto.subject_keys import store

# A sealed value as it appears in a dump: "v1:<key id>:<16-character nonce>:..."
# (rebond/crypto/envelope.py).
BLOB_IN_TEXT = re.compile(rb"(?<![A-Za-z0-9_-])v1:([a-z0-9][a-z0-9-]{0,31}):[A-Za-z0-9_-]{16}:")


class MissingKeyError(Exception):
    """The data needs data keys the keyring lacks; the message names them."""


def stored_data_key_ids(using: str = "default") -> set[str]:
    """Return the ids of the data keys that sealed the values stored in the database."""
    from rebond.crypto.rows import encrypted_models

    connection = connections[using]
    if connection.vendor == "postgresql":
        key_id = "split_part({column}, ':', 2)"
    else:
        key_id = "substr({column}, 4, instr(substr({column}, 4), ':') - 1)"
    found: set[str] = set()
    with connection.cursor() as cursor:
        for model in encrypted_models():
            table = connection.ops.quote_name(model._meta.db_table)
            for field in encrypted_fields(model):
                column = connection.ops.quote_name(field.column)  # type: ignore[attr-defined]
                cursor.execute(
                    f"SELECT DISTINCT {key_id.format(column=column)} FROM {table}"  # noqa: S608
                    f" WHERE {column} LIKE %s",
                    ["v1:%"],
                )
                found.update(row[0] for row in cursor.fetchall())
    return found


def personal_values_under_data_keys(using: str = "default") -> list[str]:
    """Return the columns ("app.model.field") holding a person's values still sealed under a
    keyring data key (v1, written before subject keys): an erasure cannot reach their copies
    in backups until `rebond keys rotate` moves them to their subject's key. One indexed-free
    `LIMIT 1` probe per column, so it stays cheap on a large database."""
    from rebond.crypto.rows import encrypted_models

    connection = connections[using]
    found: list[str] = []
    with connection.cursor() as cursor:
        for model in encrypted_models():
            table = connection.ops.quote_name(model._meta.db_table)
            for field in encrypted_fields(model):
                if field.respondent is None:
                    continue
                column = connection.ops.quote_name(field.column)  # type: ignore[attr-defined]
                cursor.execute(
                    f"SELECT 1 FROM {table} WHERE {column} LIKE %s LIMIT 1",  # noqa: S608
                    ["v1:%"],
                )
                if cursor.fetchone():
                    found.append(f"{model._meta.label_lower}.{field.name}")  # type: ignore[attr-defined]
    return found


@register(Tags.database)
def check_personal_values_under_subject_keys(
    app_configs: object = None, databases: Iterable[str] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """`rebond check --database default` and `migrate`: warn while a person's values are still
    sealed under a data key, out of reach of crypto-shredding (docs/deploy.md, Rotation)."""
    warnings: list[CheckMessage] = []
    for alias in databases or ():
        try:
            columns = personal_values_under_data_keys(alias)
        except DatabaseError:
            continue
        if columns:
            warnings.append(
                Warning(
                    f"{len(columns)} encrypted columns still hold people's values sealed under"
                    " a keyring data key (written before subject keys): an erasure cannot make"
                    " their copies in older backups unreadable.",
                    hint="Run `rebond keys rotate` once; it moves them to their subject's key.",
                    id="rebond.W011",
                )
            )
    return warnings


def dump_data_key_ids(vendor: str, dump: bytes) -> set[str]:
    """Return the ids of the data keys that sealed the values in a backup's dump."""
    if vendor == "sqlite":
        memory = sqlite3.connect(":memory:")
        try:
            image = bytearray(dump)
            image[18:20] = b"\x01\x01"  # no WAL in memory (see backup._load)
            memory.deserialize(bytes(image))
            texts: list[bytes] = []
            tables = memory.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            for (table,) in tables.fetchall():
                quoted = '"' + table.replace('"', '""') + '"'
                for column in memory.execute(f"PRAGMA table_info({quoted})").fetchall():
                    name = '"' + column[1].replace('"', '""') + '"'
                    rows = memory.execute(
                        f"SELECT {name} FROM {quoted} WHERE {name} LIKE 'v1:%'"  # noqa: S608
                    )
                    texts.extend(str(value).encode() for (value,) in rows)
            text = b"\n".join(texts)
        finally:
            memory.close()
    else:
        # The dump as SQL text (COPY blocks), written to a pipe: never to disk.
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [shutil.which("pg_restore") or "pg_restore", "--data-only", "--file=-"],
            input=dump,
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise MissingKeyError(
                f"pg_restore could not read the dump: {result.stderr.decode(errors='replace')}"
            )
        text = result.stdout
    return {match.decode() for match in BLOB_IN_TEXT.findall(text)}


def refuse_missing(needed: Iterable[str], what: str) -> None:
    """Raise MissingKeyError when `what` needs data keys the keyring lacks, naming them."""
    missing = sorted(set(needed) - set(keyring().ids("data")))
    if missing:
        names = ", ".join(repr(key_id) for key_id in missing)
        noun = "key" if len(missing) == 1 else "keys"
        raise MissingKeyError(
            f"{what} needs data {noun} {names}, which the keyring lacks"
            f" ({keyring().source}). Put the {noun} back in the keyring (from its off-server"
            " copy); never remove a data key that stored values or backups still need"
            " (`rebond keys status`)."
        )


def refuse_to_start_without_the_data_keys() -> None:
    """Stop start-up (rebond/wsgi.py) when stored values need a data key the keyring lacks.

    Every page reading such a value would answer 500; refusing names the key at once. A
    database that is down or not migrated yet is left to /healthz and `migrate`.
    """
    # The subject keys are wrapped under data keys too: without them no v2 value opens.
    refuse_missing(store().wrapping_key_ids(), "The subject key store")
    try:
        needed = stored_data_key_ids()
    except DatabaseError:
        return
    finally:
        connections.close_all()
    refuse_missing(needed, "The database")


@register(Tags.database)
def check_stored_data_keys(
    app_configs: object = None, databases: Iterable[str] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """`rebond check --database default` and `migrate`: the same check as start-up.

    Like Django's own database checks, it runs only for the databases it is given: other
    commands (`keys`, `restore`) must work while a key is missing, to repair it.
    """
    errors: list[CheckMessage] = []
    for alias in databases or ():
        try:
            refuse_missing(stored_data_key_ids(alias), "The database")
        except DatabaseError:
            continue
        except MissingKeyError as exc:
            errors.append(Error(str(exc), id="rebond.E010"))
    return errors


# --- The backups taken on this server ---------------------------------------------------------


@dataclass(frozen=True)
class BackupRecord:
    path: str
    created_at: str
    backup_key: str
    data_keys: tuple[str, ...]

    @property
    def present(self) -> bool:
        """Whether the file is still there (an expired, deleted backup needs no key)."""
        return Path(self.path).exists()

    def needs(self, key_id: str) -> bool:
        return key_id == self.backup_key or key_id in self.data_keys


def registry_path() -> Path:
    return Path(settings.VAR_DIR) / "backups.jsonl"


def record_backup(path: Path, created_at: str, backup_key: str, data_keys: set[str]) -> None:
    """Append one backup to the registry: where, when, and which keys it needs."""
    registry = registry_path()
    registry.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "path": str(path.resolve()),
            "created_at": created_at,
            "backup_key": backup_key,
            "data_keys": sorted(data_keys),
        },
        sort_keys=True,
    )
    with registry.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    registry.chmod(0o600)


def known_backups() -> list[BackupRecord]:
    """Return the recorded backups whose file is still present, oldest first."""
    registry = registry_path()
    if not registry.exists():
        return []
    records = []
    for line in registry.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            record = BackupRecord(
                path=entry["path"],
                created_at=entry["created_at"],
                backup_key=entry["backup_key"],
                data_keys=tuple(entry["data_keys"]),
            )
            if record.present:
                records.append(record)
    return records


def retire_refusal(key_id: str) -> str | None:
    """Return why `key_id` must stay in the keyring, or None when it may be removed."""
    ring = keyring()
    purpose = next((p for p in ("data", "backup") if ring.get(p, key_id) is not None), None)
    if purpose is None or not KEY_ID.match(key_id):
        return f"{key_id} is not in the keyring ({ring.source})."
    if ring.current_ids.get(purpose) == key_id:
        return (
            f"{key_id} is the current {purpose} key: add a newer {purpose} key first"
            " (docs/deploy.md, Rotation)."
        )
    if purpose == "data" and key_id in stored_data_key_ids():
        return f"stored values still use {key_id}: run `rebond keys rotate` first."
    wrapped = store().wrapping_key_ids().get(key_id, 0) if purpose == "data" else 0
    if wrapped:
        return (
            f"{key_id} still wraps {wrapped} subject key(s) in the subject key store:"
            " run `rebond keys rotate` first."
        )
    needing = [record for record in known_backups() if record.needs(key_id)]
    if needing:
        paths = ", ".join(record.path for record in needing)
        return (
            f"{key_id} is still needed by {len(needing)} backup(s): {paths}. Keep it until"
            " those backups have expired (deleted), then retire it."
        )
    return None
