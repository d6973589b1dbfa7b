"""The demo practice shows realistic synthetic case data, built once however often it runs."""

from __future__ import annotations

import pytest

from rebond.couples.models import (
    CaseTransition,
    ConsentRecord,
    ContactChannel,
    Couple,
    Injury,
    SafetyConcern,
)
from rebond.demo.practice import build_demo_practice

pytestmark = pytest.mark.django_db


def counts() -> list[int]:
    return [
        CaseTransition.objects.count(),
        ContactChannel.objects.count(),
        ConsentRecord.objects.count(),
        Injury.objects.count(),
        SafetyConcern.objects.count(),
    ]


def test_the_demo_cases_have_history_channels_consents_and_injuries() -> None:
    build_demo_practice()
    okafor = next(c for c in Couple.objects.all() if c.label == "Okafor & Lindqvist")
    reyes = next(c for c in Couple.objects.all() if c.label == "Reyes & Bauer")
    assert [t.to_status for t in okafor.transitions.all()][-1] == okafor.status
    assert ConsentRecord.objects.filter(partner__couple=okafor).count() >= 6
    assert ContactChannel.objects.filter(partner__couple=reyes, safe_to_contact=False).exists()
    assert reyes.injuries.filter(disclosure_state=Injury.Disclosure.DISCLOSED_PRIVATELY).exists()
    assert reyes.safety_concerns.filter(status=SafetyConcern.Status.OPEN).count() == 1
    for couple in Couple.objects.all():
        assert couple.transitions.exists(), couple.label


def test_building_the_demo_twice_adds_nothing() -> None:
    build_demo_practice()
    first = counts()
    build_demo_practice()
    assert counts() == first
