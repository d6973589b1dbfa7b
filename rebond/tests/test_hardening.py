"""HTTP hardening under the production settings (SECURITY.md HD-01 to HD-04, HD-07, HD-08):
every response, errors included, carries the CSP, no-store, HSTS >= 1 year with subdomains,
nosniff, a Referrer-Policy, COOP same-origin and DENY framing; error pages are generic; the
repository and the settings are never served.

The suite's own settings speak plain HTTP, so this runs Django in a fresh process with the
production settings (DEBUG=False, HTTPS=True) and reads what its test client is sent.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from rebond.tests.live import ROOT, server_env

SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
call_command("migrate", verbosity=0)
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
client = Client(HTTP_HOST="rebond.example.org")
seen = {}
for path in PATHS:
    response = client.get(path, secure=True)
    seen[path] = {
        "status": response.status_code,
        "headers": {k.lower(): v for k, v in response.headers.items()},
        "body": response.content.decode("utf-8", "replace"),
    }
print(json.dumps(seen))
"""
PATHS = [
    "/accounts/login/",
    "/cases/",  # a clinician page, anonymous: the redirect to sign in
    "/no-such-page/",  # 404
    "/.git/HEAD",
    "/.env",
    "/static/../rebond/settings.py",
    "/static/%2e%2e/rebond/settings.py",
    "/pyproject.toml",
]


@pytest.mark.slow
def test_every_response_is_hardened_and_nothing_private_is_served(tmp_path: Path) -> None:
    env = server_env(f"sqlite:///{tmp_path / 'hardening.sqlite3'}", tmp_path)
    env.update(
        HTTPS="True",
        ALLOWED_HOSTS="rebond.example.org",
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    done = subprocess.run(
        [sys.executable, "-c", f"PATHS = {PATHS!r}\n{SCRIPT}"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    for path, answer in seen.items():
        headers = answer["headers"]
        csp = headers.get("content-security-policy", "")
        assert "default-src 'none'" in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert "base-uri 'none'" in csp, path
        assert "object-src 'none'" in csp, path
        assert "no-store" in headers.get("cache-control", ""), path
        hsts = headers.get("strict-transport-security", "")
        assert "includeSubDomains" in hsts, path
        max_age = int(hsts.split("max-age=")[1].split(";")[0])
        assert max_age >= 31536000, path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") == "same-origin", path
        assert headers.get("cross-origin-opener-policy") == "same-origin", path
        assert headers.get("x-frame-options") == "DENY", path
        assert "server" not in headers, path  # no version banner from Django
    assert seen["/accounts/login/"]["status"] == 200
    assert seen["/cases/"]["status"] == 302
    for path in PATHS[2:]:
        answer = seen[path]
        assert answer["status"] == 404, path
        # The generic page: no traceback, no setting, no file content.
        for leak in ("Traceback", "SECRET_KEY", "DATABASE", "[tool.", "ref: refs/"):
            assert leak not in answer["body"], (path, leak)
