"""Test helpers shared by every app: small `make_*` builders for synthetic rows.

The personas used across the suite (see rebond/conftest.py):
- alice: a therapist at Clinic A; the cases under test are hers.
- bob: a colleague at Clinic A, on none of alice's cases unless a test adds him.
- charlie: a therapist at Clinic B; must reach nothing of Clinic A.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client

from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple, Partner

_sequence = itertools.count(1)
PASSWORD = "correct horse battery staple"  # Synthetic test persona only.


def make_clinic(name: str = "Clinic", **fields: Any) -> Clinic:
    n = next(_sequence)
    fields.setdefault("slug", f"clinic-{n}")
    fields.setdefault("jurisdiction", "GB")
    return Clinic.objects.create(name=name, **fields)


def make_clinician(clinic: Clinic | None, name: str, **fields: Any) -> User:
    email = fields.pop("email", f"{name.lower().replace(' ', '.')}.{next(_sequence)}@example.test")
    return User.objects.create_user(
        email=email, password=PASSWORD, display_name=name, clinic=clinic, **fields
    )


def make_couple(
    clinician: User,
    label: str = "Test couple",
    *,
    partners: tuple[str, str] = ("Partner One", "Partner Two"),
    **fields: Any,
) -> Couple:
    assert clinician.clinic is not None
    couple = Couple.objects.create(
        clinic=clinician.clinic, label=label, primary_clinician=clinician, **fields
    )
    Partner.objects.create(couple=couple, role=Partner.Role.A, display_name=partners[0])
    Partner.objects.create(couple=couple, role=Partner.Role.B, display_name=partners[1])
    return couple


def sign_in(client: Client, user: User) -> None:
    """Sign a clinician in on a Django test client, as far as every clinical page requires.

    Tests use this rather than `client.force_login`, so that whatever a clinician must
    complete before clinical pages (a second factor) is done in one place.
    """
    client.force_login(user)


def change_entries() -> int:
    """Return how many audit entries record a change (reads and refused reads are left out)."""
    from rebond.audit.models import AuditEntry

    return AuditEntry.objects.exclude(action__regex=r"^(read|denied|emergency_read):").count()
