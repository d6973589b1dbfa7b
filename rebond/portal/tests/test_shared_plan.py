"""A safety plan shared with its partner appears in that partner's space, and nowhere else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.alerts.models import SafetyPlan
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple

pytestmark = pytest.mark.django_db


def test_only_the_partner_it_was_written_for_sees_a_shared_plan(alice: User) -> None:
    couple = make_couple(alice)
    a, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    SafetyPlan.objects.create(
        couple=couple,
        partner=a,
        warning_signs="CANARY-PLAN-SHARED",
        shared_with_partner=True,
        created_by=alice,
    )
    SafetyPlan.objects.create(
        couple=couple, partner=a, warning_signs="CANARY-PLAN-UNSHARED", created_by=alice
    )
    client_a, client_b = Client(), Client()
    open_space(client_a, a, alice)
    open_space(client_b, b, alice)
    page_a = client_a.get(reverse("portal:home")).content.decode()
    page_b = client_b.get(reverse("portal:home")).content.decode()
    assert "CANARY-PLAN-SHARED" in page_a
    assert "CANARY-PLAN-UNSHARED" not in page_a
    assert "CANARY-PLAN" not in page_b
    assert "hard moments" not in page_b
