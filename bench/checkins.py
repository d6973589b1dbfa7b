"""Benchmark: partners autosaving and submitting check-ins against gunicorn on loopback.

Not a test: it prints figures. Run `.venv/bin/python bench/checkins.py` (add `--postgres` to
use PostgreSQL at $BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/rebond_bench).

1. Build a scratch database (a SQLite file in WAL mode, or PostgreSQL) with one clinic and as
   many couples as clients, each partner A with an open PHQ-9 and a private link.
2. Serve Rebond with gunicorn (production settings over plain HTTP on 127.0.0.1) and, beside
   it, a bare Django hello-world served the same way.
3. Each simulated client opens its link (the token is swapped for a session), loads its
   check-in, autosaves answers for the run's duration, then submits.
4. Print answers per second and p50/p95/p99 latency for autosave and submit, and the same for
   the hello-world under the same concurrency. Target: autosave p95 < 50 ms with 50 clients
   on SQLite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_RE = re.compile(r'name="submission_key" value="([^"]+)"')

SEED = """
import json, sys
import django
django.setup()
from rebond.accounts.models import User
from rebond.assessments import actions
from rebond.portal.models import PrivateLink, hash_token, new_token
from rebond.test import make_clinic, make_clinician, make_couple
from django.utils.timezone import now
from datetime import timedelta
clinician = make_clinician(make_clinic("Bench clinic"), "Bench Clinician")
out = []
for n in range({clients}):
    couple = make_couple(clinician, f"Bench couple {{n}}")
    partner = couple.partners.get(role="A")
    admin = next(a for a in actions.schedule_instrument(clinician, couple.id, "PHQ-9")
                 if a.partner_id == partner.id)
    token = new_token()
    PrivateLink.objects.create(partner=partner, purpose="invitation", token_hash=hash_token(token),
                               expires_at=now() + timedelta(days=1), sent_at=now(),
                               created_by=clinician)
    out.append({{"token": token, "administration": str(admin.id)}})
print(json.dumps(out))
"""


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
    raise RuntimeError(f"nothing listening on {port}")


@dataclass
class Client:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, str, float]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = body.get("csrfmiddlewaretoken", "")
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        start = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, (response.headers.get("Location") or text), elapsed


def run_partner(
    port: int,
    seed: dict[str, str],
    until: float,
    results: dict[str, list[float]],
    errors: list[str],
) -> None:
    client = Client(port)
    status, _, _ = client.request("GET", f"/p/{seed['token']}/")
    if status != 302:
        errors.append(f"link: {status}")
        return
    page_path = f"/me/checkins/{seed['administration']}/"
    status, page, _ = client.request("GET", page_path)
    if status != 200 or not CSRF_RE.search(page):
        errors.append(f"page: {status}")
        return
    csrf = CSRF_RE.search(page).group(1)  # type: ignore[union-attr]
    key_match = KEY_RE.search(page)
    n = 0
    while time.perf_counter() < until:
        item = n % 9 + 1
        status, _, elapsed = client.request(
            "POST",
            page_path + "autosave/",
            {"csrfmiddlewaretoken": csrf, "item": str(item), "value": str(n % 4)},
        )
        if status != 200:
            errors.append(f"autosave: {status}")
        results["autosave"].append(elapsed)
        n += 1
    if key_match:
        status, _, elapsed = client.request(
            "POST",
            page_path + "submit/",
            {"csrfmiddlewaretoken": csrf, "submission_key": key_match.group(1)},
        )
        if status not in (302, 303):
            errors.append(f"submit: {status}")
        results["submit"].append(elapsed)


def run_hello(port: int, until: float, results: dict[str, list[float]], errors: list[str]) -> None:
    client = Client(port)
    while time.perf_counter() < until:
        status, _, elapsed = client.request("GET", "/")
        if status != 200:
            errors.append(f"hello: {status}")
        results["hello"].append(elapsed)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def summary(name: str, values: list[float], seconds: float) -> str:
    if not values:
        return f"{name:10} no requests"
    return (
        f"{name:10} {len(values) / seconds:8.0f}/s  p50 {percentile(values, 0.50):6.1f} ms  "
        f"p95 {percentile(values, 0.95):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms  "
        f"(n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rebond-bench-"))
    if args.postgres:
        database_url = os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rebond_bench"
        )
        env0 = {**os.environ, "DATABASE_URL": database_url}
        subprocess.run([PYTHON, str(ROOT / "scripts" / "ensure_database.py")], env=env0, check=True)
    else:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rebond.settings",
        "DEBUG": "False",
        "HTTPS": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REBOND_VAR_DIR": str(tmp),
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "LOG_LEVEL": "WARNING",
    }
    rebond = str(Path(PYTHON).with_name("rebond"))
    if args.postgres:
        subprocess.run([rebond, "flush", "--noinput"], env=env, check=True)
    subprocess.run([rebond, "migrate", "-v0"], env=env, check=True)
    subprocess.run([rebond, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    seeded = subprocess.run(
        [PYTHON, "-c", SEED.format(clients=args.clients)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seeds = json.loads(seeded.stdout.strip().splitlines()[-1])
    port, hello_port = free_port(), free_port()
    common = ["--workers", str(args.workers), "--log-level", "warning"]
    servers = [
        subprocess.Popen(
            [GUNICORN, "rebond.wsgi:application", "--bind", f"127.0.0.1:{port}", *common],
            env=env,
            cwd=ROOT,
        ),
        subprocess.Popen(
            [GUNICORN, "bench.hello.app:application", "--bind", f"127.0.0.1:{hello_port}", *common],
            env={**os.environ},
            cwd=ROOT,
        ),
    ]
    try:
        wait_for(port)
        wait_for(hello_port)
        results: dict[str, list[float]] = {"autosave": [], "submit": [], "hello": []}
        errors: list[str] = []
        until = time.perf_counter() + args.seconds
        threads = [
            threading.Thread(target=run_partner, args=(port, seed, until, results, errors))
            for seed in seeds
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rebond_seconds = time.perf_counter() - started
        until = time.perf_counter() + args.seconds
        hellos = [
            threading.Thread(target=run_hello, args=(hello_port, until, results, errors))
            for _ in seeds
        ]
        started = time.perf_counter()
        for t in hellos:
            t.start()
        for t in hellos:
            t.join()
        hello_seconds = time.perf_counter() - started
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    database = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    print(
        f"check-in benchmark: {args.clients} clients, {args.workers} gunicorn workers, {database}, "
        f"{os.cpu_count()} CPUs"
    )
    print(summary("autosave", results["autosave"], rebond_seconds))
    print(summary("submit", results["submit"], rebond_seconds))
    print(summary("hello", results["hello"], hello_seconds))
    if results["autosave"] and results["hello"]:
        print(
            f"autosave p95 / hello-world p95: "
            f"{percentile(results['autosave'], 0.95) / percentile(results['hello'], 0.95):.1f}x"
        )
        target = percentile(results["autosave"], 0.95) < 50
        print(f"target autosave p95 < 50 ms: {'met' if target else 'NOT met'}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[:3]})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
