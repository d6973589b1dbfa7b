"""The demo practice has requests waiting and real UK crisis resources, loaded idempotently."""

from __future__ import annotations

import pytest

from rebond.accounts.models import Clinic, CrisisResource
from rebond.demo.practice import DEMO_CLINIC_SLUG, build_demo_practice
from rebond.intake.models import ConsultationRequest

pytestmark = pytest.mark.django_db


def test_the_demo_clinic_has_two_new_requests_and_crisis_resources() -> None:
    build_demo_practice()
    build_demo_practice()
    clinic = Clinic.objects.get(slug=DEMO_CLINIC_SLUG)
    requests = ConsultationRequest.objects.filter(clinic=clinic)
    assert requests.count() == 2
    assert set(requests.values_list("status", flat=True)) == {"new"}
    assert sum(r.feels_safe != "yes" for r in requests) == 1
    phones = set(CrisisResource.objects.filter(clinic=clinic).values_list("phone", flat=True))
    assert {"999", "0808 2000 247", "116 123"} <= phones
