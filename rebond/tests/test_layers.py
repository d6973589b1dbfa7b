"""Imports between apps follow the layer table in docs/architecture.md.

The table (section "Layers and dependency direction") says which app may import which; the
code is read with `ast`, so function-local imports count too. See rebond/tests/layers.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rebond.tests.layers import Checker, LayerTable, cycles, imports_of, parse_table

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# Project modules and apps that are not Python packages of their own are still units.
PROJECT_MODULES = {"settings", "urls", "cli", "wsgi"}
TEST_UNITS = {"tests", "conftest", "test"}


def table() -> LayerTable:
    return parse_table(ARCHITECTURE.read_text(encoding="utf-8"))


def checker() -> Checker:
    return Checker(table())


def test_every_app_and_project_module_is_in_the_table() -> None:
    apps = {p.name for p in (ROOT / "rebond").iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in (ROOT / "rebond").glob("*.py") if p.stem != "__init__"}
    named = {unit.split(".")[0] for unit in table().units}
    assert (apps | modules) - TEST_UNITS - named == set()
    assert named >= PROJECT_MODULES


def test_a_unit_whose_name_fills_the_column_is_read_with_its_bare_arrow() -> None:
    # `appointments.models ► ...`: without it, access could not import appointments.models.
    assert "appointments.models" in table().units
    assert table().may_import("access", "appointments.models")


def test_the_table_has_no_cycle() -> None:
    assert cycles(table()) == []


def test_every_import_between_apps_is_allowed_by_the_table() -> None:
    violations = checker().violations(ROOT)
    assert not violations, "Imports the layer table does not allow:\n" + "\n".join(
        str(v) for v in violations
    )


def test_every_exception_is_still_an_import() -> None:
    """A named exception whose import is gone is deleted from the table, not kept "in case"."""
    for module, imported in table().exceptions:
        path = ROOT / "rebond" / (module.replace(".", "/") + ".py")
        names = imports_of(path.read_text(encoding="utf-8"), f"rebond.{module}", is_package=False)
        assert any(
            n.module == f"rebond.{imported}" or n.module.startswith(f"rebond.{imported}.")
            for n in names
        ), (module, imported)


# The checker itself, on small made-up trees: it must catch what the real tree must not do.

SYNTHETIC_TABLE = """
## Layers and dependency direction

```text
alerts ──────────► couples, lib   (rules on submissions)
couples ─────────► lib
couples.models ──► lib
lib ─────────────► (nothing)
```

```text
couples.actions ···► alerts.selectors
```

## Next section
couples ───► alerts
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "rebond" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_table_is_read_from_its_section_only() -> None:
    synthetic = parse_table(SYNTHETIC_TABLE)
    assert synthetic.allowed["couples"] == {"lib"}
    assert synthetic.allowed["alerts"] == {"couples", "lib"}
    assert synthetic.allowed["lib"] == set()
    assert synthetic.exceptions == {("couples.actions", "alerts.selectors")}


def test_a_forbidden_import_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "couples/__init__.py": "",
            "couples/views.py": "import os\n\nfrom rebond.alerts.models import Alert\n",
            "alerts/rules.py": "from rebond.couples.models import Couple\nfrom rebond import lib\n",
        },
    )
    found = Checker(parse_table(SYNTHETIC_TABLE)).violations(root)
    assert [str(v) for v in found] == [
        "rebond/couples/views.py:3: couples may not import alerts (rebond.alerts.models.Alert)"
    ]


def test_imports_inside_functions_and_type_checking_blocks_count(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "lib/text.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from rebond.couples.models import Couple\n"
                "def late():\n"
                "    from .. import alerts\n"
                "    import rebond.couples.views\n"
            ),
        },
    )
    found = Checker(parse_table(SYNTHETIC_TABLE)).violations(root)
    assert [(v.line, v.imported) for v in found] == [
        (3, "couples.models"),
        (5, "alerts"),
        (6, "couples"),
    ]


def test_a_part_named_on_its_own_may_not_import_the_rest_of_its_app(tmp_path: Path) -> None:
    root = write(tmp_path, {"couples/models.py": "from rebond.couples.actions import close\n"})
    found = Checker(parse_table(SYNTHETIC_TABLE)).violations(root)
    assert [(v.importer, v.imported) for v in found] == [("couples.models", "couples")]


def test_named_exceptions_tests_and_unlisted_libraries_pass(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "couples/actions.py": "def f():\n    from rebond.alerts.selectors import g\n",
            "couples/tests/test_x.py": "from rebond.alerts.rules import evaluate\n",
            "conftest.py": "from rebond.alerts import rules\n",
            "lib/x.py": "import django\nimport rebond\n",
        },
    )
    assert Checker(parse_table(SYNTHETIC_TABLE)).violations(root) == []


def test_a_cycle_in_the_table_is_found() -> None:
    looped = SYNTHETIC_TABLE.replace("couples.models ──► lib", "couples.models ──► couples, lib")
    assert cycles(parse_table(looped)) == [["couples", "couples.models", "couples"]]
    assert cycles(parse_table(SYNTHETIC_TABLE)) == []


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("alerts ───► lib, reports", "does not name"),
        ("alerts ───► lib\nalerts ───► lib", "twice"),
    ],
)
def test_a_table_naming_unknown_or_repeated_units_is_refused(line: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_table(f"## Layers and dependency direction\n{line}\nlib ───► (nothing)\n")
