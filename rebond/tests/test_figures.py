"""The figures module the security tests report through, and the end-of-run summary."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rebond.tests import figures


@pytest.fixture
def empty_figures() -> Iterator[None]:
    saved = (dict(figures._figures), dict(figures._tallies))
    figures.clear()
    yield
    figures.clear()
    figures._figures.update(saved[0])
    figures._tallies.update(saved[1])


@pytest.mark.usefixtures("empty_figures")
def test_figures_print_one_line_per_section_in_recording_order() -> None:
    figures.record("Access matrix", "routes", 69)
    figures.record("Audit", "chain length", 6)
    figures.record("Access matrix", "unexpected-allow", 0)
    figures.record("Access matrix", "routes", 70)  # recorded again: replaced
    assert list(figures.lines()) == [
        "Access matrix: routes 70, unexpected-allow 0",
        "Audit: chain length 6",
    ]


@pytest.mark.usefixtures("empty_figures")
def test_a_tally_counts_passed_cases_out_of_all() -> None:
    figures.tally("Audit", "tamper cases detected", passed=True)
    figures.tally("Audit", "tamper cases detected", passed=False)
    figures.tally("Audit", "tamper cases detected", passed=True)
    figures.add("Audit", "requests", 2)
    figures.add("Audit", "requests", 3)
    assert list(figures.lines()) == ["Audit: tamper cases detected 2/3, requests 5"]


def test_the_test_summary_ends_with_each_runs_figures(tmp_path: Path) -> None:
    (tmp_path / "sqlite.xml").write_text(
        '<testsuite tests="3" failures="0" errors="0" skipped="1"/>'
    )
    (tmp_path / "sqlite-figures.txt").write_text("Audit: tamper cases detected 4/4\n")
    script = Path(__file__).resolve().parents[2] / "scripts" / "test_summary.py"
    out = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout
    lines = out.strip().splitlines()
    assert lines[0].startswith("SUMMARY: psychometrics (no database): not run")
    assert "rebond on SQLite: 2 passed, 1 skipped" in lines[0]
    assert lines[1] == "SECURITY FIGURES (rebond on SQLite): Audit: tamper cases detected 4/4"
