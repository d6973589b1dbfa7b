"""The strict environment readers behind settings.py reject what they do not understand."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from rebond.crypto.keys import new_key_line
from rebond.lib.env import envbool, envint, envlist, envsecret, envstr


def test_envbool_accepts_only_true_and_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "True")
    assert envbool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "False")
    assert envbool("FLAG", True) is False
    monkeypatch.delenv("FLAG")
    assert envbool("FLAG", True) is True
    for bad in ("yes", "1", "true", "FALSE"):
        monkeypatch.setenv("FLAG", bad)
        with pytest.raises(ImproperlyConfigured, match=r"FLAG=.*use 'True' or 'False'"):
            envbool("FLAG", False)


def test_envint_rejects_words_and_values_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    assert envint("NUMBER", 7) == 7
    monkeypatch.setenv("NUMBER", "12")
    assert envint("NUMBER", 7, minimum=1) == 12
    monkeypatch.setenv("NUMBER", "twelve")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        envint("NUMBER", 7)
    monkeypatch.setenv("NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="minimum is 1"):
        envint("NUMBER", 7, minimum=1)


def test_envlist_and_envstr(monkeypatch: pytest.MonkeyPatch) -> None:
    assert envlist("HOSTS", ["a"]) == ["a"]
    monkeypatch.setenv("HOSTS", " a.example , ,b.example ")
    assert envlist("HOSTS", []) == ["a.example", "b.example"]
    assert envstr("UNSET_NAME", "fallback") == "fallback"


def test_envsecret_reads_a_file_or_the_variable_but_not_both(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert envsecret("TOKEN") is None
    monkeypatch.setenv("TOKEN", "direct")
    assert envsecret("TOKEN") == "direct"
    secret_file = tmp_path / "token"
    secret_file.write_text("from-file\n")
    secret_file.chmod(0o600)
    monkeypatch.setenv("TOKEN_FILE", str(secret_file))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        envsecret("TOKEN")
    monkeypatch.delenv("TOKEN")
    assert envsecret("TOKEN") == "from-file"
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        envsecret("TOKEN")


def start_django(**env: str) -> subprocess.CompletedProcess[str]:
    """Start Django with the production settings module and only the given variables."""
    base = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "rebond.settings"}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_start_up_stops_without_a_secret_key(tmp_path: Path) -> None:
    result = start_django(ALLOWED_HOSTS="rebond.example.org", REBOND_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set" in result.stderr


def test_production_start_up_stops_without_allowed_hosts(tmp_path: Path) -> None:
    result = start_django(SECRET_KEY="x" * 60, REBOND_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_start_up_rejects_a_database_other_than_sqlite_or_postgresql(tmp_path: Path) -> None:
    result = start_django(
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="h",
        DATABASE_URL="mysql://u@h/db",
        REBOND_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "SQLite or PostgreSQL" in result.stderr


def test_production_start_up_stops_without_an_audit_chain_key(tmp_path: Path) -> None:
    base = {"ALLOWED_HOSTS": "h", "SECRET_KEY": "x" * 60, "REBOND_VAR_DIR": str(tmp_path)}
    result = start_django(**base)
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEY (or AUDIT_CHAIN_KEY_FILE) must be set" in result.stderr
    result = start_django(**base, AUDIT_CHAIN_KEY="x" * 60)  # never SECRET_KEY again
    assert "AUDIT_CHAIN_KEY must differ from SECRET_KEY" in result.stderr


def test_production_start_up_stops_without_a_keyring_and_names_the_variables(
    tmp_path: Path,
) -> None:
    base = {"ALLOWED_HOSTS": "h", "SECRET_KEY": "x" * 60, "AUDIT_CHAIN_KEY": "y" * 60}
    result = start_django(**base, REBOND_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "REBOND_KEYS_FILE (or REBOND_KEYS) must be set when DEBUG=False" in result.stderr
    result = start_django(**base, REBOND_VAR_DIR=str(tmp_path), REBOND_KEYS="data k1 short")
    assert result.returncode != 0
    assert "REBOND_KEYS, entry 1: the key is not valid base64" in result.stderr


def test_a_complete_production_environment_starts(tmp_path: Path) -> None:
    result = start_django(
        SECRET_KEY="x" * 60,
        AUDIT_CHAIN_KEY="y" * 60,
        REBOND_KEYS=new_key_line("data", "k1"),
        ALLOWED_HOSTS="rebond.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REBOND_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr


def test_env_example_documents_every_setting_read_from_the_environment() -> None:
    root = Path(__file__).resolve().parents[2]
    source = (root / "rebond" / "settings.py").read_text()
    read = set(re.findall(r'env(?:str|bool|int|list|secret)\(\s*"([A-Z_]+)"', source))
    # Where files live is read without Django (rebond/lib/paths.py), for the CLI too.
    paths = (root / "rebond" / "lib" / "paths.py").read_text()
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', paths))
    example = (root / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read, "no settings found: the pattern above is out of date"
    assert read - documented == set(), "undocumented in .env.example"
    assert documented - read == set(), "documented but never read"


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "rebond.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_CHAIN_KEY": secrets.token_urlsafe(50),
        "REBOND_KEYS": new_key_line("data", "k1"),
        "ALLOWED_HOSTS": "rebond.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REBOND_VAR_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "rebond.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_warns_when_a_proxy_would_make_every_client_share_one_address(
    tmp_path: Path,
) -> None:
    shared = deploy_check(tmp_path, BEHIND_TLS_PROXY="True")
    assert shared.returncode != 0
    assert "rebond.W001" in shared.stderr
    counted = deploy_check(tmp_path, BEHIND_TLS_PROXY="True", TRUSTED_PROXY_COUNT="1")
    assert counted.returncode == 0, counted.stderr
