"""SECURITY.md IV-05: every state-changing route refuses a POST without a CSRF token, for the
very role the policy table allows to use it (the other sweeps use Django's test client,
which skips the check)."""

from __future__ import annotations

import pytest

from rebond.tests import figures
from rebond.tests.security import policy
from rebond.tests.security.routes import all_routes, own_kwargs, undone, url
from rebond.tests.security.world import ROLES, World, client_for

pytestmark = pytest.mark.django_db

SECTION = "CSRF (IV-05)"


def test_every_post_route_refuses_a_post_without_a_csrf_token(world: World) -> None:
    clients = {role: client_for(world, role, enforce_csrf_checks=True) for role in ROLES}
    checked = 0
    accepted: list[str] = []
    for route in all_routes():
        allowed = [role for role in ROLES if role in policy.allowed(route.name, "POST")]
        for role in allowed:
            client = clients[role]
            with undone(client):
                response = client.post(url(route, own_kwargs(world, route)), {})
            checked += 1
            if response.status_code != 403:
                accepted.append(f"POST {route.name} as {role}: {response.status_code}")
    figures.record(SECTION, "POST route x role cells without a token", checked)
    figures.record(SECTION, "accepted", len(accepted))
    assert checked >= 50, checked
    assert not accepted, "\n".join(accepted)
