"""Structured logs: JSON lines with a request id and a route name, and no clinical content."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.lib.logs import RedactLinks
from rebond.ops.logging import JsonFormatter, NoRequestPaths, RequestIdFilter
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db

CANARY = "Zebracanary"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Capture every log record, formatted exactly as production's console handler does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactLinks())
    handler.addFilter(NoRequestPaths())
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_a_request_cycle_with_clinical_data_logs_json_lines_without_it(
    client: Client, alice: User, log_lines: io.StringIO
) -> None:
    couple = make_couple(alice, f"{CANARY} couple", partners=(f"{CANARY} One", f"{CANARY} Two"))
    sign_in(client, alice)
    assert client.get(reverse("caseload")).status_code == 200
    response = client.get(reverse("case", args=[couple.id]))
    assert response.status_code == 200
    assert CANARY in response.content.decode()
    client.post(reverse("case_details", args=[couple.id]), {"label": f"{CANARY} renamed"})
    client.get(f"/cases/{CANARY}/")  # a 404 whose path carries the canary
    client.get(f"/p/{CANARY}token/")  # a private link's token

    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    requests = [line for line in lines if line["logger"] == "rebond.requests"]
    assert {line["route"] for line in requests} >= {"caseload", "case", "case_details"}
    assert all(len(line["request_id"]) == 16 for line in requests)
    assert all({"method", "status", "duration_ms"} <= line.keys() for line in requests)
    refusals = [line for line in lines if line["logger"] == "django.request"]
    assert refusals
    assert all(len(line["request_id"]) == 16 for line in refusals)
    assert CANARY not in log_lines.getvalue()


def test_each_response_names_its_request_id(client: Client, alice: User) -> None:
    sign_in(client, alice)
    first = client.get(reverse("caseload"))["X-Request-ID"]
    second = client.get(reverse("caseload"))["X-Request-ID"]
    assert len(first) == 16
    assert first != second


def test_a_records_extra_fields_never_reach_the_line() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    record.request = f"<WSGIRequest: POST '/cases/' {CANARY}>"
    record.answers = {"q1": CANARY}
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed"
    assert CANARY not in json.dumps(line)
