"""Issue 15 D19: a development checkout keeps its files to its owner, and the development
server's console shows no private-link token.

Real processes under the common umask 022: `rebond migrate` creates var/ (0700), the SQLite
database (0600) and the development keys (0600); `rebond runserver` logs a request for a
private link with its token replaced by "-", as the production logs do (rebond/lib/logs.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from rebond.portal.models import new_token
from rebond.tests import live
from rebond.tests.figures import record

SECTION = "D19"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def development_env(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "AUDIT_CHAIN_KEY", "REBOND_KEYS", "DATABASE_URL")
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "rebond.settings",
        "DEBUG": "True",
        "HTTPS": "False",
        "REBOND_VAR_DIR": str(var_dir),
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }


def with_common_umask() -> None:
    os.umask(0o022)


def test_var_the_database_and_dev_secrets_are_private(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    env = development_env(var_dir)
    subprocess.run(
        [str(live.BIN / "rebond"), "migrate", "-v0"],
        env=env,
        cwd=live.ROOT,
        check=True,
        preexec_fn=with_common_umask,  # a umask only, before exec
    )
    modes = {
        "var/": mode(var_dir),
        "rebond.sqlite3": mode(var_dir / "rebond.sqlite3"),
        **{name: mode(var_dir / name) for name in ("dev-secret-key", "dev-audit-chain-key")},
        "dev-keys": mode(var_dir / "dev-keys"),
    }
    shared = [name for name, bits in modes.items() if bits & 0o077]
    record(SECTION, "var/ and SQLite files readable by group/others", len(shared))
    assert modes == {
        "var/": 0o700,
        "rebond.sqlite3": 0o600,
        "dev-secret-key": 0o600,
        "dev-audit-chain-key": 0o600,
        "dev-keys": 0o600,
    }


@pytest.mark.slow
def test_the_development_server_console_shows_no_private_link_token(tmp_path: Path) -> None:
    env = development_env(tmp_path / "var")
    subprocess.run([str(live.BIN / "rebond"), "migrate", "-v0"], env=env, cwd=live.ROOT, check=True)
    port = live.free_port()
    output = tmp_path / "console.txt"
    token = new_token()
    with output.open("wb") as console_file:
        server = subprocess.Popen(
            [str(live.BIN / "rebond"), "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=live.ROOT,
            stdout=console_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            live.wait_for(port)
            # An unknown link's answer (an error status) is not under test here: the log is.
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/p/{token}/", timeout=30)
            # runserver logs the request line once the response is sent: wait for it.
            deadline = time.monotonic() + 20
            while "HTTP/1.1" not in output.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            live.stop(server)
    console = output.read_text()
    record(SECTION, "tokens in the dev-server console", console.count(token))
    assert '"GET /p/-/ HTTP/1.1"' in console
    assert token not in console


def test_every_systemd_unit_of_the_deploy_guide_sets_a_private_umask() -> None:
    guide = (live.ROOT / "docs" / "deploy.md").read_text()
    services = re.findall(r"^\[Service\]\n(.*?)(?=^\[|^```)", guide, re.MULTILINE | re.DOTALL)
    without = [block for block in services if "\nUMask=0077\n" not in f"\n{block}"]
    record(SECTION, "systemd units without UMask=0077", f"{len(without)} of {len(services)}")
    assert len(services) >= 6
    assert without == []
