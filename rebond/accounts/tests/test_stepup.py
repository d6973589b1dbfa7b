"""Step-up re-authentication before changing the second factor (SECURITY.md SE-06)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import mfa
from rebond.accounts.models import RecoveryCode, TOTPDevice, User
from rebond.audit.models import AuditEntry
from rebond.test import PASSWORD, sign_in, unused_totp_code

pytestmark = pytest.mark.django_db

SENSITIVE = ["mfa_recovery_codes", "mfa_reset"]


def age_authentication(client: Client, user: User, minutes: float) -> None:
    """Make the session's last full authentication `minutes` old."""
    session = client.session
    mfa.mark_session_verified(session, user, at=now() - timedelta(minutes=minutes))
    session.save()


@pytest.mark.parametrize("name", SENSITIVE)
def test_a_sensitive_action_within_five_minutes_of_login_needs_nothing_more(
    client: Client, alice: User, name: str
) -> None:
    sign_in(client, alice)
    age_authentication(client, alice, 4.5)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", SENSITIVE)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_sensitive_action_after_five_minutes_asks_to_re_authenticate(
    client: Client, alice: User, name: str, method: str
) -> None:
    sign_in(client, alice)
    age_authentication(client, alice, 5.5)
    before = RecoveryCode.objects.filter(user=alice).count(), TOTPDevice.objects.count()
    r = getattr(client, method)(reverse(name))
    assert r.status_code == 302
    assert r["Location"] == reverse("reauthenticate") + "?next=" + reverse(name).replace("/", "%2F")
    assert (RecoveryCode.objects.filter(user=alice).count(), TOTPDevice.objects.count()) == before


def test_re_authenticating_with_password_and_code_goes_back_and_allows_the_action(
    client: Client, alice: User
) -> None:
    sign_in(client, alice)
    age_authentication(client, alice, 30)
    target = reverse("mfa_recovery_codes")
    r = client.post(
        reverse("reauthenticate"),
        {"password": PASSWORD, "code": unused_totp_code(alice), "next": target},
    )
    assert r.status_code == 302
    assert r["Location"] == target
    assert client.get(target).status_code == 200
    r = client.post(target)
    assert r.status_code == 200
    assert r.content.decode().count("<li><code>") == 10
    assert list(AuditEntry.objects.filter(actor=alice).values_list("action", flat=True)) == [
        "accounts.reauthenticate",
        "accounts.mfa.recovery_codes_regenerate",
    ]


@pytest.mark.parametrize("wrong", ["password", "code"])
def test_a_wrong_password_or_code_does_not_re_authenticate(
    client: Client, alice: User, wrong: str
) -> None:
    sign_in(client, alice)
    age_authentication(client, alice, 30)
    data = {"password": PASSWORD, "code": unused_totp_code(alice)}
    data[wrong] = "not-it" if wrong == "password" else "000000"
    r = client.post(reverse("reauthenticate"), data)
    assert r.status_code == 200
    assert "not right" in r.content.decode()
    assert client.get(reverse("mfa_reset")).status_code == 302


def test_resetting_the_app_removes_it_and_sends_the_clinician_to_enrol(
    client: Client, alice: User
) -> None:
    sign_in(client, alice)
    r = client.post(reverse("mfa_reset"))
    assert r["Location"] == reverse("mfa_enrol")
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not RecoveryCode.objects.filter(user=alice).exists()
    assert client.get(reverse("caseload"))["Location"].startswith(reverse("mfa_enrol"))
    assert AuditEntry.objects.filter(actor=alice, action="accounts.mfa.reset").count() == 1


def test_an_htmx_request_past_the_limit_gets_403_and_a_redirect_htmx_follows(
    client: Client, alice: User
) -> None:
    sign_in(client, alice)
    age_authentication(client, alice, 10)
    r = client.get(reverse("mfa_reset"), headers={"HX-Request": "true"})
    assert r.status_code == 403
    assert r["HX-Redirect"].startswith(reverse("reauthenticate"))
