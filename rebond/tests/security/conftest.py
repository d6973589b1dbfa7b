"""The seeded world and one signed-in client per role of the access matrix."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import Settings

from rebond.tests.security.world import ROLES, World, build_world, client_for


@pytest.fixture
def world(db: None, settings: Settings) -> World:
    # The world's installation stays healthy (/healthz 200) however long a sweep of it takes.
    settings.SAFETY_SWEEP_MAX_AGE_SECONDS = 24 * 60 * 60
    return build_world()


@pytest.fixture
def clients(world: World) -> dict[str, Client]:
    return {role: client_for(world, role) for role in ROLES}
