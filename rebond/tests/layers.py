"""The layer table of docs/architecture.md, read as data, and the imports that break it.

The table is the fenced block of arrow lines in the section "Layers and dependency direction":

    alerts ─────────► access, assessments, couples   (from a bracket on: a comment)
    couples.models ─► accounts.models, crypto, lib

The left side is a unit: an app (a top-level package under rebond/, or a project module such
as `urls`), or one module of an app named on its own (`couples.models`) when the app's other
modules sit higher than it. A file belongs to the most specific unit the table names. A unit
may import itself, the units on its right, and the parts of any app it may import; an app may
import its own parts. `(nothing)` marks the bottom. Lines with a dotted arrow
(`couples.team ···► alerts.actions`) name the exceptions: one module that imports one module
above it, on purpose, each explained beside the table.

Every import counts: at module level, inside functions (where cycles hide) and under
`TYPE_CHECKING` (a type is a dependency of the code that names it). Tests may import anything:
files under a `tests/` folder, `conftest.py` and `test.py`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

SECTION = "## Layers and dependency direction"
NOTHING = "(nothing)"
# A name as long as the column (`appointments.models ►`) leaves no room for the shaft: the
# arrow may be a bare ►.
ALLOWED_ARROW = re.compile(r"^\s*(?P<unit>[\w.]+)\s+─*►\s*(?P<targets>.*)$")
EXCEPTION_ARROW = re.compile(r"^\s*(?P<importer>[\w.]+)\s+·+►\s*(?P<imported>[\w.]+)\s*$")
# The separate scoring library, a unit of its own outside rebond/.
LIBRARIES = ("psychometrics",)
# Modules where anything may be imported: tests build whole worlds.
TEST_MODULES = ("rebond.conftest", "rebond.test")


@dataclass(frozen=True)
class LayerTable:
    allowed: Mapping[str, frozenset[str]]
    exceptions: frozenset[tuple[str, str]] = frozenset()

    @property
    def units(self) -> frozenset[str]:
        return frozenset(self.allowed)

    def unit_of(self, module: str) -> str | None:
        """Return the unit a dotted module name (`rebond.couples.models.Couple`) belongs to."""
        parts = module.split(".")
        if parts[0] in LIBRARIES:
            return parts[0]
        if parts[0] != "rebond" or len(parts) < 2:
            return None
        for length in range(len(parts) - 1, 0, -1):
            name = ".".join(parts[1 : length + 1])
            if name in self.allowed:
                return name
        return parts[1]

    def may_import(self, importer: str, imported: str) -> bool:
        """Return whether unit `importer` may import unit `imported`."""
        imported_app = imported.split(".")[0]
        if imported == importer:
            return True
        if imported_app == importer:
            return True  # An app imports its own parts (its models named on their own).
        allowed = self.allowed.get(importer, frozenset())
        return imported in allowed or imported_app in allowed

    def is_exception(self, importer_module: str, imported_module: str) -> bool:
        """Return whether this exact import is one of the named exceptions."""
        importer = importer_module.removeprefix("rebond.")
        imported = imported_module.removeprefix("rebond.")
        return any(
            importer == low and (imported == high or imported.startswith(high + "."))
            for low, high in self.exceptions
        )


def parse_table(markdown: str) -> LayerTable:
    """Read the layer table from the text of docs/architecture.md; raise ValueError if malformed."""
    if SECTION not in markdown:
        raise ValueError(f"docs/architecture.md has no section {SECTION!r}")
    section = markdown.split(SECTION, 1)[1].split("\n## ", 1)[0]
    allowed: dict[str, frozenset[str]] = {}
    exceptions: set[tuple[str, str]] = set()
    for line in section.splitlines():
        if match := ALLOWED_ARROW.match(line):
            unit = match["unit"]
            if unit in allowed:
                raise ValueError(f"the layer table names {unit} twice")
            # Anything from a bracket on is a comment for people.
            targets = match["targets"].replace(NOTHING, "").split("(", 1)[0]
            allowed[unit] = frozenset(t.strip() for t in targets.split(",") if t.strip())
        elif match := EXCEPTION_ARROW.match(line):
            exceptions.add((match["importer"], match["imported"]))
    if not allowed:
        raise ValueError("the layer table has no arrow lines")
    known = set(allowed) | set(LIBRARIES)
    for unit, targets in allowed.items():
        for target in targets:
            if target not in known and target.split(".")[0] not in known:
                raise ValueError(f"{unit} may import {target!r}, which the table does not name")
    return LayerTable(allowed, frozenset(exceptions))


def cycles(table: LayerTable) -> list[list[str]]:
    """Return the cycles in the table itself (each once, as a path back to its start).

    An app's own parts count as edges (`couples` → `couples.models`), so a part that is
    allowed to import its app's other modules closes a cycle. Exceptions are not edges.
    """
    edges: dict[str, set[str]] = {unit: set(targets) for unit, targets in table.allowed.items()}
    for unit in table.allowed:
        app = unit.split(".")[0]
        if unit != app and app in edges:
            edges[app].add(unit)
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    state: dict[str, str] = {}  # unit -> "open" while on the path, "done" after.

    def walk(unit: str, path: list[str]) -> None:
        state[unit] = "open"
        for target in sorted(edges.get(unit, ())):
            if state.get(target) == "open":
                loop = [*path[path.index(target) :], target]
                if frozenset(loop) not in seen:
                    seen.add(frozenset(loop))
                    found.append(loop)
            elif target not in state:
                walk(target, [*path, target])
        state[unit] = "done"

    for unit in sorted(edges):
        if unit not in state:
            walk(unit, [unit])
    return found


@dataclass(frozen=True)
class Import:
    line: int
    module: str  # The dotted name imported, e.g. rebond.alerts.actions.raise_alerts_for
    in_function: bool


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    importer: str
    imported: str
    module: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.importer} may not import {self.imported} ({self.module})"


def module_name(path: Path, root: Path) -> str:
    """Return the dotted module name of a file under `root` (the folder holding rebond/)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, *, is_package: bool) -> Iterator[Import]:
    """Yield every import in a module's source, wherever it is (functions included)."""
    tree = ast.parse(source)
    package = module.split(".") if is_package else module.split(".")[:-1]
    function_lines: list[tuple[int, int]] = [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            names = [f"{origin}.{alias.name}" for alias in node.names]
        else:
            continue
        inside = any(start <= node.lineno <= end for start, end in function_lines)
        for name in names:
            yield Import(node.lineno, name, inside)


def is_test_module(module: str) -> bool:
    return module in TEST_MODULES or "tests" in module.split(".")


@dataclass
class Checker:
    table: LayerTable

    def unit_of(self, module: str) -> str | None:
        return self.table.unit_of(module)

    def violations_in(
        self, source: str, path: str, module: str, *, is_package: bool
    ) -> list[Violation]:
        importer = self.unit_of(module)
        if importer is None or is_test_module(module):
            return []
        found = []
        for imp in imports_of(source, module, is_package=is_package):
            imported = self.unit_of(imp.module)
            if imported is None or self.table.may_import(importer, imported):
                continue
            if self.table.is_exception(module, imp.module):
                continue
            found.append(Violation(path, imp.line, importer, imported, imp.module))
        return sorted(found, key=lambda v: v.line)

    def violations(self, root: Path) -> list[Violation]:
        """Return every forbidden import in the rebond package under `root`."""
        found: list[Violation] = []
        for path in sorted((root / "rebond").rglob("*.py")):
            module = module_name(path, root)
            found += self.violations_in(
                path.read_text(encoding="utf-8"),
                str(path.relative_to(root)),
                module,
                is_package=path.name == "__init__.py",
            )
        return found
