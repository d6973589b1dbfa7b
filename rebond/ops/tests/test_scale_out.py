"""Scale-out (docs/deploy.md, "Several servers"): two gunicorn servers and two workers on one
PostgreSQL share everything that must be shared; no process keeps state of its own.

Sessions, login throttling and task claims live in the database, so a session started on
one server works on the other, failed logins count across both, and a task enqueued through
one server runs exactly once whichever worker takes it.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from rebond.tests import live

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


def request_consultation(client: live.HttpClient, slug: str, n: int) -> int:
    path = f"/c/{slug}/request/"
    client.request("GET", path)  # the form's CSRF token
    status, _, _ = client.request(
        "POST",
        path,
        {
            "name": f"Requester {n}",
            "contact_method": "email",
            "contact_value": f"requester{n}@example.test",
            "may_leave_message": "yes",
            "feels_safe": "yes",
            "consent": "on",
        },
    )
    return status


def test_two_servers_and_two_workers_share_sessions_throttles_and_tasks(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with live.scratch_postgres(connection.settings_dict, "rebond_scale") as scratch:
        env = live.server_env(scratch.url, tmp_path)
        env["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
        env["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
        live.prepare(env, seed_count=1)
        ports = [live.free_port(), live.free_port()]
        servers = [live.start_gunicorn(env, port, workers=2) for port in ports]
        workers = [live.start_worker(env, tmp_path / f"worker{n}.log") for n in (1, 2)]
        try:
            # A session started on server 1 works on server 2.
            first = live.HttpClient(ports[0])
            assert live.log_in_clinician(first) == []
            second = live.HttpClient(ports[1], cookies=dict(first.cookies))
            status, _, _ = second.request("GET", "/cases/")
            assert status == 200

            # Tasks enqueued through server 1 each run once, on one of the two workers.
            with psycopg.connect(scratch.conninfo) as db:
                row = db.execute("SELECT slug FROM accounts_clinic").fetchone()
            assert row is not None
            slug = row[0]
            public = live.HttpClient(ports[0])
            # Each request taken redirects to its receipt (issue 15 C13).
            assert [request_consultation(public, slug, n) for n in range(4)] == [302] * 4
            deadline = time.monotonic() + 60
            while True:
                with psycopg.connect(scratch.conninfo) as db:
                    rows = db.execute(
                        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult"
                        " WHERE task_path LIKE %s",
                        ["%notify_clinic_of_request"],
                    ).fetchall()
                if [s for s, _ in rows] == ["SUCCESSFUL"] * 4 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert [status for status, _ in rows] == ["SUCCESSFUL"] * 4
            assert all(len(worker_ids) == 1 for _, worker_ids in rows)
            logs = "".join((tmp_path / f"worker{n}.log").read_text() for n in (1, 2))
            assert logs.count("Subject: ") == 4  # one clinician, one e-mail per request

            # Failed logins count across both servers: 3 on one and 2 on the other reach the
            # limit of 5, and then even the right password is refused on either.
            for n in range(5):
                client = live.HttpClient(ports[n % 2])
                client.request("GET", "/accounts/login/")
                status, _, _ = client.request(
                    "POST",
                    "/accounts/login/",
                    {"username": live.LIVE_EMAIL, "password": "wrong password"},
                )
                assert status == 200
            for port in ports:
                client = live.HttpClient(port)
                client.request("GET", "/accounts/login/")
                status, _, _ = client.request(
                    "POST",
                    "/accounts/login/",
                    {"username": live.LIVE_EMAIL, "password": live.LIVE_PASSWORD},
                )
                assert status != 302, "the right password got in despite 5 failures"
        finally:
            for worker in workers:
                live.stop(worker)
            for server in servers:
                live.stop(server)


@pytest.mark.django_db(databases=[])
def test_no_state_is_kept_in_a_process_of_its_own() -> None:
    """Sessions are database rows, and no Rebond code uses Django's cache (local memory by
    default, so per process): anything shared must live in the database (docs/deploy.md)."""
    from django.conf import settings

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    users = [
        str(path.relative_to(live.ROOT))
        for path in (live.ROOT / "rebond").rglob("*.py")
        if "/tests/" not in str(path) and "django.core.cache" in path.read_text()
    ]
    assert users == [], "a cache is per process unless CACHES names a shared one"
