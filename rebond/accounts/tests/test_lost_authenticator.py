"""A lost authenticator app: a clinic admin resets a colleague's second factor (same clinic,
step-up, a reason, audited; the colleague is logged out, e-mailed, and enrols again at the next
login), or the clinician signs in with a recovery code and sets up a new app themselves."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import mfa
from rebond.accounts.models import Clinic, Passkey, RecoveryCode, TOTPDevice, User
from rebond.audit.models import AuditEntry
from rebond.test import PASSWORD, ensure_totp_device, make_clinician, sign_in

pytestmark = pytest.mark.django_db

REASON = "Lost phone; Bob called from the front desk on Monday."


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    sign_in(client, admin)  # both factors just now: within the step-up window
    return client


def enrolled_with_codes(user: User) -> list[str]:
    ensure_totp_device(user)
    return mfa.regenerate_recovery_codes(user)


def reset_url(user: User) -> str:
    return reverse("staff_reset_second_factor", kwargs={"user_id": user.pk})


def second_factor_state(user: User) -> tuple[int, int]:
    return (
        TOTPDevice.objects.filter(user=user).count(),
        RecoveryCode.objects.filter(user=user).count(),
    )


def test_the_page_has_the_address_the_staff_pages_link_to(bob: User) -> None:
    assert reset_url(bob) == f"/settings/staff/{bob.pk}/reset-two-factor/"


def test_an_admin_resets_a_colleagues_lost_second_factor(
    admin: User, admin_client: Client, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    enrolled_with_codes(bob)
    Passkey.objects.create(user=bob, credential_id="bobs-laptop", public_key=b"-", name="Laptop")
    bobs_browser = Client()
    sign_in(bobs_browser, bob)

    page = admin_client.get(reset_url(bob))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<title>Reset the two-factor login of Bob Colleague · Rebond</title>" in text
    assert "10 of 10 unused" in text
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(reset_url(bob), {"reason": REASON})
    assert done.status_code == 302
    assert done["Location"] == reset_url(bob)
    after = admin_client.get(done["Location"]).content.decode()
    assert "The two-factor login of Bob Colleague is reset and they were logged out." in after
    assert "Bob Colleague has no authenticator app set up." in after

    assert second_factor_state(bob) == (0, 0)
    assert not Passkey.objects.filter(user=bob).exists()
    refused = bobs_browser.get(reverse("caseload"))
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("login"))
    [entry] = AuditEntry.objects.filter(action="accounts.mfa.admin_reset")
    assert (entry.actor_id, entry.object_id, entry.reason) == (admin.pk, str(bob.pk), REASON)
    assert entry.clinic_id == bob.clinic_id
    [notice] = mail.outbox
    assert notice.to == [bob.email]
    assert notice.subject == "Your Rebond two-factor login was reset"
    assert "Ada Admin, a clinic admin at Clinic A, reset the two-factor login" in str(notice.body)
    assert "front desk" not in str(notice.body)  # the reason stays in the audit trail

    # Bob's next login: the password, then setting up an authenticator app again.
    login = Client()
    response = login.post(reverse("login"), {"username": bob.email, "password": PASSWORD})
    assert response.status_code == 302
    onward = login.get(reverse("caseload"))
    assert onward["Location"].startswith(reverse("mfa_enrol"))


def test_a_reason_is_required_and_nothing_changes_without_one(
    admin_client: Client, bob: User
) -> None:
    enrolled_with_codes(bob)
    response = admin_client.post(reset_url(bob), {"reason": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Reset the two-factor login of Bob Colleague · Rebond</title>" in page
    assert "Say why the second factor is reset (kept in the audit)." in page
    assert second_factor_state(bob) == (1, 10)
    assert not AuditEntry.objects.filter(action="accounts.mfa.admin_reset").exists()


def test_the_admin_proves_both_factors_again_first(
    admin: User, admin_client: Client, bob: User
) -> None:
    enrolled_with_codes(bob)
    session = admin_client.session
    mfa.mark_session_verified(session, admin, at=now() - timedelta(minutes=10))
    session.save()
    for response in (
        admin_client.get(reset_url(bob)),
        admin_client.post(reset_url(bob), {"reason": REASON}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reauthenticate") + "?next=")
    assert second_factor_state(bob) == (1, 10)


def test_a_clinician_of_another_clinic_is_not_found(
    admin_client: Client, charlie: User, bob: User
) -> None:
    enrolled_with_codes(charlie)
    for user_id in (charlie.pk, "9f1c2d3e-0000-4000-8000-000000000000"):
        url = reverse("staff_reset_second_factor", kwargs={"user_id": user_id})
        assert admin_client.get(url).status_code == 404
        assert admin_client.post(url, {"reason": REASON}).status_code == 404
    assert second_factor_state(charlie) == (1, 10)
    assert not AuditEntry.objects.filter(action="accounts.mfa.admin_reset").exists()


def test_a_clinician_who_is_no_admin_is_told_who_can(alice: User, bob: User) -> None:
    enrolled_with_codes(bob)
    client = Client()
    sign_in(client, alice)
    for response in (
        client.get(reset_url(bob)),
        client.post(reset_url(bob), {"reason": REASON}),
    ):
        assert response.status_code == 403
        assert "Only clinic admins can change these settings" in response.content.decode()
    assert second_factor_state(bob) == (1, 10)


def test_an_admin_resets_their_own_app_from_their_own_page(
    admin: User, admin_client: Client
) -> None:
    enrolled_with_codes(admin)
    response = admin_client.post(reset_url(admin), {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_settings")
    page = admin_client.get(response["Location"]).content.decode()
    assert "To reset your own authenticator app, use your two-factor page" in page
    assert second_factor_state(admin) == (1, 10)
    with pytest.raises(ValueError, match="own second factor"):
        mfa.reset_colleagues_device(admin, admin.pk, REASON)


def test_a_colleague_without_an_app_has_nothing_to_reset(admin_client: Client, bob: User) -> None:
    response = admin_client.post(reset_url(bob), {"reason": REASON})
    assert response.status_code == 200
    assert "Bob Colleague has no authenticator app set up." in response.content.decode()
    assert not AuditEntry.objects.filter(action="accounts.mfa.admin_reset").exists()


def test_a_clinician_signs_in_with_a_recovery_code_and_sets_up_a_new_app(bob: User) -> None:
    """The lost phone, without an admin: a recovery code, then the clinician's own reset."""
    codes = enrolled_with_codes(bob)
    client = Client()
    response = client.post(reverse("login"), {"username": bob.email, "password": PASSWORD})
    assert response.status_code == 302
    verified = client.post(reverse("mfa_verify"), {"code": codes[0]})
    assert verified.status_code == 302
    caseload = client.get(reverse("caseload"))
    assert caseload.status_code == 200
    assert "You used a recovery code; 9 left." in caseload.content.decode()
    # Just signed in with both factors: the reset needs no second step-up.
    confirm = client.get(reverse("mfa_reset"))
    assert confirm.status_code == 200
    reset = client.post(reverse("mfa_reset"))
    assert reset["Location"] == reverse("mfa_enrol")
    assert second_factor_state(bob) == (0, 0)
    page = client.get(reverse("mfa_enrol")).content.decode()
    secret = re.search(r'<p class="secret-key"><code>([A-Z2-7 ]+)</code>', page)
    assert secret is not None
    code = mfa.current_code(secret.group(1).replace(" ", ""))
    enrolled = client.post(reverse("mfa_enrol"), {"code": code})
    assert enrolled.status_code == 200
    assert mfa.has_confirmed_device(bob)
    assert client.get(reverse("caseload")).status_code == 200
    # The spent recovery code is gone with the old ones.
    assert mfa.check_second_factor(bob, codes[1]) is None
