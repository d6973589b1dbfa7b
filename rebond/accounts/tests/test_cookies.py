"""Session and CSRF cookies under the production settings (SECURITY.md SE-04, ASVS 3.3.1,
3.3.2, 3.3.4): `__Host-` names, Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain.

The suite's own settings speak plain HTTP, so this starts Django in a fresh process with the
production settings (DEBUG=False, HTTPS=True) and a scratch SQLite database, logs in with
Django's test client over HTTPS, and reads the Set-Cookie headers it was sent.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from http.cookies import SimpleCookie
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
from rebond.accounts.models import User
call_command("migrate", verbosity=0)
# Static file names without collectstatic's manifest; nothing about cookies changes.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
User.objects.create_user(
    "cookie@example.test", password="a passphrase for cookies", display_name="C"
)
client = Client(HTTP_HOST="rebond.example.org")
headers = []
for response in (
    client.get("/accounts/login/", secure=True),
    client.post("/accounts/login/", {"username": "cookie@example.test",
                                     "password": "a passphrase for cookies"}, secure=True),
):
    headers += [morsel.OutputString() for morsel in response.cookies.values()]
print(json.dumps(headers))
"""


@pytest.mark.slow
def test_production_cookies_are_host_only_secure_and_samesite(tmp_path: Path) -> None:
    env = server_env(f"sqlite:///{tmp_path / 'cookies.sqlite3'}", tmp_path)
    env.update(
        HTTPS="True",
        ALLOWED_HOSTS="rebond.example.org",
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    headers = json.loads(done.stdout.strip().splitlines()[-1])
    cookies = {}
    for header in headers:
        for name, morsel in SimpleCookie(header).items():
            cookies[name] = (morsel, header.lower())
    assert set(cookies) == {"__Host-rebond-session", "__Host-rebond-csrf"}
    for name, (morsel, raw) in cookies.items():
        # __Host- needs Secure, Path=/ and no Domain, or browsers refuse the cookie.
        assert "; secure" in raw, name
        assert morsel["path"] == "/", name
        assert morsel["domain"] == "", name
        assert morsel["samesite"] == "Lax", name
        assert "; httponly" in raw, name
