"""Print the one-line summary of `make test` from the JUnit files pytest wrote, then the
security figures each run recorded (rebond/tests/figures.py, via REBOND_FIGURES_FILE).
A `<leg>-selection.txt` beside a JUnit file names the part of the suite that leg ran."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

LABELS = {
    "psychometrics": "psychometrics (no database)",
    "sqlite": "rebond on SQLite",
    "postgresql": "rebond on PostgreSQL",
}


def counts(path: Path) -> dict[str, int]:
    """Return tests, failures, errors and skips recorded in one JUnit file."""
    root = ET.parse(path).getroot()  # noqa: S314
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in total:
            total[key] += int(suite.get(key, "0"))
    return total


def main(results: Path) -> int:
    parts = []
    for stem, label in LABELS.items():
        path = results / f"{stem}.xml"
        if not path.exists():
            parts.append(f"{label}: not run")
            continue
        c = counts(path)
        passed = c["tests"] - c["failures"] - c["errors"] - c["skipped"]
        # A leg that ran only part of the suite says which (scripts/test writes it).
        selection = results / f"{stem}-selection.txt"
        if selection.exists():
            label += f" ({selection.read_text(encoding='utf-8').strip()})"
        parts.append(f"{label}: {passed} passed, {c['skipped']} skipped")
    print("\nSUMMARY: " + " | ".join(parts))
    for stem, label in LABELS.items():
        figures = results / f"{stem}-figures.txt"
        if figures.exists():
            for line in figures.read_text(encoding="utf-8").splitlines():
                print(f"SECURITY FIGURES ({label}): {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
