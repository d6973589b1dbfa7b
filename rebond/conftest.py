"""Personas for the Django suite (described in rebond/test.py), flushes past audit triggers,
the one Chromium of the browser tests, and the security figures gathered from xdist workers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connections
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import translation

from rebond.accounts.models import Clinic, User
from rebond.audit.chain import start as start_chain
from rebond.audit.protection import maintenance
from rebond.test import make_clinic, make_clinician
from rebond.tests import figures as figures_module
from rebond.tests.figures import Figures

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def figures() -> Figures:
    """Record a figure printed at the end of the run (rebond/tests/figures.py)."""
    return Figures()


@pytest.fixture(autouse=True, scope="session")
def _flush_through_audit_maintenance() -> Iterator[None]:
    """Let Django's test flushes empty the append-only audit tables.

    Transactional tests (browser tests, `django_db(transaction=True)`) end with Django's
    `flush`, a DELETE (SQLite) or TRUNCATE (PostgreSQL) of every table, which the audit
    triggers refuse. Only in the test suite, it runs inside `audit.protection.maintenance()`,
    which lets those statements through for that one transaction (rebond/audit/protection.py).
    The emptied trail then starts again with the genesis entry of the chain of no clinic, as
    after `migrate`.
    """
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        alias = self.connection.alias
        with maintenance(alias):
            original(self, sql_list)
            start_chain(alias)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def _server_language_between_tests() -> Iterator[None]:
    """Start and end every test in the server's language.

    The test client runs views in the test's own thread, and a view leaves its reader's
    language active after the response, as a server thread does until its next request
    resets it (LocaleMiddleware). Without this, a Spanish partner's page in one test would
    make the next test's direct calls speak Spanish.
    """
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_loaded_wording(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Start every test with no clinic-loaded wording, whatever lies in this checkout's var/."""
    settings.WORDING_DIR = tmp_path_factory.mktemp("wording")


