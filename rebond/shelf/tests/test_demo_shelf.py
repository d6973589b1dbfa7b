"""The demo practice's shelf: the starter pages, and two pages given on its first case (one to
both partners, one to partner A only), once however often `rebond demo` runs."""

from __future__ import annotations

import pytest

from rebond.accounts.models import Clinic
from rebond.demo.practice import DEMO_CLINIC_SLUG, build_demo_practice
from rebond.demo.shelf import DEMO_READING_CASE
from rebond.portal.tests.conftest import ensure_consent_documents
from rebond.shelf.models import PageAssignment, ShelfPage

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_starter_pages_and_gives_two_once() -> None:
    ensure_consent_documents()
    build_demo_practice()
    build_demo_practice()
    clinic = Clinic.objects.get(slug=DEMO_CLINIC_SLUG)
    assert ShelfPage.objects.filter(clinic=clinic).exclude(starter_key="").count() == 4
    given = list(PageAssignment.objects.filter(couple__clinic=clinic).select_related("partner"))
    assert len(given) == 2
    assert {a.couple.label for a in given} == {DEMO_READING_CASE}
    assert sorted(a.partner.role if a.partner else "both" for a in given) == ["A", "both"]
