"""Encrypted, verified backups: `rebond backup` and `rebond restore` (SECURITY.md RL-08, CR-09).

A backup is taken online, never by copying files:
- SQLite: the SQLite online backup API into memory (consistent even while the WAL is being
  written), serialised to bytes;
- PostgreSQL: `pg_dump -Fc` to a pipe.
The dump never touches the disk in plaintext. It is sealed whole with AES-256-GCM under the
keyring's current `backup` key, which lives in the keyring, not in or beside the backup:

    REBOND-BACKUP 1\n
    <header JSON>\n           format, key id, database vendor, time (authenticated, not secret)
    <12-byte nonce><AES-GCM(manifest length (8 bytes) | manifest JSON | dump)>

The manifest holds the row count of every table and every audit chain's head. `restore` refuses
a database that is already in use unless forced, restores, then recounts every table and
re-verifies the audit chain, and reports each difference.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connections
from django.utils.timezone import now

from rebond.audit.chain import verify
from rebond.audit.models import AuditChainHead
from rebond.crypto.envelope import keyring
from rebond.crypto.needs import dump_data_key_ids, record_backup, refuse_missing

MAGIC = b"REBOND-BACKUP 1\n"
FORMAT = 1
NONCE_BYTES = 12
# A database holding any of these rows has been used: restore will not overwrite it unforced.
IN_USE_TABLES = ("accounts_clinic", "accounts_user", "audit_auditentry")


class BackupError(Exception):
    """A backup could not be written, read or restored; the message says why."""


@dataclass
class RestoreReport:
    """What `restore` found after restoring: count differences and the audit verdict."""

    tables: int = 0
    rows: int = 0
    count_differences: list[str] = field(default_factory=list)
    chain_problem: str | None = None
    chain_entries: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.count_differences and self.chain_problem is None


def _quote(connection: Any, name: str) -> str:
    return str(connection.ops.quote_name(name))


def table_counts(using: str = "default") -> dict[str, int]:
    """Return the row count of every table in the database."""
    connection = connections[using]
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(connection, table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def chain_heads(using: str = "default") -> dict[str, dict[str, Any]]:
    """Return every audit chain's head, by chain (a clinic's id, or the nil id of no clinic)."""
    heads = AuditChainHead.objects.using(using).values_list("chain", "sequence", "hash")
    return {
        str(chain): {"sequence": int(sequence), "hash": hash_}
        for chain, sequence, hash_ in heads.order_by("chain")
    }


def _pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools.")
    return found


def _dump(using: str) -> bytes:
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        memory = sqlite3.connect(":memory:")
        try:
            connection.connection.backup(memory)
            return memory.serialize()
        finally:
            memory.close()
    if connection.vendor == "postgresql":
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"],
            env=_pg_environment(connection.settings_dict),
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.decode(errors='replace')[-500:]}")
        return result.stdout
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")


def write_backup(path: Path, using: str = "default") -> dict[str, Any]:
    """Write an encrypted backup of the database to `path` (mode 0600); return its manifest."""
    backup_key = keyring().current("backup")[0]  # no backup key: stop before dumping anything
    created_at, vendor = now().isoformat(), connections[using].vendor
    manifest: dict[str, Any] = {
        "created_at": created_at,
        "vendor": vendor,
        "counts": table_counts(using),
        "audit_heads": chain_heads(using),
    }
    dump = _dump(using)
    # Counted after the dump too: a write between the two would make the manifest disagree.
    if table_counts(using) != manifest["counts"]:
        raise BackupError("The database changed while the backup was taken; run it again.")
    data_keys = dump_data_key_ids(vendor, dump)
    # A backup that could not be restored with this keyring is no backup: refuse it now.
    refuse_missing(data_keys, "The database")
    manifest["data_keys"] = sorted(data_keys)
    manifest["backup_key"] = backup_key
    seal_backup(path, manifest, dump)
    record_backup(path, created_at, backup_key, data_keys)
    return manifest


def seal_backup(path: Path, manifest: dict[str, Any], dump: bytes) -> None:
    """Write `manifest` and `dump` to `path`, sealed under the current backup key."""
    key_id, key = keyring().current("backup")
    header = json.dumps(
        {"format": FORMAT, "key_id": key_id, "vendor": manifest["vendor"]}, sort_keys=True
    ).encode()
    manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
    payload = len(manifest_bytes).to_bytes(8, "big") + manifest_bytes + dump
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, payload, MAGIC + header)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(MAGIC + header + b"\n" + nonce + sealed)


def read_backup(path: Path) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """Return (header, manifest, dump) of a backup file; raise BackupError if it won't open."""
    data = path.read_bytes()
    if not data.startswith(MAGIC):
        raise BackupError(f"{path} is not a Rebond backup.")
    header_end = data.index(b"\n", len(MAGIC))
    header_bytes = data[len(MAGIC) : header_end]
    header = json.loads(header_bytes)
    if header.get("format") != FORMAT:
        raise BackupError(f"{path} has backup format {header.get('format')}, expected {FORMAT}.")
    key = keyring().get("backup", header["key_id"])
    if key is None:
        raise BackupError(
            f"The backup key {header['key_id']!r} is not in the keyring: restore needs it."
        )
    body = data[header_end + 1 :]
    try:
        payload = AESGCM(key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], MAGIC + header_bytes)
    except InvalidTag:
        raise BackupError(f"{path} failed its integrity check (damaged or wrong key).") from None
    size = int.from_bytes(payload[:8], "big")
    manifest = json.loads(payload[8 : 8 + size])
    return header, manifest, payload[8 + size :]


