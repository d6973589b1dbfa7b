"""The subject key store: one random AES-256 key per data subject, outside the database.

Every encrypted value that belongs to someone (a field with `respondent=`) is sealed under its
subject's key (envelope v2, rebond/crypto/envelope.py). Destroying that key ("shredding") makes
every copy of the values unreadable, including the copies inside backups taken before: this
is how an erasure reaches the backups (issue 23). So the store lives outside the database and
outside `rebond backup`: a small SQLite file, REBOND_SUBJECT_KEYS_FILE (default
<REBOND_VAR_DIR>/subject-keys.sqlite3), mode 0600, opened with the stdlib sqlite3 module and
never through a Django database alias (no migrations, no test transactions, no backups).

Tables (no personal data: subjects are UUID primary keys, never names):
- subject_key(subject, key_id, wrapped, wrapping_key_id, created_at): the subject key,
  AES-256-GCM-wrapped under the keyring's data key `wrapping_key_id` with AAD
  b"subject-key|" + subject. A stolen store without the keyring opens nothing.
- shredded(subject, shredded_at): whose key was destroyed, so a reader can say "erased"
  and `reapply_erasures` can remove those rows after an older backup is restored. A shredded
  subject may later get a fresh key (an erased partner's placeholder name); the blobs sealed
  before name the destroyed key's id and stay unreadable.
- generation(value): incremented by every shred.

Durability: WAL with synchronous=FULL, because a key lost after its rows were committed is
those rows lost. Destruction: secure_delete=ON overwrites freed pages, and a shred ends with
wal_checkpoint(TRUNCATE), so no destroyed key bytes stay in the file or in its WAL.

Caching. Each process keeps one connection per thread and a dict of unwrapped keys. A cached
key is trusted only while (a) the keyring still holds the data key that wrapped it, and (b) the
store's generation has not moved: the generation is re-read at most once per
GENERATION_CHECK_SECONDS (1 s), and every shred clears its own process's cache at once. So a
shred in one process is seen by every other within a second; the erasure workflow deletes the
rows themselves first, so that second exposes nothing a page could show.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from rebond.crypto.keys import KEY_BYTES, Keyring
from rebond.lib.files import PRIVATE_FILE, private_directory

FILE_SETTING = "REBOND_SUBJECT_KEYS_FILE"
DEFAULT_FILE_NAME = "subject-keys.sqlite3"
GENERATION_CHECK_SECONDS = 1.0
NONCE_BYTES = 12
WRAP_AAD_PREFIX = b"subject-key|"

SCHEMA = """
CREATE TABLE IF NOT EXISTS subject_key (
    subject TEXT PRIMARY KEY,
    key_id TEXT NOT NULL UNIQUE,
    wrapped BLOB NOT NULL,
    wrapping_key_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shredded (subject TEXT PRIMARY KEY, shredded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS generation (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER);
INSERT OR IGNORE INTO generation (id, value) VALUES (1, 0);
"""


class SubjectKeyError(Exception):
    """A subject key cannot be had: destroyed (erased), missing, or its wrapping key is gone.

    Messages name the subject's key id or wrapping key id, never a value.
    """


class SubjectErasedError(SubjectKeyError):
    """The subject's key was destroyed: its data was erased and will never open again."""


@dataclass(frozen=True)
class SubjectKey:
    key_id: str
    key: bytes
    wrapping_key_id: str
    wrapping_key: bytes  # to trust a cached key only while the keyring holds this very key


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _wrap(ring: Keyring, subject: str, key: bytes) -> tuple[str, bytes]:
    wrapping_id, wrapping = ring.current("data")
    nonce = secrets.token_bytes(NONCE_BYTES)
    return wrapping_id, nonce + AESGCM(wrapping).encrypt(
        nonce, key, WRAP_AAD_PREFIX + subject.encode()
    )


def _unwrap(ring: Keyring, subject: str, key_id: str, wrapped: bytes, wrapping_id: str) -> bytes:
    wrapping = ring.get("data", wrapping_id)
    if wrapping is None:
        raise SubjectKeyError(
            f"subject key {key_id!r} is wrapped under data key {wrapping_id!r}, which is not"
            f" in the keyring ({ring.source})"
        )
    try:
        return AESGCM(wrapping).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], WRAP_AAD_PREFIX + subject.encode()
        )
    except InvalidTag:
        raise SubjectKeyError(
            f"subject key {key_id!r} failed its integrity check (tampered or moved)"
        ) from None


