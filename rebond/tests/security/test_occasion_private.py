"""Issue 15 A3: Administration.occasion, the clinician's words for a check-in, is sealed at rest
and reaches no partner through any channel, while the clinicians still read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from rebond.assessments.models import Administration
from rebond.tests import figures
from rebond.tests.security.partner_channels import PARTNERS, partner_channels
from rebond.tests.security.world import CLINIC_ADMIN, THERAPIST, World, client_for

pytestmark = pytest.mark.django_db

SECTION = "A3 occasion"


def occasion_canaries(world: World) -> list[str]:
    return [c.text for c in world.canaries if c.where.startswith("Administration.occasion")]


def test_the_occasion_is_sealed_in_the_database(world: World) -> None:
    administration = world.c1.open_a
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT occasion FROM assessments_administration WHERE id = %s",
            [administration.id.hex if connection.vendor == "sqlite" else administration.id],
        )
        [stored] = cursor.fetchone()
    assert administration.occasion.startswith("CANARY:Administration.occasion")
    assert "CANARY" not in stored
    assert Administration.objects.get(pk=administration.pk).occasion == administration.occasion


@pytest.mark.slow
def test_the_occasion_reaches_no_partner_through_any_channel(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    canaries = occasion_canaries(world)
    assert len(canaries) == 12  # three per case of the world, two on submitted check-ins
    clients = {role: client_for(world, role) for role in (*PARTNERS, THERAPIST, CLINIC_ADMIN)}
    leaks = []
    items = 0
    for role, where, text in partner_channels(world, clients, django_capture_on_commit_callbacks):
        items += 1
        leaks += [f"{c} reached {role} via {where}" for c in canaries if c in text]
    # The positive control: the clinician's check-ins page of the case shows it.
    page = clients[THERAPIST].get(f"/cases/{world.c1.couple.id}/checkins/").content.decode()
    assert any(c in page for c in canaries)
    figures.record(SECTION, "partner items scanned", items)
    figures.record(SECTION, "leaks", len(leaks))
    assert not leaks, "\n".join(leaks)
