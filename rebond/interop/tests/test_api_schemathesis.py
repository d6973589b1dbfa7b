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

from rebond.assessments.models import Administration
from rebond.couples.models import Couple
from rebond.interop import tokens
from rebond.tests import figures

# Transactional: the real WSGI handler closes the database connection after each request,
# which would end the wrapping transaction of an ordinary test on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)

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
        _check(case, operation.label, headers, run)

    exercise()


def _check(case: Any, label: str, headers: dict[str, str], run: Run) -> None:
    """Send one case and run every schemathesis check on its response."""
    run.examples += 1
    try:
        response = case.call_and_validate(headers=headers)
    except (AssertionError, FailureGroup) as failure:  # how failed checks are raised
        run.failures.append(f"{label}: {str(failure).splitlines()[0]}")
        return
    run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1


@pytest.mark.slow
def test_every_api_operation_conforms_to_its_schema_without_server_errors(
    demo_couple: Couple,
) -> None:
    _, clear = tokens.create_token(demo_couple.primary_clinician, "schemathesis")
    headers = {"Authorization": f"Bearer {clear}", "Host": "testserver"}
    # The schema answers a clinician only: the same token reads it.
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, WSGIHandler(), headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 5, "the published schema lost operations"
    run = Run()
    for operation in operations:
        _exercise(operation, headers, run)
    # Generated ids are almost never real rows, so each operation is also called once with
    # the ids of the demo couple and one of its submitted check-ins (their 200s checked too).
    submitted = Administration.objects.filter(couple=demo_couple, status="submitted").first()
    assert submitted is not None
    real_ids = {"couple_id": str(demo_couple.id), "administration_id": str(submitted.id)}
    oks_before = run.statuses.get(200, 0)
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        case = operation.Case(path_parameters={n: real_ids[n] for n in names})
        _check(case, operation.label, headers, run)
    assert run.statuses.get(200, 0) - oks_before == len(operations), "a real id was refused"
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
