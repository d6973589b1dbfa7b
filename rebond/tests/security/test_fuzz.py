"""SECURITY.md IV-01: Hypothesis-generated input on every form and endpoint, as the role the
policy table allows: never a server error, and input refused is never kept.

The fields are the ones the pages really render (forms.py), plus those a script sends
(`SCRIPT_FIELDS`); each example drops some, adds others, and fills them with any text,
huge or empty values, repeated values, other rows' ids or a JSON body instead of a form.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.tests import figures
from rebond.tests.security import policy
from rebond.tests.security.forms import post_forms
from rebond.tests.security.routes import (
    Route,
    all_routes,
    case_ids,
    changed_tables,
    fingerprint,
    own_kwargs,
    undone,
    url,
)
from rebond.tests.security.world import ANONYMOUS, CLINIC_ADMIN, PARTNER_A, THERAPIST, World

pytestmark = pytest.mark.django_db

SECTION = "Fuzzing (IV-01)"
EXAMPLES = 8  # per endpoint: about 50 endpoints, kept under a minute on two shared cores
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Fields sent by a page's script rather than a rendered form.
SCRIPT_FIELDS = {"checkin_autosave": ["item", "value"]}
# Any text a browser could send (no lone surrogates: they cannot be encoded at all).
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "true",
    "null",
    "2025-02-30",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "../../etc/passwd",
    "00000000-0000-4000-8000-000000000000",
    "x" * 70_000,
]


def principal(route: Route) -> str | None:
    for role in (THERAPIST, PARTNER_A, CLINIC_ADMIN, ANONYMOUS):
        if role in policy.allowed(route.name, "POST"):
            return role
    return None


def values(offered: list[str], ids: list[str]) -> st.SearchStrategy[Any]:
    one = st.one_of(TEXT, st.sampled_from(NASTY + offered + ids))
    return st.one_of(one, st.lists(one, min_size=2, max_size=3))


def body(fields: dict[str, list[str]], ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    known = st.fixed_dictionaries({}, optional={k: values(v, ids) for k, v in fields.items()})
    extra = st.dictionaries(TEXT.filter(bool), values([], ids), max_size=3)
    return st.builds(lambda a, b: {**b, **a}, known, extra)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def fuzz_endpoint(
    client: Client,
    path: str,
    data_strategy: st.SearchStrategy[dict[str, Any]],
    before: dict[str, str],
    counts: dict[str, int],
) -> None:
    """POST Hypothesis' examples to one endpoint; fail on a 5xx or on refused input kept."""

    @FUZZ
    @given(data=data_strategy, as_json=st.none() | JSON)
    def post(data: dict[str, Any], as_json: Any) -> None:
        counts["examples"] += 1
        with undone(client):
            if as_json is None:
                response = client.post(path, data)
            else:
                response = client.post(path, as_json, content_type="application/json")
            changed = changed_tables(before, fingerprint())
        if response.status_code >= 500:
            counts["server errors"] += 1
        assert response.status_code < 500, f"POST {path} {data!r}: {response.status_code}"
        if response.status_code >= 400 and changed:
            counts["refused input kept"] += 1
        assert response.status_code < 400 or not changed, (
            f"POST {path} answered {response.status_code} but wrote to {changed}"
        )

    post()


@pytest.mark.slow
def test_no_form_or_endpoint_fails_or_keeps_refused_input(
    world: World, clients: dict[str, Client]
) -> None:
    forms = post_forms(world, clients)
    ids = [str(v) for v in {**case_ids(world.c1), **case_ids(world.c3)}.values()]
    counts = {"endpoints": 0, "examples": 0, "server errors": 0, "refused input kept": 0}
    for route in all_routes():
        role = principal(route)
        if role is None:
            continue
        client = clients[role]
        path = url(route, own_kwargs(world, route))
        # Taken after own_kwargs, which may write the row the URL names (an API token).
        before = fingerprint()
        form = forms.get(path)
        fields = dict(form.fields) if form is not None else {}
        fields.update({name: [] for name in SCRIPT_FIELDS.get(route.name, [])})
        fields.pop("csrfmiddlewaretoken", None)
        counts["endpoints"] += 1

        fuzz_endpoint(client, path, body(fields, ids), before, counts)
    for name, value in counts.items():
        figures.record(SECTION, name, value)
    assert counts["endpoints"] >= 40, counts


def get_principal(route: Route) -> str | None:
    for role in (THERAPIST, PARTNER_A, CLINIC_ADMIN, ANONYMOUS):
        if role in policy.allowed(route.name, "GET") and route.name != "portal:open_link":
            return role
    return None


def fuzz_query(
    client: Client,
    path: str,
    query_strategy: st.SearchStrategy[dict[str, Any]],
    counts: dict[str, int],
) -> None:
    """GET one page with Hypothesis' query strings; fail on a 5xx."""

    @FUZZ
    @given(query=query_strategy)
    def get(query: dict[str, Any]) -> None:
        counts["examples"] += 1
        with undone(client):
            response = client.get(path, query)
        assert response.status_code < 500, f"GET {path} {query!r}: {response.status_code}"

    get()


@pytest.mark.slow
def test_no_page_fails_on_any_query_string(world: World, clients: dict[str, Client]) -> None:
    # Query strings reach filters (the inbox), htmx fragments (injury subtypes) and paging.
    ids = [str(v) for v in {**case_ids(world.c1), **case_ids(world.c3)}.values()]
    known: dict[str, list[str]] = {
        "page": [],
        "status": [],
        "injury-category": [],
        "q": [],
        "next": [],
    }
    counts = {"pages": 0, "examples": 0}
    for route in all_routes():
        role = get_principal(route)
        if role is None:
            continue
        client = clients[role]
        path = url(route, own_kwargs(world, route))
        counts["pages"] += 1

        fuzz_query(client, path, body(known, ids), counts)
    figures.record(SECTION, "pages fuzzed by query string", counts["pages"])
    figures.record(SECTION, "query examples", counts["examples"])
