"""A TOTP code works once across processes (SECURITY.md AU-02; issue 7 acceptance).

Two gunicorn servers, each with two worker processes, serve one SQLite database (WAL), as
two application servers behind a load balancer would. A code accepted by one server is
refused by the other, and when two clients send the same fresh code to both servers at the
same moment, exactly one is let in.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from rebond.accounts import mfa
from rebond.tests import live

VERIFY = "/accounts/two-factor/verify/"


def password_only(port: int) -> live.HttpClient:
    """Return a client logged in with the password, on its way to the second factor."""
    client = live.HttpClient(port)
    client.request("GET", "/accounts/login/")
    status, _, _ = client.request(
        "POST", "/accounts/login/", {"username": live.LIVE_EMAIL, "password": live.LIVE_PASSWORD}
    )
    assert status == 302, status
    status, _, _ = client.request("GET", VERIFY)  # the form, and its CSRF token
    assert status == 200, status
    return client


def opens_caseload(client: live.HttpClient) -> bool:
    status, _, _ = client.request("GET", "/cases/")
    return status == 200


@pytest.mark.slow
def test_a_code_used_on_one_server_is_refused_on_the_other(tmp_path: Path) -> None:
    env = live.server_env(f"sqlite:///{tmp_path / 'mfa.sqlite3'}", tmp_path)
    live.prepare(env, seed_count=1)  # also gives the live clinician a confirmed app
    ports = live.free_port(), live.free_port()
    servers = [live.start_gunicorn(env, port, workers=2) for port in ports]
    try:
        # Used once on server A...
        first = password_only(ports[0])
        step = mfa.step_at()
        code = mfa.code_for_step(live.LIVE_TOTP_SECRET, step)
        status, _, _ = first.request("POST", VERIFY, {"code": code})
        assert status == 302
        assert opens_caseload(first)
        # ...replayed on server B (and on A again, whichever worker answers): refused.
        for port in (ports[1], ports[0], ports[1]):
            replay = password_only(port)
            status, page, _ = replay.request("POST", VERIFY, {"code": code})
            assert status == 200, status
            assert "That code is not valid" in page
            assert not opens_caseload(replay)

        # A fresh code (the next step, accepted for clock skew) sent to both servers at once.
        racers = [password_only(ports[0]), password_only(ports[1])]
        fresh = mfa.code_for_step(live.LIVE_TOTP_SECRET, step + 1)
        barrier = threading.Barrier(len(racers))
        statuses: list[int] = []

        def race(client: live.HttpClient) -> None:
            barrier.wait()
            status, _, _ = client.request("POST", VERIFY, {"code": fresh})
            statuses.append(status)

        threads = [threading.Thread(target=race, args=(client,)) for client in racers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(statuses) == [200, 302]
        assert sorted(opens_caseload(client) for client in racers) == [False, True]
    finally:
        for server in servers:
            live.stop(server)
