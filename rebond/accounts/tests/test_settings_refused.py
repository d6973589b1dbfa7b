"""A clinician who opens a clinic settings page they may not change is told who can.

Not a bare 404: the pages hold no clinical data and every clinician of the clinic knows they
exist; what the clinician needs is the name of a colleague to ask (rebond/access/
SettingsRefused, rebond/accounts/refusals.py). Anyone without a clinic still gets a 404.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.test import make_clinician, sign_in

pytestmark = pytest.mark.django_db

ADMIN_ONLY = ("schedule_settings", "measurement_settings", "therapy_settings", "clinic_settings")
# Safety leads change the safety settings and approve an admin's emergency access to themselves.
ADMINS_AND_LEADS = ("safety_settings", "emergency_access")


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True)


@pytest.fixture
def lead(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Lee Lead", is_safety_lead=True)


@pytest.mark.parametrize("name", ADMIN_ONLY)
def test_a_colleague_is_told_which_admins_to_ask(
    client: Client, alice: User, admin: User, charlie: User, name: str
) -> None:
    sign_in(client, alice)
    response = client.get(reverse(name))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Only clinic admins can change these settings" in html
    assert "Ada Admin" in html
    # Another clinic's admins are never named.
    make_clinician(charlie.clinic, "Other Clinic Admin", is_clinic_admin=True)
    assert "Other Clinic Admin" not in client.get(reverse(name)).content.decode()
    sign_in(client, admin)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ADMINS_AND_LEADS)
def test_pages_for_admins_and_safety_leads_name_both(
    client: Client, alice: User, admin: User, lead: User, name: str
) -> None:
    sign_in(client, alice)
    response = client.get(reverse(name))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Only clinic admins and safety leads can change these settings" in html
    assert "Ada Admin" in html
    assert "Lee Lead" in html
    sign_in(client, lead)
    assert client.get(reverse(name)).status_code == 200


def test_a_clinic_without_admins_says_so(client: Client, alice: User) -> None:
    sign_in(client, alice)
    html = client.get(reverse("measurement_settings")).content.decode()
    assert "Your clinic has no one in that role yet" in html


def test_someone_without_a_clinic_still_gets_404(client: Client) -> None:
    operator = make_clinician(None, "Server Operator")
    sign_in(client, operator)
    for name in (*ADMIN_ONLY, *ADMINS_AND_LEADS):
        assert client.get(reverse(name)).status_code == 404
