"""Concurrent writers on the embedded SQLite database wait for each other instead of failing.

Two processes each run many read-then-write transactions against one database file, with the
project's real settings. With SQLite's default deferred transactions, the read takes a shared
lock and the later write cannot upgrade it while the other process holds one: SQLite answers
"database is locked" at once, without waiting. `BEGIN IMMEDIATE` plus the busy timeout make the
second writer queue instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WRITES_PER_PROCESS = 150

WRITER = """
import os, django
django.setup()
from django.db import transaction
from rebond.accounts.models import Clinic
tag = os.environ["WRITER_TAG"]
for i in range({n}):
    with transaction.atomic():
        seen = Clinic.objects.count()  # read first: the pattern that deadlocks when deferred
        Clinic.objects.create(slug=f"{{tag}}-{{i}}", name=str(seen), jurisdiction="GB")
"""


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rebond.settings",
        "DEBUG": "True",
        "HTTPS": "False",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrency.sqlite3'}",
        "REBOND_VAR_DIR": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "-m", "rebond.cli", "migrate", "-v0"], env=env, check=True, timeout=120
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER.format(n=WRITES_PER_PROCESS)],
            env={**env, "WRITER_TAG": tag},
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("left", "right")
    ]
    errors = [w.communicate(timeout=300)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors

    import sqlite3

    with sqlite3.connect(tmp_path / "concurrency.sqlite3") as db:
        (count,) = db.execute("SELECT COUNT(*) FROM accounts_clinic").fetchone()
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
    assert count == 2 * WRITES_PER_PROCESS
    assert mode == "wal"
