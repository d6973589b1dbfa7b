"""Personas for the Django suite (described in rebond/test.py)."""

from __future__ import annotations

import pytest

from rebond.accounts.models import Clinic, User
from rebond.test import make_clinic, make_clinician


@pytest.fixture
def clinic_a(db: None) -> Clinic:
    return make_clinic("Clinic A")


@pytest.fixture
def clinic_b(db: None) -> Clinic:
    return make_clinic("Clinic B")


@pytest.fixture
def alice(clinic_a: Clinic) -> User:
    # Alice is a therapist at Clinic A; the cases under test are hers.
    return make_clinician(clinic_a, "Alice Therapist")


@pytest.fixture
def bob(clinic_a: Clinic) -> User:
    # Bob works at Clinic A too, but is on none of Alice's cases unless a test adds him.
    return make_clinician(clinic_a, "Bob Colleague")


@pytest.fixture
def charlie(clinic_b: Clinic) -> User:
    # Charlie is a therapist at Clinic B and must reach nothing of Clinic A.
    return make_clinician(clinic_b, "Charlie Outsider")
