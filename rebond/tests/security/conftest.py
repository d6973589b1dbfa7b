"""The seeded world and one signed-in client per role of the access matrix."""

from __future__ import annotations

import pytest
from django.test import Client

from rebond.tests.security.world import ROLES, World, build_world, client_for


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def clients(world: World) -> dict[str, Client]:
    return {role: client_for(world, role) for role in ROLES}