class SubjectKeyStore:
    """One store file: a connection per thread, unwrapped keys cached per process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._cache: dict[str, SubjectKey] = {}
        self._generation: int | None = None
        self._checked_at = 0.0

    # -- the file ------------------------------------------------------------------------------
    def connection(self) -> sqlite3.Connection:
        """Return this thread's connection (a new one after a fork: never share it)."""
        found: tuple[int, sqlite3.Connection] | None = getattr(self._local, "connection", None)
        if found is not None and found[0] == os.getpid():
            return found[1]
        self._create_file()
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA secure_delete=ON")
        connection.executescript(SCHEMA)
        self._local.connection = (os.getpid(), connection)
        return connection

    def _create_file(self) -> None:
        # Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same
        # mode. An existing file others may read is refused, like the keyring.
        private_directory(self.path.parent)
        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            os.close(descriptor)
        except FileExistsError:
            mode = stat.S_IMODE(self.path.stat().st_mode)
            if mode & 0o077:
                raise SubjectKeyError(
                    f"{FILE_SETTING}={str(self.path)!r} is readable by group or others"
                    f" (mode {mode:04o}); chmod 600 it."
                ) from None

    def close(self) -> None:
        found = getattr(self._local, "connection", None)
        if found is not None:
            found[1].close()
            self._local.connection = None

    # -- keys ----------------------------------------------------------------------------------
    def _fresh_cache(self) -> None:
        """Drop cached keys when another process has shredded since we last looked."""
        now = time.monotonic()
        if now - self._checked_at < GENERATION_CHECK_SECONDS:
            return
        row = self.connection().execute("SELECT value FROM generation WHERE id = 1").fetchone()
        with self._lock:
            if row[0] != self._generation:
                self._cache.clear()
                self._generation = row[0]
            self._checked_at = now

    def key_for(self, subject: str, ring: Keyring, *, create: bool) -> SubjectKey:
        """Return the subject's key; with `create`, make it on first use (race-safe)."""
        self._fresh_cache()
        cached = self._cache.get(subject)
        if cached is not None and ring.get("data", cached.wrapping_key_id) == cached.wrapping_key:
            return cached
        connection = self.connection()
        row = connection.execute(
            "SELECT key_id, wrapped, wrapping_key_id FROM subject_key WHERE subject = ?",
            (subject,),
        ).fetchone()
        if row is None:
            if not create and self.is_shredded(subject):
                raise SubjectErasedError("the subject's key was destroyed (erased)")
            # A shredded subject may be given a fresh key (a new key id): an erased partner's
            # row stays with a placeholder name, sealed anew. What was sealed under the
            # destroyed key stays unreadable, because its blobs name the old key id.
            if not create:
                raise SubjectKeyError(
                    f"the subject's key is not in the subject key store ({FILE_SETTING})"
                )
            wrapping_id, wrapped = _wrap(ring, subject, secrets.token_bytes(KEY_BYTES))
            # Two processes may race to create it: the first INSERT wins, both read it back.
            connection.execute(
                "INSERT OR IGNORE INTO subject_key VALUES (?, ?, ?, ?, ?)",
                (subject, secrets.token_hex(8), wrapped, wrapping_id, _now()),
            )
            row = connection.execute(
                "SELECT key_id, wrapped, wrapping_key_id FROM subject_key WHERE subject = ?",
                (subject,),
            ).fetchone()
        key_id, wrapped, wrapping_id = row
        key = _unwrap(ring, subject, key_id, wrapped, wrapping_id)
        found = SubjectKey(key_id, key, wrapping_id, ring.keys["data"][wrapping_id])
        with self._lock:
            self._cache[subject] = found
        return found

    def is_shredded(self, subject: str) -> bool:
        """Whether a key of this subject was ever destroyed (it may have a fresh one since)."""
        recorded = (
            self.connection()
            .execute("SELECT 1 FROM shredded WHERE subject = ?", (subject,))
            .fetchone()
        )
        return recorded is not None

    def shredded_subjects(self) -> set[str]:
        rows = self.connection().execute("SELECT subject FROM shredded").fetchall()
        return {subject for (subject,) in rows}

    def shred(self, subjects: Iterable[str]) -> int:
        """Destroy the keys of `subjects` and record them as shredded; return keys destroyed."""
        wanted = sorted(set(subjects))
        if not wanted:
            return 0
        connection = self.connection()
        destroyed = 0
        connection.execute("BEGIN IMMEDIATE")
        try:
            when = _now()
            for subject in wanted:
                cursor = connection.execute("DELETE FROM subject_key WHERE subject = ?", (subject,))
                destroyed += cursor.rowcount
                connection.execute("INSERT OR IGNORE INTO shredded VALUES (?, ?)", (subject, when))
            connection.execute("UPDATE generation SET value = value + 1 WHERE id = 1")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        with self._lock:
            for subject in wanted:
                self._cache.pop(subject, None)
        # Move the WAL into the file (where secure_delete has zeroed the freed cells) and
        # truncate it, so the destroyed keys' bytes linger in neither.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return destroyed

    def wrapping_key_ids(self) -> dict[str, int]:
        """Return how many subject keys each data key wraps."""
        rows = self.connection().execute(
            "SELECT wrapping_key_id, COUNT(*) FROM subject_key GROUP BY wrapping_key_id"
        )
        return dict(rows.fetchall())

    def rewrap(self, ring: Keyring) -> int:
        """Wrap every subject key under the keyring's current data key; return how many moved.

        Each key is re-wrapped in its own statement, guarded by its old wrapping id, so an
        interrupted run resumes and a concurrent one does no harm.
        """
        current, _ = ring.current("data")
        connection = self.connection()
        rows = connection.execute(
            "SELECT subject, key_id, wrapped, wrapping_key_id FROM subject_key"
            " WHERE wrapping_key_id != ?",
            (current,),
        ).fetchall()
        moved = 0
        for subject, key_id, wrapped, old_id in rows:
            key = _unwrap(ring, subject, key_id, wrapped, old_id)
            new_id, rewrapped = _wrap(ring, subject, key)
            cursor = connection.execute(
                "UPDATE subject_key SET wrapped = ?, wrapping_key_id = ?"
                " WHERE subject = ? AND wrapping_key_id = ?",
                (rewrapped, new_id, subject, old_id),
            )
            moved += cursor.rowcount
        with self._lock:
            self._cache.clear()
        return moved


_current: SubjectKeyStore | None = None
_current_lock = threading.Lock()


def configured_path() -> Path:
    """Return REBOND_SUBJECT_KEYS_FILE, or subject-keys.sqlite3 under REBOND_VAR_DIR."""
    named = getattr(settings, FILE_SETTING, None)
    return Path(named) if named else Path(settings.VAR_DIR) / DEFAULT_FILE_NAME


def store() -> SubjectKeyStore:
    """Return this process's store for the configured file.

    One store at a time: when the setting names another file (tests give each test its own),
    the previous store's connection is closed rather than kept open beside the new one.
    """
    global _current
    path = configured_path()
    found = _current
    if found is not None and found.path == path:
        return found
    with _current_lock:
        if _current is None or _current.path != path:
            if _current is not None:
                _current.close()
            _current = SubjectKeyStore(path)
        return _current
