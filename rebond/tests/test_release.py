"""The release: `python -m build` makes a wheel that carries every file Rebond reads at run time,
and that wheel, installed from the hashed lock into a fresh virtualenv outside the checkout,
passes the deploy check, migrates a new database and scores (issue 23, item 5; docs/deploy.md).

One build per session, from a clean copy of the checkout (a stale `rebond.egg-info` in a working
tree would otherwise leak its old file list into the sdist).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import rebond

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[2]
LOCK = CHECKOUT / "requirements" / "lock.txt"
# What is not source: the developer's environment and every cache or earlier build.
# The wheel, the sdist and what the build printed.
Release = tuple[Path, Path, str]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "var", "*.egg-info", "build", "dist", "__pycache__",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "htmlcov", ".coverage*",
)  # fmt: skip


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, (
        f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """Build the sdist and the wheel once; return their paths and the build's output."""
    source = tmp_path_factory.mktemp("source") / "rebond"
    shutil.copytree(CHECKOUT, source, ignore=NOT_SOURCE)
    dist = tmp_path_factory.mktemp("dist")
    # No isolation: the build uses the locked setuptools of this virtualenv (no download), and
    # `build` still refuses to start if it does not meet [build-system] requires.
    built = run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)]
    )
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    return wheel, sdist, built.stdout + built.stderr


