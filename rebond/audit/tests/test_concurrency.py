"""Concurrent audit.log() calls from 4 processes x 4 threads make one unforked chain (LG-06).

Runs on a SQLite file database, and on a scratch PostgreSQL database in the PostgreSQL leg of
`make test`. Prints the figures: entries, verify time, writes per second.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from rebond.tests import live

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
    return live.run_json_script(SCRIPT, env)


def assert_one_chain(result: dict[str, object]) -> None:
    assert result["errors"] == []
    expected = result["expected"]
    assert isinstance(expected, int)
    # Every entry got the next sequence number after the genesis entry (1): no gap, no
    # duplicate, in insertion order.
    assert result["sequences"] == list(range(1, expected + 2))
    assert result["head"] == expected + 1
    assert result["intact"], result["problem"]
    assert result["checked"] == expected + 1
    assert result["update_refused"] is True
    assert result["delete_refused"] is True
    print(
        f"\naudit chain ({result['vendor']}): {expected} entries from 16 writers, 0 forks;"
        f" {result['writes_per_second']} writes/s; verify {result['verify_ms']} ms"
    )


@pytest.mark.slow
def test_on_a_sqlite_file_database(tmp_path: Path) -> None:
    result = run_script(f"sqlite:///{tmp_path / 'audit.sqlite3'}", tmp_path)
    assert result["vendor"] == "sqlite"
    assert_one_chain(result)


@pytest.mark.postgresql
@pytest.mark.django_db
def test_on_postgresql(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with live.scratch_postgres(connection.settings_dict, "rebond_audit") as scratch:
        result = run_script(scratch.url, tmp_path)
    assert result["vendor"] == "postgresql"
    assert_one_chain(result)