@pytest.fixture(autouse=True)
def _subject_keys_per_test(
    settings: Any, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Give every test its own subject key store (rebond/crypto/subject_keys.py).

    The store is a file outside the test database, so a test's rollback would not undo the
    keys it made; its own file keeps tests (and xdist workers) from sharing or leaking keys.
    The file is only created when a test first seals a value. The environment names it too,
    so a server or command the test starts in another process uses the same store.
    """
    folder = tmp_path_factory.mktemp("subject-keys", numbered=True)
    settings.REBOND_SUBJECT_KEYS_FILE = folder / "subject-keys.sqlite3"
    monkeypatch.setenv("REBOND_SUBJECT_KEYS_FILE", str(settings.REBOND_SUBJECT_KEYS_FILE))


@pytest.fixture(scope="session")
def _chromium() -> Iterator[tuple[Browser, asyncio.AbstractEventLoop]]:
    """One headless Chromium per test process (per xdist worker), started by its first test.

    Playwright is idle between browser tests (rebond/tests/browser.py, playwright_idle), so the
    tests that run while it is open run as if it were not.
    """
    from rebond.tests.browser import launch_chromium, playwright_idle

    with contextmanager(launch_chromium)() as chromium, playwright_idle() as loop:
        yield chromium, loop


@pytest.fixture
def browser(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    _chromium: tuple[Browser, asyncio.AbstractEventLoop],
) -> Iterator[Browser]:
    """The session's Chromium, for one test marked `browser` (the fast leg deselects those).

    Only during that test, Playwright's loop is marked running in this thread and
    DJANGO_ALLOW_ASYNC_UNSAFE is set: Django's ORM calls the test makes between browser steps
    are synchronous and safe. Contexts the test left open are closed after it.
    """
    from rebond.tests.browser import playwright_calls

    if request.node.get_closest_marker("browser") is None:
        pytest.fail(
            f"{request.node.nodeid} uses the browser fixture without the `browser` marker "
            "(add `pytestmark = [pytest.mark.browser, ...]` to its module)",
            pytrace=False,
        )
    chromium, loop = _chromium
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_calls(loop):
        yield chromium
        for context in chromium.contexts:
            context.close()
        # While Playwright's loop is marked running, Django keeps this thread's database
        # connections apart (asgiref's Local is per context then): close those the test
        # opened, or they stay open past the test database's teardown (PostgreSQL refuses to
        # drop a database with a session on it).
        connections.close_all()


@pytest.fixture
def clinic_a(db: None) -> Clinic:
    return make_clinic("Clinic A")


@pytest.fixture
def clinic_b(db: None) -> Clinic:
    return make_clinic("Clinic B")


@pytest.fixture
def alice(clinic_a: Clinic) -> User:
    # Alice is a therapist at Clinic A; the cases under test are hers.
    return make_clinician(clinic_a, "Alice Therapist")


@pytest.fixture
def bob(clinic_a: Clinic) -> User:
    # Bob works at Clinic A too, but is on none of Alice's cases unless a test adds him.
    return make_clinician(clinic_a, "Bob Colleague")


@pytest.fixture
def charlie(clinic_b: Clinic) -> User:
    # Charlie is a therapist at Clinic B and must reach nothing of Clinic A.
    return make_clinician(clinic_b, "Charlie Outsider")


# What the PostgreSQL leg of a local `make test` runs beside the tests marked `postgresql`
# (scripts/test; CI runs everything on both engines): the tests whose subject behaves
# differently on another database engine (audit triggers, raw-database scans, migrations,
# backups, locks and races, crashes, real servers), and the security sweeps as a smoke of the
# rest. Paths from the repository root, fnmatch patterns.
ENGINE_DEPENDENT = (
    "rebond/tests/security/*",
    "rebond/audit/tests/*",
    "rebond/crypto/tests/*",
    "rebond/ops/tests/*",
    "rebond/*/tests/test_*migration*.py",
    "rebond/*/tests/test_*concurrency*.py",
    "rebond/*/tests/test_*races*.py",
    "rebond/*/tests/test_*crash*.py",
    "rebond/*/tests/test_*live*.py",
)


def uses_database(item: pytest.Item) -> bool:
    """Whether a test opens the test database: marked `django_db`, or a fixture needs it."""
    return item.get_closest_marker("django_db") is not None or "django_db_setup" in getattr(
        item, "fixturenames", ()
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = item.path.relative_to(config.rootpath).as_posix()
        if any(fnmatch(path, pattern) for pattern in ENGINE_DEPENDENT):
            item.add_marker(pytest.mark.engine)
        if not uses_database(item):
            # The same on every engine: the PostgreSQL leg of CI does not run it again.
            item.add_marker(pytest.mark.database_free)


def pytest_collection_finish(session: pytest.Session) -> None:
    # Each test's place in the collection: the same in every xdist worker, so the figures
    # recorded by different workers merge in the order one process records them.
    for index, item in enumerate(session.items):
        item.stash[_COLLECTION_INDEX] = index


_COLLECTION_INDEX = pytest.StashKey[int]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    figures_module.at_test(item.stash.get(_COLLECTION_INDEX, -1))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker, send this worker's figures to the controller (pytest_testnodedown)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["rebond_figures"] = figures_module.export()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller, add a finished worker's figures to those printed at the end."""
    figures_module.merge(node.workeroutput.get("rebond_figures", []))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the figures the security tests measured (SECURITY.md 5; rebond/tests/figures.py).

    With REBOND_FIGURES_FILE set (scripts/test sets it), the lines are also written there,
    for the summary at the very end of `make test`. Under xdist the controller prints them,
    once every worker's have been merged; a worker prints nothing.
    """
    if hasattr(config, "workerinput"):
        return
    printed = list(figures_module.lines())
    if not printed:
        return
    terminalreporter.section("SECURITY FIGURES")
    for line in printed:
        terminalreporter.write_line(f"SECURITY FIGURES: {line}")
    target = os.environ.get("REBOND_FIGURES_FILE")
    if target:
        Path(target).write_text("".join(f"{line}\n" for line in printed), encoding="utf-8")