def test_the_build_names_the_version_and_warns_nothing_about_the_license(release: Release) -> None:
    wheel, sdist, output = release
    assert wheel.name == f"rebond-{rebond.__version__}-py3-none-any.whl"
    assert sdist.name == f"rebond-{rebond.__version__}.tar.gz"
    assert "License-Expression: AGPL-3.0-or-later" in zipfile.ZipFile(wheel).read(
        f"rebond-{rebond.__version__}.dist-info/METADATA"
    ).decode("utf-8")
    changelog = (CHECKOUT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"\n## [{rebond.__version__}] - " in changelog
    assert "SetuptoolsDeprecationWarning" not in output
    assert not [
        line for line in output.splitlines() if "license" in line.lower() and "warn" in line.lower()
    ]


def test_the_wheel_carries_every_file_read_at_run_time_and_no_tests(release: Release) -> None:
    wheel, _, _ = release
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    # Every file of the packages outside the test suites: code, migrations, templates, static
    # files (vendored htmx too), translations, the shelf's starter pages, instrument notes.
    shipped = {
        path.relative_to(CHECKOUT).as_posix()
        for package in ("rebond", "psychometrics")
        for path in (CHECKOUT / package).rglob("*")
        if path.is_file()
        and "tests" not in path.relative_to(CHECKOUT).parts
        and "__pycache__" not in path.parts
    }
    assert shipped - in_wheel == set()
    assert "rebond/static/vendor/htmx/htmx.min.js" in in_wheel
    assert "rebond/shelf/starter/1-betrayal-and-its-impact.md" in in_wheel
    assert "rebond/shelf/starter/es/1-betrayal-and-its-impact.md" in in_wheel
    assert "rebond/couples/migrations/0001_initial.py" in in_wheel
    assert not [name for name in in_wheel if "/tests/" in name]


def runtime_lock(wheel: Path, destination: Path) -> Path:
    """Write the lock's entries (with their hashes) for what the wheel needs at run time.

    The closure of the wheel's requirements, walked through this virtualenv, which `make
    install` filled from the same lock; `pip check` in the new virtualenv proves it complete.
    """
    seen: set[tuple[str, str]] = set()  # (package, extra) pairs already walked
    meta = zipfile.ZipFile(wheel).read(f"rebond-{rebond.__version__}.dist-info/METADATA")
    # Each requirement with the extra of the package that asked for it (which its marker reads).
    pending = [
        (Requirement(line.partition(":")[2].strip()), "")
        for line in meta.decode("utf-8").splitlines()
        if line.startswith("Requires-Dist:")
    ]
    while pending:
        requirement, asked_with = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": asked_with}):
            continue  # the dev extra, or another platform's dependency
        name = canonicalize_name(requirement.name)
        for extra in {"", *requirement.extras}:
            if (name, extra) not in seen:
                seen.add((name, extra))
                pending.extend((Requirement(r), extra) for r in metadata.requires(name) or [])
    wanted = {name for name, _ in seen}
    entries = re.split(r"\n(?=\S)", LOCK.read_text(encoding="utf-8"))
    chosen = [
        entry
        for entry in entries
        if (match := re.match(r"([A-Za-z0-9_.\-]+)==", entry))
        and canonicalize_name(match[1]) in wanted
    ]
    assert len(chosen) == len(wanted), wanted - {
        canonicalize_name(e.split("==")[0]) for e in chosen
    }
    path = destination / "runtime-lock.txt"
    path.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return path


def test_the_wheel_installed_from_the_hashed_lock_checks_migrates_and_scores(
    release: Release, tmp_path_factory: pytest.TempPathFactory
) -> None:
    started = time.monotonic()
    wheel, _, _ = release
    outside = tmp_path_factory.mktemp("server")
    assert CHECKOUT not in outside.parents
    venv.create(outside / "venv", with_pip=True)
    bin_dir = outside / "venv" / "bin"
    # Only what pip itself needs from the environment (its cache, pip.conf's indexes); nothing of
    # the test settings, the checkout or a developer's Rebond variables.
    clean = {
        name: value
        for name, value in os.environ.items()
        if name in {"PATH", "HOME", "LANG", "TMPDIR"} or name.startswith("PIP_")
    }
    pip = [str(bin_dir / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    # --no-deps: the lock holds every dependency, each checked against its hash; pip resolves
    # nothing, so nothing unlisted is fetched (docs/deploy.md, "Install").
    run(
        [*pip, "install", "--no-deps", "--require-hashes", "-r", str(runtime_lock(wheel, outside))],
        env=clean,
        cwd=outside,
    )
    run([*pip, "install", "--no-deps", str(wheel)], env=clean, cwd=outside)
    run([*pip, "check"], env=clean, cwd=outside)

    rebond_command = str(bin_dir / "rebond")
    assert (
        run([rebond_command, "--version"], env=clean, cwd=outside).stdout
        == f"rebond {rebond.__version__}\n"
    )
    keyring = run(
        [rebond_command, "keys", "generate", "--purpose", "data", "--id", "wheel-1"],
        env=clean,
        cwd=outside,
    ).stdout
    production = {
        **clean,
        "SECRET_KEY": "wheel-test-" + "s" * 60,
        "AUDIT_CHAIN_KEY": "wheel-test-" + "a" * 60,
        "REBOND_KEYS": keyring,
        "ALLOWED_HOSTS": "rebond.example.org",
        "SITE_URL": "https://rebond.example.org",
        "DATABASE_URL": f"sqlite:///{outside / 'rebond.sqlite3'}",
        "REBOND_VAR_DIR": str(outside / "var"),
    }
    check = run(
        [rebond_command, "check", "--deploy", "--fail-level", "WARNING"],
        env=production,
        cwd=outside,
    )
    assert "System check identified no issues" in check.stdout
    migrated = run([rebond_command, "migrate", "--noinput"], env=production, cwd=outside)
    assert "Applying couples.0001_initial... OK" in migrated.stdout
    assert (outside / "rebond.sqlite3").is_file()
    # The code that ran is the installed copy, not the checkout.
    located = run(
        [str(bin_dir / "python"), "-c", "import rebond; print(rebond.__file__)"],
        env=clean,
        cwd=outside,
    )
    assert Path(located.stdout.strip()).is_relative_to(outside / "venv")

    scored = run(
        [rebond_command, "score", "phq9", "--answers", "1,2,0,1,3,0,1,0,1", "--json"],
        env=production,
        cwd=outside,
    )
    result = json.loads(scored.stdout)
    assert (result["instrument"], result["total"], result["band"]) == ("PHQ-9", 9, "mild")
    assert [flag["code"] for flag in result["flags"]] == ["phq9_item9"]
    print(f"wheel installed, checked, migrated and scored in {time.monotonic() - started:.1f} s")
