"""The figures module the security tests report through, and the end-of-run summary."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rebond.tests import figures


@pytest.fixture
def empty_figures() -> Iterator[None]:
    saved = figures.export()
    figures.clear()
    yield
    figures.clear()
    figures.merge(saved)


def recorded_by(*tests: tuple[int, Callable[[], None]]) -> list[figures.Exported]:
    """Run each (collection index, recording) as the test at that index; return the export."""
    figures.clear()
    for index, recording in tests:
        figures.at_test(index)
        recording()
    exported = figures.export()
    figures.clear()
    return exported


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


def test_the_test_summary_names_a_leg_that_ran_part_of_the_suite(tmp_path: Path) -> None:
    (tmp_path / "postgresql.xml").write_text('<testsuite tests="2" failures="0" errors="0"/>')
    (tmp_path / "postgresql-selection.txt").write_text("what depends on the engine\n")
    script = Path(__file__).resolve().parents[2] / "scripts" / "test_summary.py"
    out = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout
    assert "rebond on PostgreSQL (what depends on the engine): 2 passed, 0 skipped" in out


def access_matrix_first() -> None:
    figures.record("Access matrix", "routes", 69)
    figures.add("Fuzz", "requests", 2)
    figures.tally("Audit", "tamper cases detected", passed=True)


def audit_second() -> None:
    figures.tally("Audit", "tamper cases detected", passed=False)
    figures.add("Fuzz", "requests", 3)
    figures.record("Access matrix", "routes", 70)
    figures.record("Access matrix", "unexpected-allow", 0)


def fuzz_third() -> None:
    figures.add("Fuzz", "server errors", 0)
    figures.tally("Audit", "tamper cases detected", passed=True)
    figures.record("Access matrix", "routes", 71)


ONE_PROCESS = [
    "Access matrix: routes 71, unexpected-allow 0",
    "Fuzz: requests 5, server errors 0",
    "Audit: tamper cases detected 2/3",
]


@pytest.mark.usefixtures("empty_figures")
def test_one_process_prints_figures_in_recording_order() -> None:
    figures.merge(recorded_by((0, access_matrix_first), (1, audit_second), (2, fuzz_third)))
    assert list(figures.lines()) == ONE_PROCESS


@pytest.mark.usefixtures("empty_figures")
@pytest.mark.parametrize("controller_first", [True, False])
def test_figures_of_two_workers_merge_into_what_one_process_prints(
    controller_first: bool,
) -> None:
    # Worker gw0 ran the first and third tests of the collection, gw1 the second; the
    # controller hears from them in either order.
    gw0 = recorded_by((0, access_matrix_first), (2, fuzz_third))
    gw1 = recorded_by((1, audit_second))
    for exported in (gw0, gw1) if controller_first else (gw1, gw0):
        figures.merge(exported)
    # Counts and tallies are summed, a recorded value is the one recorded last in collection
    # order, sections and figures keep the order they were first recorded in.
    assert list(figures.lines()) == ONE_PROCESS


@pytest.mark.usefixtures("empty_figures")
def test_a_figure_keeps_one_kind() -> None:
    figures.add("Fuzz", "requests", 1)
    with pytest.raises(AssertionError, match=r"is kept by add\(\), not record\(\)"):
        figures.record("Fuzz", "requests", 2)
    with pytest.raises(AssertionError, match="Fuzz / requests: add and tally"):
        figures.merge([("Fuzz", "requests", "tally", [0, 0], [0, 0], [1, 1])])
