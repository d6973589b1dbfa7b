"""The keyring: its format, where it comes from, and what start-up refuses (SECURITY.md CR-06)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rebond.crypto.keys import KeyringError, load_configured, new_key_line, parse, read_file


def test_the_last_key_of_each_purpose_is_the_current_one() -> None:
    text = "\n".join(
        [
            "# comment",
            new_key_line("data", "k1"),
            new_key_line("backup", "b1"),
            new_key_line("data", "k2"),
        ]
    )
    ring = parse(text, "test")
    assert ring.current("data")[0] == "k2"
    assert ring.current("backup")[0] == "b1"
    assert ring.ids("data") == ["k1", "k2"]
    assert len(ring.current("data")[1]) == 32


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "holds no 'data' key"),
        ("data k1", "expected '<purpose> <key id> <base64 key>'"),
        ("secret k1 AAAA", "purpose must be one of data, backup"),
        ("data K_1 AAAA", "key id must be"),
        ("data k1 not-base64!", "not valid base64"),
        ("data k1 AAAA", "must be 32 bytes"),
        (f"{new_key_line('data', 'k1')};{new_key_line('backup', 'k1')}", "listed twice"),
    ],
)
def test_a_malformed_keyring_is_refused_with_the_entry_named(text: str, message: str) -> None:
    with pytest.raises(KeyringError, match=message):
        parse(text, "REBOND_KEYS")


def test_a_keyring_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(new_key_line("data", "k1") + "\n")
    path.chmod(0o644)
    with pytest.raises(KeyringError, match=r"readable by group or others \(mode 0644\)"):
        read_file(path)
    path.chmod(0o400)
    assert read_file(path).current("data")[0] == "k1"


def test_production_needs_a_keyring_and_development_makes_one(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="REBOND_KEYS_FILE \\(or REBOND_KEYS\\) must be set"):
        load_configured(text=None, path=None, debug=False, var_dir=tmp_path)
    ring = load_configured(text=None, path=None, debug=True, var_dir=tmp_path)
    made = tmp_path / "dev-keys"
    assert made.stat().st_mode & 0o777 == 0o600
    assert ring.current("data")[0] == "dev-data-1"
    assert ring.current("backup")[0] == "dev-backup-1"
    # The same file is read again on the next start: data written before stays readable.
    again = load_configured(text=None, path=None, debug=True, var_dir=tmp_path)
    assert again.current("data")[1] == ring.current("data")[1]


def test_setting_both_the_file_and_the_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="not both"):
        load_configured(text="x", path="y", debug=True, var_dir=tmp_path)


def test_keys_generate_runs_before_any_keyring_or_settings_exist() -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "rebond.cli", "keys", "generate", "--purpose", "backup"],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ring = parse(new_key_line("data", "k1") + "\n" + result.stdout, "generated")
    assert ring.current("backup")[0].startswith("backup-")
