"""SECURITY.md AC-01, AC-02, AC-09: every route, method and role answers as the one policy
table says (rebond/tests/security/policy.py), and no route escapes the table."""

from __future__ import annotations

import pytest
from django.test import Client

from rebond.tests import figures
from rebond.tests.security import policy
from rebond.tests.security.routes import all_routes, is_refused, own_kwargs, send, undone, url
from rebond.tests.security.world import ROLES, SECOND_FACTOR_OWED, World

pytestmark = pytest.mark.django_db

SECTION = "Access matrix"


def test_every_route_is_classified_in_the_policy_table() -> None:
    names = {route.name for route in all_routes()}
    unclassified = sorted(names - policy.POLICY.keys())
    stale = sorted(policy.POLICY.keys() - names)
    figures.record(SECTION, "unclassified routes", len(unclassified))
    assert not unclassified, (
        f"Routes missing from the policy table: {unclassified}. Add each to POLICY in"
        ' rebond/tests/security/policy.py as  "<name>": {"<METHOD>": <roles>},  naming the'
        " roles allowed per method (anything unlisted is refused), and fill any new URL"
        " parameter in rebond/tests/security/routes.py."
    )
    assert not stale, f"The policy table names routes that no longer exist: {stale}"


@pytest.mark.slow
def test_every_route_method_and_role_answers_as_the_policy_table_says(
    world: World, clients: dict[str, Client]
) -> None:
    routes = [r for r in all_routes() if r.name in policy.POLICY]
    mismatches: list[str] = []
    unexpected_allow = unexpected_deny = server_errors = cells = 0
    for route in routes:
        for method in policy.METHODS:
            allowed = policy.allowed(route.name, method)
            for role in ROLES:
                client = clients[role]
                path = url(route, own_kwargs(world, route))
                with undone(client):
                    response = send(client, method, path)
                cells += 1
                refused = is_refused(response, second_factor_owed=role in SECOND_FACTOR_OWED)
                if response.status_code >= 500:
                    server_errors += 1
                    mismatches.append(f"{method} {route.name} as {role}: {response.status_code}")
                elif refused and role in allowed:
                    unexpected_deny += 1
                    mismatches.append(
                        f"{method} {route.name} as {role}: refused ({response.status_code})"
                        " but the table allows it"
                    )
                elif not refused and role not in allowed:
                    unexpected_allow += 1
                    mismatches.append(
                        f"{method} {route.name} as {role}: allowed ({response.status_code})"
                        " but the table refuses it"
                    )
    figures.record(SECTION, "routes", len(routes))
    figures.record(SECTION, "methods", len(policy.METHODS))
    figures.record(SECTION, "roles", len(ROLES))
    figures.record(SECTION, "cells", cells)
    figures.record(SECTION, "unexpected-allow", unexpected_allow)
    figures.record(SECTION, "unexpected-deny", unexpected_deny)
    figures.record(SECTION, "server errors", server_errors)
    assert not mismatches, "\n".join(mismatches)
