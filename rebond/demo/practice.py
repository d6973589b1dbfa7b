"""Build the synthetic demo practice: one clinic, two clinicians, a few couples.

Every name here is invented. Running `build_demo_practice()` again changes nothing but the
demo passwords, which are reset so the printed logins always work.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple, Partner

# Printed by `rebond demo`; the demo holds only synthetic data and refuses to load without DEBUG.
DEMO_PASSWORD = "demo-practice-only"  # noqa: S105
DEMO_CLINIC_SLUG = "harbour-demo"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    display_name: str
    roles: str


_CLINICIANS = [
    # (e-mail, name, therapist, supervisor, safety lead, clinic admin)
    ("therapist@demo.rebond.test", "Dr. Noor Castellan", True, False, False, False),
    ("supervisor@demo.rebond.test", "Dr. Ilse Marchetti", True, True, True, True),
]

_COUPLES = [
    # (label, status, primary e-mail, co-clinician e-mail or None, supervised, A, B)
    (
        "Okafor & Lindqvist",
        Couple.Status.CONJOINT_ACTIVE,
        0,
        None,
        True,
        "Tobi Okafor",
        "Saga Lindqvist",
    ),
    ("Reyes & Bauer", Couple.Status.ASSESSMENT, 0, None, True, "Mara Reyes", "Jonas Bauer"),
    ("Haddad & Moreau", Couple.Status.CONJOINT_ACTIVE, 0, 1, False, "Sami Haddad", "Élodie Moreau"),
    (
        "Kowalski & Tanaka",
        Couple.Status.INTAKE_SCHEDULED,
        1,
        None,
        False,
        "Ola Kowalski",
        "Ren Tanaka",
    ),
]


@transaction.atomic
def build_demo_practice() -> list[DemoLogin]:
    """Create or refresh the demo practice and return its logins."""
    clinic, _ = Clinic.objects.get_or_create(
        slug=DEMO_CLINIC_SLUG,
        defaults={
            "name": "Harbour Couples Practice (demo)",
            "jurisdiction": "GB",
            "timezone": "Europe/London",
        },
    )
    clinicians: list[User] = []
    logins: list[DemoLogin] = []
    for email, name, therapist, supervisor, safety_lead, admin in _CLINICIANS:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.display_name = name
        user.clinic = clinic
        user.is_therapist = therapist
        user.is_supervisor = supervisor
        user.is_safety_lead = safety_lead
        user.is_clinic_admin = admin
        user.set_password(DEMO_PASSWORD)
        user.save()
        clinicians.append(user)
        logins.append(DemoLogin(email, name, ", ".join(r.label for r in user.roles)))
    for label, status, primary, co, supervised, name_a, name_b in _COUPLES:
        couple, created = Couple.objects.get_or_create(
            clinic=clinic,
            label=label,
            defaults={
                "status": status,
                "primary_clinician": clinicians[primary],
                "supervisor": clinicians[1] if supervised else None,
            },
        )
        if created:
            if co is not None:
                couple.co_clinicians.add(clinicians[co])
            Partner.objects.create(couple=couple, role=Partner.Role.A, display_name=name_a)
            Partner.objects.create(couple=couple, role=Partner.Role.B, display_name=name_b)
    return logins
