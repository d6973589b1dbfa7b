"""The benchmarks are safe on a server that holds a practice's data (issue 24, item 8).

They need an explicit PostgreSQL server, refuse a URL whose database holds a clinic, make
their own new scratch database (an existing one is refused) and drop it, write the tracked
BENCHMARKS.md only when asked, and run gunicorn without a control socket.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from bench.benchmarks import report_path
from rebond.tests import live


def bench(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, str(live.ROOT / "bench" / script), *args],
        env={**base, **env},
        cwd=live.ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("script", ["checkins.py", "soak.py", "benchmarks.py"])
def test_postgresql_benchmarks_need_an_explicit_server(script: str) -> None:
    done = bench(script, "--postgres" if script != "benchmarks.py" else "--quick", env={})
    assert done.returncode != 0
    assert "set BENCH_DATABASE_URL to a PostgreSQL server for scratch databases" in done.stderr


def test_the_tracked_benchmarks_md_is_written_only_when_named() -> None:
    assert report_path(False, None) == live.ROOT / "var" / "BENCHMARKS-run.md"
    assert report_path(True, None) == live.ROOT / "var" / "BENCHMARKS-quick.md"
    tracked = live.ROOT / "BENCHMARKS.md"
    assert report_path(False, tracked) == tracked


def test_benchmark_servers_never_touch_a_gunicorn_control_socket(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    server = live.start_gunicorn(
        env, live.free_port(), workers=1, app="bench.hello.app:application"
    )
    live.stop(server)
    assert not (tmp_path / ".gunicorn").exists()


def server_url(settings: dict[str, object], name: str) -> str:
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{name}"


@pytest.mark.postgresql
@pytest.mark.django_db
def test_a_database_holding_a_clinic_is_refused_and_a_scratch_one_is_dropped() -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    settings = connection.settings_dict
    with live.scratch_postgres(settings, "rebond_practice") as practice:
        with psycopg.connect(practice.conninfo, autocommit=True) as db:
            db.execute("CREATE TABLE accounts_clinic (id int)")
            db.execute("INSERT INTO accounts_clinic VALUES (1)")
        practice_name = practice.url.rsplit("/", 1)[1]
        # BENCH_DATABASE_URL pointing at a practice's database: refused, nothing touched.
        done = bench("checkins.py", "--postgres", env={"BENCH_DATABASE_URL": practice.url})
        assert done.returncode != 0
        assert f"names database {practice_name!r}, which holds a clinic" in done.stderr
        # A scratch name that is a practice's database: refused too.
        server = {"BENCH_DATABASE_URL": server_url(settings, "postgres")}
        done = bench("soak.py", "--postgres", "--scratch-name", practice_name, env=server)
        assert done.returncode != 0
        assert f"database {practice_name!r} holds a clinic" in done.stderr
        with psycopg.connect(practice.conninfo) as db:
            assert db.execute("SELECT count(*) FROM accounts_clinic").fetchone() == (1,)

    # A run makes its own database, under the name given, on the port given, and drops it.
    name, port = f"rebond_bench_{uuid.uuid4().hex[:8]}", live.free_port()
    args = ("--postgres", "--clients", "1", "--seconds", "1", "--workers", "1")
    done = bench(
        "checkins.py", *args, "--scratch-name", name, "--port", str(port), env=server
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    admin = psycopg.conninfo.make_conninfo(
        dbname="postgres", host=settings["HOST"] or None, port=settings["PORT"] or None,
        user=settings["USER"] or None, password=settings["PASSWORD"] or None,
    )  # fmt: skip
    with psycopg.connect(admin) as db:
        assert db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None
