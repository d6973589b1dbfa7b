"""Concurrent audit.log() calls from 4 processes x 4 threads make one unforked chain (LG-06).

Runs on a SQLite file database, and on a scratch PostgreSQL database in the PostgreSQL leg of
`make test`. Prints the figures: entries, verify time, writes per second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

SCRIPT = Path(__file__).with_name("concurrent_log.py")


def run_script(database_url: str, tmp_path: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rebond.settings",
        "DEBUG": "True",
        "HTTPS": "False",
        "DATABASE_URL": database_url,
        "REBOND_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("AUDIT_CHAIN_KEY", None)  # every process reads the same key file under var/
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def assert_one_chain(result: dict[str, object]) -> None:
    assert result["errors"] == []
    expected = result["expected"]
    assert isinstance(expected, int)
    # Every entry got the next sequence number: no gap, no duplicate, in insertion order.
    assert result["sequences"] == list(range(1, expected + 1))
    assert result["head"] == expected
    assert result["intact"], result["problem"]
    assert result["checked"] == expected
    assert result["update_refused"] is True
    assert result["delete_refused"] is True
    print(
        f"\naudit chain ({result['vendor']}): {expected} entries from 16 writers, 0 forks;"
        f" {result['writes_per_second']} writes/s; verify {result['verify_ms']} ms"
    )


def test_on_a_sqlite_file_database(tmp_path: Path) -> None:
    result = run_script(f"sqlite:///{tmp_path / 'audit.sqlite3'}", tmp_path)
    assert result["vendor"] == "sqlite"
    assert_one_chain(result)


@pytest.mark.postgresql
@pytest.mark.django_db
def test_on_postgresql(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    import psycopg
    from psycopg import sql

    settings = connection.settings_dict
    name = f"rebond_audit_{uuid.uuid4().hex[:8]}"
    admin_dsn = psycopg.conninfo.make_conninfo(
        dbname="postgres",
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
    )
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        url = f"postgres://{auth}@{settings['HOST']}:{settings['PORT'] or 5432}/{name}"
        result = run_script(url, tmp_path)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    assert result["vendor"] == "postgresql"
    assert_one_chain(result)
