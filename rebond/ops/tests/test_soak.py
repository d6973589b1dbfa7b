"""A short soak (bench/soak): traffic with random SIGKILLs loses and doubles nothing.

The full run is `bench/soak --seconds 600 --checkins 2000` (docs/deploy.md); this bounded
version (about half a minute) keeps the property in every test run.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from django.db import connection

from rebond.tests import live


def run_soak(*extra: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(live.ROOT / "bench" / "soak"), "--seconds", "8", "--checkins", "24",
         "--partners", "4", "--kill-every", "2", *extra],
        cwd=live.ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow
def test_a_short_soak_on_sqlite_loses_and_doubles_nothing() -> None:
    out = run_soak()
    acknowledged = re.search(r"(\d+) check-ins acknowledged", out)
    assert acknowledged, out
    assert int(acknowledged.group(1)) > 0
    assert "killed:" in out
    assert "lost 0, duplicated 0, risk without one alert 0, alerts without risk 0" in out
    assert "Audit chains intact" in out


@pytest.mark.postgresql
@pytest.mark.django_db
def test_a_short_soak_on_postgresql_loses_and_doubles_nothing() -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    server = f"postgres://{auth}@{s['HOST']}:{s['PORT'] or 5432}/postgres"
    out = run_soak("--postgres", env={"BENCH_DATABASE_URL": server})
    assert "lost 0, duplicated 0, risk without one alert 0, alerts without risk 0" in out
    assert "Audit chains intact" in out
