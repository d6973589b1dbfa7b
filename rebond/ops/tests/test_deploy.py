"""docs/deploy.md, followed on loopback: production settings, gunicorn with several workers,
WhiteNoise, PostgreSQL, the worker as its own process, /healthz; and clear start-up errors.

The commands and the environment come from the guide itself (its rebond.env block and the
ExecStart lines of its systemd units), so the guide cannot drift from what works.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shlex
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from rebond.tests import live

GUIDE = live.ROOT / "docs" / "deploy.md"
INSTALL_BIN = "/srv/rebond/app/.venv/bin/"


def guide_environment() -> dict[str, str]:
    """Return the KEY=VALUE lines of the guide's /etc/rebond/rebond.env block."""
    text = GUIDE.read_text()
    section = text[text.index("## 2. Configure") :]
    block = section[section.index("```sh") + 5 : section.index("```", section.index("```sh") + 5)]
    env = {}
    for line in block.strip().splitlines():
        key, _, value = line.partition("=")
        env[key.strip()] = value.split("  #")[0].strip()
    return env


def unit_exec_start(unit: str) -> list[str]:
    """Return the ExecStart command of the guide's systemd unit `unit`, as arguments."""
    text = GUIDE.read_text()
    block = text[text.index(f"`/etc/systemd/system/{unit}`") :]
    block = block[block.index("```ini") : block.index("```", block.index("```ini") + 6)]
    command = re.search(r"^ExecStart=((?:.*\\\n)*.*)$", block, re.MULTILINE)
    assert command, f"no ExecStart in {unit}"
    return shlex.split(command.group(1).replace("\\\n", " "))


def secret_file_content(name: str) -> str:
    if name == "REBOND_KEYS_FILE":
        done = subprocess.run(
            [str(live.BIN / "rebond"), "keys", "generate"],
            capture_output=True, text=True, check=True, cwd=live.ROOT,
        )  # fmt: skip
        return done.stdout.strip()
    return secrets.token_urlsafe(50)


def loopback_environment(database_url: str, var_dir: Path) -> dict[str, str]:
    """Fill the guide's environment with values for this machine: files, loopback, scratch DB."""
    guide = guide_environment()
    files = {}
    # Every secret file the guide names under /etc/rebond, made here: random text, or for the
    # encryption keyring (once merged) a line from `rebond keys generate`, as the guide says.
    for name, value in guide.items():
        if name.endswith("_FILE") and value.startswith("/etc/rebond/"):
            path = var_dir / Path(value).name
            path.write_text(secret_file_content(name) + "\n")
            path.chmod(0o600)
            files[name] = str(path)
    local = {
        **files,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": database_url,
        "EMAIL_HOST": "127.0.0.1",
        "REBOND_VAR_DIR": str(var_dir),
    }
    # Every variable the guide lists is set, and only those: DEBUG and HTTPS keep their
    # defaults, as the guide says.
    assert set(local) <= set(guide), sorted(set(local) - set(guide))
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return {**base, **guide, **local}


def command(argv: list[str], port: int) -> list[str]:
    """Point the guide's command at this checkout's virtualenv and a free port."""
    return [
        arg.replace(INSTALL_BIN, f"{live.BIN}/").replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        for arg in argv
    ]


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET as nginx would pass it on: over plain HTTP, marked as having arrived over TLS."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "GET",
            path,
            headers={
                "Host": "127.0.0.1",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "127.0.0.1",
            },
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def health_within(port: int, status: int, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        got, _, body = get(port, "/healthz")
        if got == status or time.monotonic() > deadline:
            assert got == status, body
            result: dict[str, Any] = json.loads(body)
            return result
        time.sleep(0.25)


@contextmanager
def process(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=env, cwd=live.ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            yield proc
        finally:
            live.stop(proc)


@pytest.mark.postgresql
@pytest.mark.django_db
def test_the_deploy_guide_runs_on_loopback_with_postgresql(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with live.scratch_postgres(connection.settings_dict, "rebond_deploy") as scratch:
        env = loopback_environment(scratch.url, tmp_path)
        env["WORKER_HEARTBEAT_SECONDS"] = "1"  # so that a dead worker shows within seconds
        env["WORKER_HEARTBEAT_MAX_AGE_SECONDS"] = "3"
        rebond = str(live.BIN / "rebond")
        check = subprocess.run(
            [rebond, "check", "--deploy"], env=env, cwd=live.ROOT, capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
        assert "no issues" in check.stdout
        for step in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
            subprocess.run([rebond, *step], env=env, cwd=live.ROOT, check=True)

        port = live.free_port()
        web = command(unit_exec_start("rebond-web.service"), port)
        assert int(web[web.index("--workers") + 1]) >= 2
        worker = command(unit_exec_start("rebond-worker.service"), port)
        # The sweep's timer runs its oneshot unit; one run records the heartbeat /healthz reads.
        sweep = command(unit_exec_start("rebond-safety-sweep.service"), port)
        subprocess.run(sweep, env=env, cwd=live.ROOT, check=True)
        with (
            process(web, env, tmp_path / "web.log"),
            process(worker, env, tmp_path / "worker.log") as worker_process,
        ):
            live.wait_for(port)
            assert health_within(port, 200, 30) == {
                "status": "ok",
                "checks": {"database": "ok", "worker": "ok", "safety_sweep": "ok"},
            }
            status, headers, body = get(port, "/static/rebond/css/app.css")
            assert status == 200
            assert body == (live.ROOT / "rebond/static/rebond/css/app.css").read_bytes()
            assert "max-age" in headers["Cache-Control"]
            status, headers, body = get(port, "/accounts/login/")
            assert status == 200
            assert b'name="password"' in body
            assert headers["Strict-Transport-Security"].startswith("max-age=")

            # The worker dies: the health check says so, and which check failed.
            live.kill_hard(worker_process)
            failing = health_within(port, 503, 15)
            assert failing["checks"] == {
                "database": "ok",
                "worker": failing["checks"]["worker"],
                "safety_sweep": "ok",
            }
            assert str(failing["checks"]["worker"]).startswith("last seen")

        # Application log lines are JSON with a request id (gunicorn's access lines are not).
        lines = [json.loads(line) for line in (tmp_path / "web.log").read_text().splitlines()
                 if line.startswith("{")]  # fmt: skip
        assert any(line["logger"] == "rebond.requests" for line in lines)
        assert all(line["request_id"] for line in lines)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY_FILE", "SECRET_KEY (or SECRET_KEY_FILE) must be set"),
        ("AUDIT_CHAIN_KEY_FILE", "AUDIT_CHAIN_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must list"),
    ],
)
def test_start_up_without_a_required_setting_fails_naming_it(
    tmp_path: Path, missing: str, message: str
) -> None:
    env = loopback_environment(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path)
    del env[missing]
    done = subprocess.run(
        [str(live.BIN / "rebond"), "check", "--deploy"],
        env=env,
        cwd=live.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert message in done.stderr


def test_a_malformed_setting_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    env = loopback_environment(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path)
    env["WORKER_HEARTBEAT_MAX_AGE_SECONDS"] = "a minute"
    done = subprocess.run(
        [str(live.BIN / "rebond"), "check"],
        env=env,
        cwd=live.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "WORKER_HEARTBEAT_MAX_AGE_SECONDS='a minute'" in done.stderr
