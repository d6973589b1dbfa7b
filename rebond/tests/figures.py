"""The figures the suite prints at the end of every run (SECURITY.md section 5).

A test records what it measured with `record()` (a value) or `tally()` (one more case, passed
or not); `pytest_terminal_summary` in rebond/conftest.py prints every recorded figure under
"SECURITY FIGURES", one line per section, so they show in `make test` and CI output.
Any test may record into any section: the crypto and reliability tests use the same module.

Figures live in this process only; a figure that no test recorded in a run is not printed
(a deselected test prints nothing rather than a stale number).
"""

from __future__ import annotations

from collections.abc import Iterator

_figures: dict[str, dict[str, object]] = {}
_tallies: dict[str, dict[str, list[int]]] = {}


def record(section: str, name: str, value: object) -> None:
    """Record one figure; recording the same name again replaces the value."""
    _figures.setdefault(section, {})[name] = value


def add(section: str, name: str, amount: int) -> None:
    """Add `amount` to a counting figure (summed across the tests that feed it)."""
    current = _figures.setdefault(section, {}).get(name, 0)
    assert isinstance(current, int), f"{section} / {name} is not a count"
    _figures[section][name] = current + amount


def tally(section: str, name: str, *, passed: bool) -> None:
    """Count one case of a "passed/total" figure, e.g. tamper cases detected 4/4."""
    counts = _tallies.setdefault(section, {}).setdefault(name, [0, 0])
    counts[0] += int(passed)
    counts[1] += 1
    record(section, name, f"{counts[0]}/{counts[1]}")


def lines() -> Iterator[str]:
    """Yield one printable line per section, sections and figures in recording order."""
    for section, figures in _figures.items():
        yield f"{section}: " + ", ".join(f"{name} {value}" for name, value in figures.items())


class Figures:
    """The `figures` fixture (rebond/conftest.py): these functions, for tests taking an argument."""

    record = staticmethod(record)
    add = staticmethod(add)
    tally = staticmethod(tally)


def clear() -> None:
    """Forget every figure (for the tests of this module)."""
    _figures.clear()
    _tallies.clear()
