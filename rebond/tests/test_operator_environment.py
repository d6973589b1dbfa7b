"""The environment an operator writes works as the guide says (issue 24, items 2-5).

- `.env.example` reads the same when a shell sources it (`set -a; . file`) and when systemd
  loads it as an EnvironmentFile (rebond/lib/envfile.py follows systemd's rules);
- a configuration error is one line naming the variable and the fix, with a non-zero exit;
- a secret file that group or others can read is refused, like the keyring;
- `rebond --env-file FILE` runs any command with the services' environment.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from rebond.crypto.keys import new_key_line
from rebond.lib.envfile import FILE_LINE, parse
from rebond.tests import live

EXAMPLE = live.ROOT / ".env.example"


def sourced_by_sh(path: Path) -> dict[str, str]:
    """Return the variables `set -a; . FILE; set +a` exports, as a POSIX shell (dash) sees it."""
    script = 'set -a; . "$1"; set +a; env -0'
    done = subprocess.run(
        ["/bin/sh", "-ec", script, "sh", str(path)], env={}, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    entries = (item.decode().partition("=") for item in done.stdout.split(b"\0") if item)
    return {name: value for name, _, value in entries if name not in ("PWD", "SHLVL", "_")}


def file_lines_both_read_alike(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if not FILE_LINE.match(line)]


def test_env_example_reads_the_same_in_a_shell_and_under_systemd() -> None:
    assert file_lines_both_read_alike(EXAMPLE) == []
    systemd = parse(EXAMPLE.read_text())
    assert sourced_by_sh(EXAMPLE) == systemd
    assert systemd["DEFAULT_FROM_EMAIL"] == "Rebond <no-reply@rebond.example.org>"
    assert systemd["REBOND_KEYS_FILE"] == "/etc/rebond/keys"
    assert not [name for name, value in systemd.items() if "#" in value]


def test_the_old_env_example_layout_breaks_both_ways(tmp_path: Path) -> None:
    """What the issue saw: a comment after a value, and an unquoted <...>."""
    old = tmp_path / "old.env"
    old.write_text("EMAIL_PORT=587   # SMTP port\nDEFAULT_FROM_EMAIL=Rebond <no-reply@x.org>\n")
    assert parse(old.read_text())["EMAIL_PORT"] == "587   # SMTP port"
    done = subprocess.run(["/bin/sh", "-ec", f'set -a; . "{old}"'], capture_output=True)
    assert done.returncode != 0
    assert len(file_lines_both_read_alike(old)) == 2


def test_the_systemd_reader_follows_systemd_quoting_rules() -> None:
    assert parse('A="x y"\n B = 1 \n#C=2\n;D=3\nE=\'a\\b\'\nF="\\$x\\n"\nG') == {
        "A": "x y",
        "B": "1",
        "E": "a\\b",
        "F": "$x\\n",
    }


def rebond(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [str(live.BIN / "rebond"), *args],
        env={**base, **env},
        cwd=live.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def secret_file(path: Path, text: str, mode: int = 0o400) -> str:
    path.write_text(text + "\n")
    path.chmod(mode)
    return str(path)


def production(tmp_path: Path) -> dict[str, str]:
    return {
        "SECRET_KEY_FILE": secret_file(tmp_path / "secret_key", "s" * 60),
        "AUDIT_CHAIN_KEY_FILE": secret_file(tmp_path / "audit_chain_key", "a" * 40),
        "REBOND_KEYS_FILE": secret_file(tmp_path / "keys", new_key_line("data", "data-1")),
        "ALLOWED_HOSTS": "rebond.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "REBOND_VAR_DIR": str(tmp_path),
    }


@pytest.mark.parametrize(
    ("change", "variable", "fix"),
    [
        ({"SECRET_KEY_FILE": ""}, "SECRET_KEY_FILE", "make a file of 50+ random characters"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS", "set ALLOWED_HOSTS=rebond.example.org"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL", "postgres://user@host:5432/name"),
        ({"REBOND_KEYS_FILE": ""}, "REBOND_KEYS_FILE", "rebond keys generate"),
        ({"LOG_LEVEL": "INFO", "DEBUG": "yes"}, "DEBUG='yes'", "use 'True' or 'False'"),
        ({"DB_CONN_MAX_AGE": "a minute"}, "DB_CONN_MAX_AGE='a minute'", "use a whole number"),
        (
            {"DATABASE_URL": "postgres://rebond@127.0.0.1:5432/rebond", "DB_CONN_MAX_AGE": "60"},
            "DB_CONN_MAX_AGE=60",
            "set DB_POOL=False",
        ),
        ({"EMAIL_HOST_PASSWORD_FILE": "/nowhere"}, "EMAIL_HOST_PASSWORD_FILE", "Create it"),
    ],
)
def test_a_configuration_error_is_one_line_naming_the_variable_and_the_fix(
    tmp_path: Path, change: dict[str, str], variable: str, fix: str
) -> None:
    done = rebond("check", "--deploy", env={**production(tmp_path), **change})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("rebond: configuration error: ")
    assert variable in done.stderr
    assert fix in done.stderr


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
@pytest.mark.parametrize(
    "variable", ["SECRET_KEY_FILE", "AUDIT_CHAIN_KEY_FILE", "REBOND_KEYS_FILE"]
)
def test_secret_files_that_group_or_others_can_read_are_refused(
    tmp_path: Path, variable: str, mode: int
) -> None:
    env = production(tmp_path)
    Path(env[variable]).chmod(mode)
    done = rebond("check", "--deploy", env=env)
    assert done.returncode == 2
    assert f"{variable}=" in done.stderr
    assert "readable by group or others" in done.stderr
    assert "chmod" in done.stderr
    Path(env[variable]).chmod(0o400)
    assert rebond("check", env=env).returncode == 0


def test_env_file_gives_any_command_the_services_environment(tmp_path: Path) -> None:
    env_file = tmp_path / "rebond.env"
    env_file.write_text(
        "".join(f'{name}="{value}"\n' for name, value in production(tmp_path).items())
        + 'DEFAULT_FROM_EMAIL="Rebond <no-reply@rebond.example.org>"\n'
    )
    query = "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL)"
    for option in (["--env-file", str(env_file)], [f"--env-file={env_file}"]):
        done = rebond(*option, "shell", "-c", query, env={})
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().endswith("\nRebond <no-reply@rebond.example.org>")
    missing = rebond("--env-file", str(tmp_path / "nowhere.env"), "check", env={})
    assert missing.returncode == 2
    assert missing.stderr.startswith("rebond: configuration error: --env-file")


def test_gunicorn_stops_on_a_configuration_error_with_one_line(tmp_path: Path) -> None:
    env = production(tmp_path)
    Path(env["SECRET_KEY_FILE"]).chmod(0o644)
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    done = subprocess.run(
        [str(live.BIN / "gunicorn"), "rebond.wsgi:application", "--bind",
         f"127.0.0.1:{live.free_port()}", "--workers", "1", "--no-control-socket"],
        env={**base, **env}, cwd=live.ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0  # gunicorn halts instead of restarting the worker for ever
    errors = [line for line in done.stderr.splitlines() if "configuration error" in line]
    assert errors == [
        f"rebond: configuration error: SECRET_KEY_FILE={env['SECRET_KEY_FILE']!r} is readable"
        f" by group or others (mode 0644): chmod 0400 {env['SECRET_KEY_FILE']} and chown it to"
        " the service user (docs/deploy.md, Configure)."
    ]
    assert "Traceback" not in done.stderr
