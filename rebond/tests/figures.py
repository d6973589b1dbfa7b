"""The figures the suite prints at the end of every run (SECURITY.md section 5).

A test records what it measured with `record()` (a value), `add()` (to a count) or `tally()`
(one more case, passed or not); `pytest_terminal_summary` in rebond/conftest.py prints every
recorded figure under "SECURITY FIGURES", one line per section, so they show in `make test`
and CI output. Any test may record into any section: the crypto and reliability tests use the
same module.

Figures live in the process that ran the test; a figure that no test recorded in a run is not
printed (a deselected test prints nothing rather than a stale number). Under pytest-xdist each
worker sends its figures to the controller at the end (`export()`), which merges them
(`merge()`) so the printed lines are the ones a run in one process prints:

- every figure remembers where it was recorded: the index of the test in the collected items
  (the same in every worker and in a single process, `at_test()`), then the order within it;
- `add` counts and `tally` cases are summed across workers;
- `record` keeps the value recorded last in collection order (in one process: the last one
  recorded, as recording again replaces the value);
- sections, and figures within a section, are printed in the order they were first recorded in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import count
from typing import Literal, TypeAlias

Kind: TypeAlias = Literal["record", "add", "tally"]
# Where a figure was recorded: (index of the test in the collection, order within the process).
Position: TypeAlias = tuple[int, int]
# One figure as a worker sends it to the controller (plain values, which execnet can carry):
# section, name, kind, first position, last position, value.
Exported: TypeAlias = tuple[str, str, Kind, list[int], list[int], object]


@dataclass
class Figure:
    kind: Kind
    first: Position
    last: Position
    # record: the value; add: the sum; tally: [passed, total].
    value: object

    def shown(self) -> object:
        if self.kind == "tally":
            assert isinstance(self.value, list)
            passed, total = self.value
            return f"{passed}/{total}"
        return self.value


_figures: dict[str, dict[str, Figure]] = {}
# Before any test starts (a figure recorded at collection), the position sorts first.
_test_index = -1
_order = count()


def at_test(index: int) -> None:
    """Say which test (its index among the collected items) is running now."""
    global _test_index
    _test_index = index


def _update(section: str, name: str, kind: Kind, value: object) -> None:
    here: Position = (_test_index, next(_order))
    figure = _figures.setdefault(section, {}).get(name)
    if figure is None:
        _figures[section][name] = Figure(kind, here, here, value)
        return
    assert figure.kind == kind, f"{section} / {name} is kept by {figure.kind}(), not {kind}()"
    figure.last = here
    figure.value = _combined(kind, figure.value, value)


def _combined(kind: Kind, earlier: object, later: object) -> object:
    """Combine two recordings of one figure, `earlier` recorded before `later`."""
    if kind == "record":
        return later
    if kind == "add":
        assert isinstance(earlier, int)
        assert isinstance(later, int)
        return earlier + later
    assert isinstance(earlier, list)
    assert isinstance(later, list)
    return [earlier[0] + later[0], earlier[1] + later[1]]


def record(section: str, name: str, value: object) -> None:
    """Record one figure; recording the same name again replaces the value."""
    _update(section, name, "record", value)


def add(section: str, name: str, amount: int) -> None:
    """Add `amount` to a counting figure (summed across the tests that feed it)."""
    assert isinstance(amount, int), f"{section} / {name} is not a count"
    _update(section, name, "add", amount)


def tally(section: str, name: str, *, passed: bool) -> None:
    """Count one case of a "passed/total" figure, e.g. tamper cases detected 4/4."""
    _update(section, name, "tally", [int(passed), 1])


def lines() -> Iterator[str]:
    """Yield one printable line per section, sections and figures in recording order."""
    sections = sorted(_figures.items(), key=lambda item: min(f.first for f in item[1].values()))
    for section, figures in sections:
        ordered = sorted(figures.items(), key=lambda item: item[1].first)
        yield f"{section}: " + ", ".join(f"{name} {figure.shown()}" for name, figure in ordered)


def export() -> list[Exported]:
    """Return every figure of this process as plain values, for the xdist controller."""
    return [
        (section, name, figure.kind, list(figure.first), list(figure.last), figure.value)
        for section, figures in _figures.items()
        for name, figure in figures.items()
    ]


def merge(exported: Iterable[Exported]) -> None:
    """Add the figures another process exported (an xdist worker's) to this process's."""
    for section, name, kind, first, last, value in exported:
        incoming = Figure(kind, (first[0], first[1]), (last[0], last[1]), value)
        figure = _figures.setdefault(section, {}).get(name)
        if figure is None:
            _figures[section][name] = incoming
            continue
        assert figure.kind == incoming.kind, f"{section} / {name}: {figure.kind} and {kind}"
        earlier, later = sorted((figure, incoming), key=lambda f: f.last)
        figure.value = _combined(figure.kind, earlier.value, later.value)
        figure.first = min(figure.first, incoming.first)
        figure.last = later.last


class Figures:
    """The `figures` fixture (rebond/conftest.py): these functions, for tests taking an argument."""

    record = staticmethod(record)
    add = staticmethod(add)
    tally = staticmethod(tally)


def clear() -> None:
    """Forget every figure (for the tests of this module)."""
    _figures.clear()
