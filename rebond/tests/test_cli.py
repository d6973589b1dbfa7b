"""The installed `rebond` command: scoring without Django, everything else through Django."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REBOND = Path(sys.executable).with_name("rebond")


def rebond(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [str(REBOND), *args], capture_output=True, text=True, env=env, check=False, timeout=60
    )


def test_score_runs_the_scoring_core_and_prints_json() -> None:
    # PHQ-9 answers by position; item 9 endorsed, total 1+2+0+1+3+0+1+0+1 = 9 (Kroenke 2001).
    result = rebond("score", "PHQ-9", "--answers", "1,2,0,1,3,0,1,0,1", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["total"] == 9
    assert payload["band"] == "mild"
    assert any(flag["code"] == "phq9_item9" for flag in payload["flags"])


def test_version_prints_the_one_version_without_any_configuration() -> None:
    import rebond as package

    bare = {"PATH": os.environ["PATH"]}  # no settings at all: it must not load Django
    result = subprocess.run(
        [str(REBOND), "--version"], capture_output=True, text=True, env=bare, check=False
    )
    assert (result.returncode, result.stdout) == (0, f"rebond {package.__version__}\n")


def test_score_rejects_bad_input_with_exit_code_2_and_no_score() -> None:
    result = rebond("score", "PHQ-9", "--answers", "1,2,0", "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "9" in result.stderr


def test_other_commands_go_to_django() -> None:
    result = rebond("help", "demo")
    assert result.returncode == 0, result.stderr
    assert "demo practice" in result.stdout
