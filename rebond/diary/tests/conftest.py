"""A case in conjoint work with the diary offered, and both partners' spaces open."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from rebond.accounts.models import User
from rebond.couples.models import Couple, Partner
from rebond.diary.actions import DiaryDraft
from rebond.diary.models import DiaryPlan
from rebond.portal.models import PrivateLink
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple


@dataclass
class Case:
    couple: Couple
    a: Partner
    b: Partner
    client_a: Client
    client_b: Client
    link_a: PrivateLink
    link_b: PrivateLink


def draft(**fields: object) -> DiaryDraft:
    """A valid entry with no trigger, changed by `fields`."""
    values: dict[str, object] = {"felt_safe": 6, "felt_close": 4}
    values.update(fields)
    return DiaryDraft(**values)  # type: ignore[arg-type]


@pytest.fixture
def case(alice: User) -> Case:
    couple = make_couple(alice, partners=("Robin", "Sasha"), status=Couple.Status.CONJOINT_ACTIVE)
    DiaryPlan.objects.create(couple=couple, offered=True, updated_by=alice)
    a, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    client_a, client_b = Client(), Client()
    link_a = open_space(client_a, a, alice)
    link_b = open_space(client_b, b, alice)
    return Case(couple, a, b, client_a, client_b, link_a, link_b)
