"""Schemathesis against the live OpenAPI schema: 0 server errors, 0 schema violations.

Every operation of the published schema is exercised through the real WSGI application
with generated path parameters (hypothesis, a bounded number of examples per operation),
authenticated with a real API token, against a demo practice. The run's report is
recorded with rebond/tests/figures.py and printed at the end of the test output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, given, settings
from schemathesis.core.failures import FailureGroup

from rebond.couples.models import Couple
from rebond.interop import tokens
from rebond.tests import figures

pytestmark = pytest.mark.django_db

SECTION = "API conformance (schemathesis)"
MAX_EXAMPLES = 15
SCHEMA_PATH = "/api/v1/openapi.json"


@dataclass
class Run:
    """What the run saw: examples sent, responses by status, failed checks."""

    examples: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _exercise(operation: Any, headers: dict[str, str], run: Run) -> None:
    """Send generated examples of one operation through every schemathesis check."""

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def exercise(case: Any) -> None:
        run.examples += 1
        try:
            response = case.call_and_validate(headers=headers)
        except (AssertionError, FailureGroup) as failure:  # how failed checks are raised
            run.failures.append(f"{operation.label}: {str(failure).splitlines()[0]}")
            return
        run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1

    exercise()


def test_every_api_operation_conforms_to_its_schema_without_server_errors(
    demo_couple: Couple,
) -> None:
    _, clear = tokens.create_token(demo_couple.primary_clinician, "schemathesis")
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, WSGIHandler())
    headers = {"Authorization": f"Bearer {clear}", "Host": "testserver"}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 5, "the published schema lost operations"
    run = Run()
    for operation in operations:
        _exercise(operation, headers, run)
    statuses, failures, examples = run.statuses, run.failures, run.examples
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    figures.record(SECTION, "operations tested", len(operations))
    figures.record(SECTION, "examples run", examples)
    figures.record(
        SECTION, "responses by status", ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
    )
    figures.record(SECTION, "server errors", server_errors)
    figures.record(SECTION, "check failures (schema violations)", len(failures))
    assert server_errors == 0
    assert not failures, "\n".join(sorted(set(failures)))
    assert statuses.get(200), "no operation answered 200: the token or the data is wrong"
