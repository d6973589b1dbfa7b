"""Real processes for reliability tests and benchmarks: a scratch database, gunicorn, a client.

Used by tests that kill servers (rebond/assessments/tests/test_crash.py) and by bench/; each
run gets its own database (a SQLite file in WAL mode, or PostgreSQL) and production settings
over plain HTTP on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from rebond.crypto.keys import new_key_line

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_RE = re.compile(r'name="submission_key" value="([^"]+)"')
LIVE_EMAIL = "live@example.test"
LIVE_PASSWORD = "correct horse battery staple"
# The live clinician's authenticator-app seed: synthetic, for these scratch databases only.
LIVE_TOTP_SECRET = "LIVETESTSEEDSYNTHETICNOTSECRET22"

# Seeds `count` couples whose partner A has an open PHQ-9 and a private link; prints JSON.
SEED_CHECKINS = """
import json
import django
django.setup()
from django.utils.timezone import now
from rebond.accounts.models import TOTPDevice
from rebond.test import make_clinic, make_clinician, open_checkins
clinician = make_clinician(make_clinic("Live clinic"), "Live Clinician", email="{email}")
TOTPDevice.objects.create(user=clinician, secret="{secret}", confirmed=True, confirmed_at=now())
print(json.dumps(open_checkins(clinician, {count}, "Live couple")))
"""


@dataclass(frozen=True)
class ScratchDatabase:
    """A throw-away PostgreSQL database: its URL for DATABASE_URL and a psycopg conninfo."""

    url: str
    conninfo: str


class RefusedDatabase(RuntimeError):
    """A benchmark or test was pointed at a database it must not touch; the message says why."""


def holds_a_clinic(conninfo: str) -> bool:
    """Return whether the PostgreSQL database at `conninfo` holds a Rebond clinic."""
    import psycopg

    with psycopg.connect(conninfo) as db:
        table = db.execute("SELECT to_regclass('accounts_clinic')").fetchone()
        if not table or table[0] is None:
            return False
        return db.execute("SELECT 1 FROM accounts_clinic LIMIT 1").fetchone() is not None


@contextmanager
def scratch_postgres(
    settings: Mapping[str, Any], prefix: str, *, name: str | None = None
) -> Iterator[ScratchDatabase]:
    """Create a PostgreSQL database beside the test database, and drop it afterwards.

    `settings` is a Django connection's settings_dict (the suite's PostgreSQL server).
    The database is `name`, or `prefix` and a random suffix; it is always a new one: an
    existing database is refused (a practice's data must never be flushed or dropped by a
    test or a benchmark).
    """
    import uuid

    import psycopg
    from psycopg import sql

    name = name or f"{prefix}_{uuid.uuid4().hex[:8]}"

    def conninfo(dbname: str) -> str:
        return psycopg.conninfo.make_conninfo(
            dbname=dbname,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
        )

    admin_dsn = conninfo("postgres")
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            reason = "holds a clinic" if holds_a_clinic(conninfo(name)) else "already exists"
            raise RefusedDatabase(
                f"database {name!r} {reason}: a scratch database must be new; choose another name."
            )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    try:
        yield ScratchDatabase(
            url=f"postgres://{auth}@{settings['HOST']}:{settings['PORT'] or 5432}/{name}",
            conninfo=conninfo(name),
        )
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def run_json_script(script: Path, env: Mapping[str, str], timeout: int = 300) -> dict[str, Any]:
    """Run a Python script in a fresh process; return the JSON object on its last line."""
    done = subprocess.run(
        [sys.executable, str(script)],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_django_script(script: str, database_url: str, var_dir: Path) -> dict[str, Any]:
    """Run `script` in a fresh Python process on that database; return its last line, as JSON.

    For migration tests: the script builds rows as an older schema had them, migrates, and
    prints what it found; a new process keeps Django's app registry of this one out of it.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rebond.tests.settings",
        "DATABASE_URL": database_url,
        "REBOND_VAR_DIR": str(var_dir),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port}")


def server_env(database_url: str, var_dir: Path) -> dict[str, str]:
    """Return the environment of a production-like server on loopback over plain HTTP."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rebond.settings",
        "DEBUG": "False",
        "HTTPS": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_CHAIN_KEY": secrets.token_urlsafe(50),
        # The test suite's keyring when there is one (so tests can open stored blobs), else
        # a fresh one (benchmarks).
        "REBOND_KEYS": os.environ.get("REBOND_KEYS") or new_key_line("data", "live-1"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REBOND_VAR_DIR": str(var_dir),
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "LOG_LEVEL": "WARNING",
    }


def prepare(env: dict[str, str], *, seed_count: int = 0) -> list[dict[str, str]]:
    """Migrate, collect static files and seed check-ins; return the seeds."""
    rebond = str(BIN / "rebond")
    subprocess.run([rebond, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([rebond, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    if not seed_count:
        return []
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SEED_CHECKINS.format(count=seed_count, email=LIVE_EMAIL, secret=LIVE_TOTP_SECRET),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seeds: list[dict[str, str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return seeds


def start_gunicorn(
    env: dict[str, str], port: int, *, workers: int = 2, app: str = "rebond.wsgi:application"
) -> subprocess.Popen[bytes]:
    """Start gunicorn in its own process group (so a test can kill master and workers)."""
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            # Each test or benchmark server keeps out of ~/.gunicorn, where a production
            # gunicorn's control socket may live.
            "--no-control-socket",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    wait_for(port)
    return process


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `rebond worker` (tasks from the database queue) in its own process group."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(BIN / "rebond"), "worker", "--no-reload", "--interval", "0.2"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL gunicorn's master and every worker at once: no clean shutdown of anything."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    # The workers die a moment after the master; until the last one is gone it still holds the
    # listening socket, and a new server's first connection could land on it and be reset.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@dataclass
class HttpClient:
    """A tiny keep-alive HTTP client that keeps cookies and sends Django's CSRF token."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    # As nginx passes requests on (docs/deploy.md): arrived over TLS, from a client address.
    forwarded_https: bool = False

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, str, float]:
        """Return (status, Location header or body, seconds taken)."""
        headers = {"Host": f"127.0.0.1:{self.port}"}
        scheme = "https" if self.forwarded_https else "http"
        if self.forwarded_https:
            headers["X-Forwarded-Proto"] = "https"
            headers["X-Forwarded-For"] = "203.0.113.7"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            body = {"csrfmiddlewaretoken": self.csrf, **body}
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.csrf
            headers["Origin"] = f"{scheme}://127.0.0.1:{self.port}"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # The server went away (killed): reconnect once for the next call.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        match = CSRF_RE.search(text)
        if match:
            self.csrf = match.group(1)
        return response.status, (response.headers.get("Location") or text), elapsed


def log_in_clinician(
    client: HttpClient,
    email: str = LIVE_EMAIL,
    password: str = LIVE_PASSWORD,
    secret: str = LIVE_TOTP_SECRET,
) -> list[str]:
    """Log a clinician in over HTTP: password, then the current TOTP code of `secret`.

    Return what went wrong (empty when both steps were accepted).
    """
    from rebond.accounts import mfa

    client.request("GET", "/accounts/login/")
    status, _, _ = client.request(
        "POST", "/accounts/login/", {"username": email, "password": password}
    )
    if status != 302:
        return [f"login {status}"]
    client.request("GET", "/accounts/two-factor/verify/")  # the form's CSRF token
    status, _, _ = client.request(
        "POST", "/accounts/two-factor/verify/", {"code": mfa.current_code(secret)}
    )
    return [] if status == 302 else [f"second factor {status}"]