def database_in_use(using: str = "default") -> bool:
    """Return whether the database holds any clinic, user or audit entry."""
    connection = connections[using]
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        for table in IN_USE_TABLES:
            if table in present:
                # A new database's audit trail holds its genesis entry only (audit 0004).
                where = " WHERE sequence > 1" if table == "audit_auditentry" else ""
                cursor.execute(f"SELECT 1 FROM {_quote(connection, table)}{where} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


def _load(using: str, dump: bytes) -> None:
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Restore cannot run inside a transaction.")
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        memory = sqlite3.connect(":memory:")
        try:
            # Bytes 18-19 of the header say "WAL" when the source was in WAL mode; an
            # in-memory copy cannot have a WAL file, so mark it rollback-journal (1, 1).
            image = bytearray(dump)
            image[18:20] = b"\x01\x01"
            memory.deserialize(bytes(image))
            memory.backup(connection.connection)
        finally:
            memory.close()
        return
    connection.close()  # pg_restore drops and recreates the tables: hold no locks on them
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            _program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            str(connection.settings_dict["NAME"]),
        ],
        input=dump,
        env=_pg_environment(connection.settings_dict),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.decode(errors='replace')[-500:]}")


def restore(path: Path, using: str = "default", *, force: bool = False) -> RestoreReport:
    """Restore `path` into the database, then verify counts and the audit chain."""
    started = time.perf_counter()
    header, manifest, dump = read_backup(path)
    vendor = connections[using].vendor
    if header["vendor"] != vendor:
        raise BackupError(f"The backup is of a {header['vendor']} database, this is {vendor}.")
    # Before touching the database: rows sealed under a key the keyring lacks would load
    # "successfully" and then answer 500 on every page that reads them.
    refuse_missing(dump_data_key_ids(vendor, dump), f"{path}")
    if database_in_use(using) and not force:
        raise BackupError(
            "The database already holds clinics, users or audit entries; restoring would"
            " replace them. Restore into an empty database, or pass --force."
        )
    _load(using, dump)
    report = RestoreReport()
    counts = table_counts(using)
    expected: dict[str, int] = manifest["counts"]
    for table in sorted(set(expected) | set(counts)):
        if expected.get(table) != counts.get(table):
            report.count_differences.append(
                f"{table}: backup {expected.get(table, 'absent')}, restored"
                f" {counts.get(table, 'absent')}"
            )
    report.tables, report.rows = len(counts), sum(counts.values())
    verdict = verify(using)
    report.chain_entries = verdict.checked
    report.chain_problem = verdict.problem
    if "audit_heads" not in manifest:
        # Its manifest holds the single head of before per-clinic chains (audit 0005).
        report.chain_problem = (
            "the backup predates per-clinic audit chains: restore it with the release that"
            " wrote it, then upgrade (rebond migrate)"
        )
    elif verdict.intact and chain_heads(using) != manifest["audit_heads"]:
        report.chain_problem = "the restored audit chain heads differ from the backup's"
    report.seconds = time.perf_counter() - started
    return report
