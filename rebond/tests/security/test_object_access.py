"""SECURITY.md AC-03 and LK-03: no principal reaches a row outside its scope by changing an
id in a URL. Every route with a row id is requested with the id of another couple (one of the
same clinician's, one of a colleague's), of another clinic and of the other partner: each is
refused, no response holds a canary the principal may not see, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rebond.tests import figures
from rebond.tests.security import policy
from rebond.tests.security.forms import Form, post_forms
from rebond.tests.security.routes import (
    Route,
    all_routes,
    case_ids,
    changed_tables,
    clinic_b_ids,
    fingerprint,
    is_refused,
    other_partner_ids,
    own_kwargs,
    send,
    undone,
    url,
)
from rebond.tests.security.world import CLINIC_ADMIN, PARTNER_A, THERAPIST, World

pytestmark = pytest.mark.django_db

SECTION = "Object/IDOR sweep"
# URL parameters that name a row someone owns (document_id, rule_code, token and clinic_slug
# name shared or public things).
ROW_PARAMETERS = frozenset(
    {
        "couple_id",
        "partner_id",
        "channel_id",
        "consent_id",
        "injury_id",
        "concern_id",
        "plan_id",
        "alert_id",
        "administration_id",
        "request_id",
        "resource_id",
        "user_id",
        # A clinic's session types; a clinician's own hours, time off and calendar feed.
        "session_type_id",
        "hours_id",
        "time_off_id",
        "feed_id",
        "appointment_id",
        # The reading shelf: a clinic's page, and a page given on a case (rebond/shelf).
        "page_id",
        "assignment_id",
        # A partner's diary entry (rebond/diary): its author's alone to act on.
        "entry_id",
    }
)


def row_parameters(route: Route) -> list[str]:
    return [k for k in route.kwargs if k in ROW_PARAMETERS]


def principal(route: Route) -> str | None:
    """Return the role the table allows on the route's own rows (who tries foreign ids)."""
    for role in (THERAPIST, PARTNER_A, CLINIC_ADMIN):
        if any(role in policy.allowed(route.name, m) for m in policy.METHODS):
            return role
    return None


def foreign_sources(world: World, role: str) -> dict[str, dict[str, Any]]:
    """Return the foreign rows a principal may try, by where they come from."""
    sources = {
        "colleague's couple (C4)": case_ids(world.c4),
        "other clinic (C3)": {**case_ids(world.c3), **clinic_b_ids(world)},
    }
    if role == PARTNER_A:
        sources["other partner (C1 B)"] = other_partner_ids(world.c1)
    # Alice works on C2 too: its ids may only be refused when mixed with C1's in one URL.
    sources["own other couple (C2), mixed"] = case_ids(world.c2)
    return sources


def attempts(world: World, route: Route, role: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (label, kwargs) for each foreign URL: one id swapped, then all of them.

    Alice works on C2 too, so a URL made only of C2's ids is hers to use; C2's ids are tried
    mixed with C1's only.
    """
    own = own_kwargs(world, route)
    params = row_parameters(route)
    tries = []
    for source, ids in foreign_sources(world, role).items():
        swappable = [p for p in params if p in ids]
        for name in swappable:
            tries.append((f"{name} from {source}", {**own, name: ids[name]}))
        if len(swappable) > 1:
            tries.append((f"all ids from {source}", {**own, **{p: ids[p] for p in swappable}}))
    own_case = {k: v for k, v in own.items() if k in params}
    return [
        (label, kwargs)
        for label, kwargs in tries
        if not (
            role == THERAPIST and "(C2)" in label and all(kwargs[p] != own_case[p] for p in params)
        )
    ]


def foreign_data(form: Form | None, own: dict[str, Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Return the page's own form data with each swapped id swapped in names and values too."""
    data: dict[str, Any] = form.data() if form is not None else {}
    for name, value in own.items():
        if kwargs[name] == value:
            continue
        old, new = str(value), str(kwargs[name])
        data = {k.replace(old, new): str(v).replace(old, new) for k, v in data.items()}
    return data


@pytest.mark.slow
def test_no_principal_reaches_a_row_outside_its_scope_by_its_id(
    world: World, clients: dict[str, Client]
) -> None:
    forbidden = {
        role: [c.text for c in world.canaries if role not in c.seen_by]
        for role in (THERAPIST, PARTNER_A, CLINIC_ADMIN)
    }
    forms = post_forms(world, clients)
    before = fingerprint()
    object_routes = tried = leaks = writes = allowed = 0
    problems: list[str] = []
    for route in all_routes():
        role = principal(route)
        if not row_parameters(route) or role is None:
            continue
        object_routes += 1
        client = clients[role]
        own = own_kwargs(world, route)
        form = forms.get(url(route, own))
        for label, kwargs in attempts(world, route, role):
            path = url(route, kwargs)
            data = foreign_data(form, own, kwargs)
            for method in ("GET", "POST"):
                tried += 1
                with undone(client):
                    response = send(client, method, path, data)
                    changed = changed_tables(before, fingerprint()) if method == "POST" else []
                where = f"{method} {route.name} as {role} with {label}"
                if response.status_code >= 500 or not is_refused(response):
                    allowed += 1
                    problems.append(f"{where}: answered {response.status_code}")
                body = response.content.decode(errors="replace")
                found = [text for text in forbidden[role] if text in body]
                if found:
                    leaks += 1
                    problems.append(f"{where}: leaked {found}")
                if changed:
                    writes += 1
                    problems.append(f"{where}: wrote to {changed}")
    figures.record(SECTION, "object-routes", object_routes)
    figures.record(SECTION, "foreign-id requests", tried)
    figures.record(SECTION, "answered", allowed)
    figures.record(SECTION, "leaks", leaks)
    figures.record(SECTION, "unauthorised writes", writes)
    assert object_routes >= 40, object_routes
    assert not problems, "\n".join(problems)
