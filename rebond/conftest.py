"""Personas for the Django suite (described in rebond/test.py), and flushes past audit triggers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.backends.base.operations import BaseDatabaseOperations

from rebond.accounts.models import Clinic, User
from rebond.audit.chain import start as start_chain
from rebond.audit.models import AuditChainHead, AuditEntry
from rebond.audit.protection import maintenance
from rebond.test import make_clinic, make_clinician
from rebond.tests.figures import Figures


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
    The emptied trail then starts again with its genesis entry, as after `migrate`.
    """
    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        alias = self.connection.alias
        with maintenance(alias):
            original(self, sql_list)
            start_chain(AuditEntry, AuditChainHead, alias)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def _no_loaded_wording(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Start every test with no clinic-loaded wording, whatever lies in this checkout's var/."""
    settings.WORDING_DIR = tmp_path_factory.mktemp("wording")


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures the security tests measured (SECURITY.md 5; rebond/tests/figures.py).

    With REBOND_FIGURES_FILE set (scripts/test sets it), the lines are also written there,
    for the summary at the very end of `make test`.
    """
    from rebond.tests import figures

    printed = list(figures.lines())
    if not printed:
        return
    terminalreporter.section("SECURITY FIGURES")
    for line in printed:
        terminalreporter.write_line(f"SECURITY FIGURES: {line}")
    target = os.environ.get("REBOND_FIGURES_FILE")
    if target:
        Path(target).write_text("".join(f"{line}\n" for line in printed), encoding="utf-8")
