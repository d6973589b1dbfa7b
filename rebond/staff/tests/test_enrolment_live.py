"""An invitation link sets a password once, even when several browsers race with it.

`rebond clinic create` (a real process) prints the first admin's link; gunicorn with three
worker processes serves it. Four browsers open the link, and at one moment each sends a
different password: exactly one is accepted, and only that password logs in afterwards. Run
on a SQLite file (WAL), and on PostgreSQL in the PostgreSQL leg of `make test`.
"""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

import pytest
from django.db import connection

from rebond.tests import live

EMAIL = "ana@example.org"
RACERS = 4


def create_clinic(env: dict[str, str]) -> str:
    done = subprocess.run(
        [
            str(live.BIN / "rebond"), "clinic", "create", "--name", "Race Practice",
            "--admin-email", EMAIL, "--timezone", "Europe/Madrid",
        ],
        env=env, cwd=live.ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    match = re.search(r"^  http://127\.0\.0\.1:\d+(/enrol/[A-Za-z0-9_-]+/)$", done.stdout, re.M)
    assert match, done.stdout
    return match.group(1)


def on_the_password_page(port: int, link: str) -> live.HttpClient:
    client = live.HttpClient(port)
    status, location, _ = client.request("GET", link)
    assert (status, location) == (302, "/enrol/")
    status, _, _ = client.request("GET", "/enrol/")  # the form, and its CSRF token
    assert status == 200, status
    return client


def logs_in(port: int, password: str) -> bool:
    client = live.HttpClient(port)
    client.request("GET", "/accounts/login/")
    status, _, _ = client.request(
        "POST", "/accounts/login/", {"username": EMAIL, "password": password}
    )
    if status != 302:
        return False
    # In, with the second factor still to set up: every page sends there.
    status, location, _ = client.request("GET", "/cases/")
    return status == 302 and location.startswith("/accounts/two-factor/setup/")


def race(database_url: str, tmp_path: Path) -> None:
    port = live.free_port()
    env = {
        **live.server_env(database_url, tmp_path),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    live.prepare(env)
    link = create_clinic(env)
    server = live.start_gunicorn(env, port, workers=3)
    try:
        racers = [on_the_password_page(port, link) for _ in range(RACERS)]
        passwords = [f"racing passphrase number {n}" for n in range(RACERS)]
        barrier = threading.Barrier(RACERS)
        results: dict[int, tuple[int, str]] = {}

        def send(n: int) -> None:
            barrier.wait()
            status, location, _ = racers[n].request(
                "POST", "/enrol/", {"password": passwords[n], "password_again": passwords[n]}
            )
            results[n] = (status, location if status == 302 else "")

        threads = [threading.Thread(target=send, args=(n,)) for n in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        winners = [n for n, (status, _) in results.items() if status == 302]
        assert len(results) == RACERS
        assert len(winners) == 1, results
        assert results[winners[0]][1] == "/accounts/two-factor/setup/"
        assert sorted(status for status, _ in results.values()) == [302] + [404] * (RACERS - 1)
        # Only the winner's password was set: no later racer overwrote it.
        assert [logs_in(port, password) for password in passwords] == [
            n in winners for n in range(RACERS)
        ]
        # And the link is spent for anyone else.
        status, _, _ = live.HttpClient(port).request("GET", link)
        assert status == 404
    finally:
        live.stop(server)


def test_racing_browsers_set_one_password_on_sqlite(tmp_path: Path) -> None:
    race(f"sqlite:///{tmp_path / 'race.sqlite3'}", tmp_path)


@pytest.mark.postgresql
@pytest.mark.django_db
def test_racing_browsers_set_one_password_on_postgresql(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with live.scratch_postgres(connection.settings_dict, "rebond_enrol_race") as scratch:
        race(scratch.url, tmp_path)
