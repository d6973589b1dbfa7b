"""Fixtures for intake tests: a valid submission and requests already in an inbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.timezone import now

from rebond.accounts.models import Clinic, CrisisResource
from rebond.intake.models import ConsultationRequest


def valid_post(**overrides: Any) -> dict[str, Any]:
    """Return a complete, valid public form submission."""
    data: dict[str, Any] = {
        "name": "Robin",
        "contact_method": "text",
        "contact_value": "+44 7700 900123",
        "safe_times": "Weekdays 9 to 12",
        "may_leave_message": "no",
        "concerns": ["infidelity", "broken_trust"],
        "concerns_text": "",
        "feels_safe": "yes",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def make_request(clinic: Clinic, **fields: Any) -> ConsultationRequest:
    """Create a request directly, as if submitted through the public form."""
    values: dict[str, Any] = {
        "name": "Robin",
        "contact_method": ConsultationRequest.ContactMethod.EMAIL,
        "contact_value": "robin@example.test",
        "safe_times": "",
        "may_leave_message": False,
        "concerns": [ConsultationRequest.Concern.INFIDELITY],
        "feels_safe": ConsultationRequest.FeelsSafe.YES,
        "consented_at": now(),
    }
    values.update(fields)
    return ConsultationRequest.objects.create(clinic=clinic, **values)


@pytest.fixture
def crisis_line(clinic_a: Clinic) -> CrisisResource:
    return CrisisResource.objects.create(
        clinic=clinic_a, name="Samaritans", phone="116 123", hours="24 hours, every day"
    )
