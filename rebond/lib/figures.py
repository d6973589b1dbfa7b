"""Figures the test suite prints in one block at the end of a run (SECURITY.md section 5).

A test records a figure through the `figures` fixture (rebond/conftest.py):

    figures.record("Crypto", "raw-DB canary hits", hits)
    figures.add("Crypto", "rotation rows", rotated)      # summed over tests

Figures travel on the test report (`user_properties`), so they also reach the summary when
tests run in other processes. `pytest_terminal_summary` prints them grouped by section, in
the order first recorded. Any section can use it: this module knows no section names.
"""

from __future__ import annotations

from typing import Any, cast

import pytest

_PROPERTY = "rebond_figure"
_collected: dict[tuple[str, str], Any] = {}


class Figures:
    """What a test uses to record one figure."""

    def __init__(self, node: pytest.Item) -> None:
        self._node = node

    def record(self, section: str, name: str, value: Any) -> None:
        """Set a figure (the last recorded value is printed)."""
        self._node.user_properties.append((_PROPERTY, (section, name, value, False)))

    def add(self, section: str, name: str, value: int | float) -> None:
        """Add to a figure summed over every test that records it."""
        self._node.user_properties.append((_PROPERTY, (section, name, value, True)))


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    if not isinstance(request.node, pytest.Item):
        raise TypeError("figures is a test-level fixture")
    return Figures(request.node)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    # The teardown report carries everything the test recorded, fixtures' teardowns included.
    if report.when != "teardown":
        return
    for key, payload in report.user_properties:
        if key != _PROPERTY:
            continue
        section, name, value, summed = cast(tuple[str, str, Any, bool], payload)
        if summed:
            _collected[(section, name)] = _collected.get((section, name), 0) + value
        else:
            _collected[(section, name)] = value


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _collected:
        return
    terminalreporter.section("figures (SECURITY.md section 5)")
    sections: dict[str, list[str]] = {}
    for (section, name), value in _collected.items():
        sections.setdefault(section, []).append(f"{name} {value}")
    for section, parts in sections.items():
        terminalreporter.write_line(f"{section}: " + "; ".join(parts))
