"""The audit tests' clinics start with no audit chain: the tests watch a clinic's chain start
with its first entry (rebond.test.make_clinic starts it with the clinic otherwise)."""

from __future__ import annotations

import pytest

from rebond.accounts.models import Clinic
from rebond.test import make_clinic


@pytest.fixture
def clinic_a(db: None) -> Clinic:
    return make_clinic("Clinic A", start_audit_chain=False)


@pytest.fixture
def clinic_b(db: None) -> Clinic:
    return make_clinic("Clinic B", start_audit_chain=False)
