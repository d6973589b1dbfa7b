"""50 concurrent submits with the same key store exactly one submission (SECURITY.md RL-02).

Runs on a SQLite file database, and on PostgreSQL in the PostgreSQL leg of `make test`
(the SQLite leg deselects tests marked `postgresql`; CI always runs both legs).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection

from rebond.tests import live

SCRIPT = Path(__file__).with_name("concurrent_submit.py")


def run_script(database_url: str, tmp_path: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rebond.settings",
        "DEBUG": "True",
        "HTTPS": "False",
        "DATABASE_URL": database_url,
        "REBOND_VAR_DIR": str(tmp_path),
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    return live.run_json_script(SCRIPT, env)


def assert_exactly_one(result: dict[str, object]) -> None:
    assert result["errors"] == []
    assert result["submits"] == 50
    assert result["rows"] == 1
    assert result["created"] == 1
    assert result["receipts"] == 1  # every caller got the same receipt
    assert result["total"] == 9


@pytest.mark.slow
def test_on_a_sqlite_file_database(tmp_path: Path) -> None:
    result = run_script(f"sqlite:///{tmp_path / 'submit.sqlite3'}", tmp_path)
    assert result["vendor"] == "sqlite"
    assert_exactly_one(result)


@pytest.mark.postgresql
@pytest.mark.django_db
def test_on_postgresql(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with live.scratch_postgres(connection.settings_dict, "rebond_concurrency") as scratch:
        result = run_script(scratch.url, tmp_path)
    assert result["vendor"] == "postgresql"
    assert_exactly_one(result)
