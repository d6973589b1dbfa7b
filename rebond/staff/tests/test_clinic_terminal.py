"""`rebond clinic create` in a real terminal (a pseudo-terminal), as an operator meets it: a
fresh process on a migrated, empty SQLite file, asked for each value; Enter takes what it
proposes; a refused answer is asked again."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import time
from pathlib import Path

import pytest

from rebond.tests import live

ANSWERS = [
    "Harbour Couples",  # name
    "",  # slug: harbour-couples, as proposed
    "ana@example",  # refused: asked again
    "ana@example.org",
    "Ana García",
    "clinic_admin,therapist",
    "Mars/Olympus",  # refused: asked again
    "Australia/Sydney",
    "",  # jurisdiction: AU, from the time zone
]


def run_in_terminal(argv: list[str], env: dict[str, str], answers: list[str]) -> tuple[int, str]:
    """Run `argv` with a pseudo-terminal as its stdin, stdout and stderr; type `answers`."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        argv, stdin=terminal, stdout=terminal, stderr=terminal, env=env, cwd=live.ROOT,
        close_fds=True,
    )  # fmt: skip
    os.close(terminal)
    # Typed ahead: the terminal keeps each line until the command reads it.
    os.write(controller, "".join(f"{answer}\n" for answer in answers).encode())
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the process closed the terminal (EIO)
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return process.wait(timeout=30), output.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.slow
def test_in_a_real_terminal_it_asks_for_each_value(tmp_path: Path) -> None:
    env = {
        **live.server_env(f"sqlite:///{tmp_path / 'terminal.sqlite3'}", tmp_path),
        "SITE_URL": "https://rebond.example.org",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    subprocess.run([str(live.BIN / "rebond"), "migrate", "-v0"], env=env, check=True)
    status, output = run_in_terminal([str(live.BIN / "rebond"), "clinic", "create"], env, ANSWERS)
    assert status == 0, output
    for prompt in (
        "Clinic name: ",
        "Address name (slug) [harbour-couples]: ",
        "First admin's e-mail: ",
        "First admin's name [Ana]: ",
        "Time zone [UTC]: ",
        "Country code (jurisdiction) [AU]: ",
    ):
        assert prompt in output
    assert "ana@example is not a valid e-mail address." in output
    assert "Unknown time zone 'Mars/Olympus'" in output
    assert (
        'Created the clinic "Harbour Couples" (harbour-couples), time zone Australia/Sydney,'
        " jurisdiction AU." in output
    )
    assert re.search(r"until \d\d \w{3} \d{4} \d\d:\d\d AE[DS]T:", output)
    assert re.search(r"^  https://rebond\.example\.org/enrol/[\w-]{43}/$", output, re.MULTILINE)
