"""The clinician's account page: who they are, a password change with the current password
(ASVS 6.2.3, 7.4.3), and the way to the second factor's settings and recovery codes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from rebond.accounts import devices
from rebond.accounts.models import TOTPDevice, User
from rebond.accounts.sessions import session_keys_of
from rebond.audit.models import AuditEntry
from rebond.test import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "quiet harbour lantern morning"


def change(client: Client, current: str, new: str, again: str | None = None) -> Any:
    data = {"old_password": current, "new_password1": new, "new_password2": again or new}
    return client.post(reverse("account"), data)


def account_actions(user: User) -> list[str]:
    return list(
        AuditEntry.objects.filter(action__startswith="accounts.password_change")
        .filter(object_id=str(user.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_the_header_leads_to_the_account_page(client: Client, alice: User) -> None:
    sign_in(client, alice)
    caseload = client.get(reverse("caseload")).content.decode()
    assert f'<a class="site-user__name" href="{reverse("account")}"' in caseload
    assert reverse("account") == "/accounts/"


def test_the_account_page_shows_the_clinician_and_the_way_to_their_second_factor(
    client: Client, alice: User
) -> None:
    sign_in(client, alice)
    response = client.get(reverse("account"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Your account · Rebond</title>" in page
    assert alice.email in page
    assert "Clinic A" in page
    assert f'href="{reverse("mfa_settings")}"' in page
    assert f'href="{reverse("mfa_recovery_codes")}"' in page
    assert "0 of 10 recovery codes unused" in page


def test_a_password_change_keeps_this_browser_ends_the_others_and_tells_the_clinician(
    alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    here, elsewhere = Client(), Client()
    sign_in(here, alice)
    sign_in(elsewhere, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = change(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)

    # This browser stays signed in, second factor done, and trusted; the other is logged out.
    page = here.get(response["Location"]).content.decode()
    assert "Your password is changed. 1 other session ended." in page
    assert here.get(reverse("caseload")).status_code == 200
    refused = elsewhere.get(reverse("caseload"))
    assert refused.status_code == 302
    assert refused["Location"].startswith(reverse("login"))
    assert session_keys_of(alice) == [here.session.session_key]
    assert devices.COOKIE_NAME in response.cookies

    [notice] = mail.outbox
    assert notice.to == [alice.email]
    assert notice.subject == "Your Rebond password was changed"
    assert "changed from your account page" in str(notice.body)
    assert NEW_PASSWORD not in str(notice.body)
    assert account_actions(alice) == ["accounts.password_change"]


def test_the_message_says_how_many_other_sessions_ended(client: Client, alice: User) -> None:
    sign_in(client, alice)
    for _ in range(2):
        sign_in(Client(), alice)
    response = change(client, PASSWORD, NEW_PASSWORD)
    page = client.get(response["Location"]).content.decode()
    assert "Your password is changed. 2 other sessions ended." in page


def test_a_wrong_current_password_changes_nothing_and_is_audited(
    client: Client, alice: User
) -> None:
    sign_in(client, alice)
    response = change(client, "not my password at all", NEW_PASSWORD)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Your account · Rebond</title>" in page
    assert "That is not your current password. Please enter it again." in page
    assert NEW_PASSWORD not in page  # passwords are never written back into the page
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert account_actions(alice) == ["accounts.password_change.fail"]
    assert mail.outbox == []


def test_the_new_password_must_pass_the_rules(client: Client, alice: User) -> None:
    sign_in(client, alice)
    short = change(client, PASSWORD, "too short")
    assert short.status_code == 400
    assert "This password is too short." in short.content.decode()
    common = change(client, PASSWORD, "password1234")
    assert "This password is too common." in common.content.decode()
    mismatch = change(client, PASSWORD, NEW_PASSWORD, "something else entirely")
    assert "The two new passwords are not the same." in mismatch.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    # A right current password with a rejected new one is no guess: nothing is audited as one.
    assert account_actions(alice) == []


def test_wrong_current_passwords_are_throttled(
    client: Client, alice: User, settings: Settings
) -> None:
    settings.LOGIN_FAILURES_PER_USER = 3
    sign_in(client, alice)
    for _ in range(3):
        assert change(client, "a wrong guess here", NEW_PASSWORD).status_code == 400
    refused = change(client, PASSWORD, NEW_PASSWORD)  # even the right one must wait
    assert refused.status_code == 429
    assert "Too many wrong passwords. Please wait 30 seconds" in refused.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_an_account_page_is_no_way_around_the_second_factor(client: Client, alice: User) -> None:
    from rebond.test import sign_in_password_only

    sign_in_password_only(client, alice)
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_verify"))
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_the_second_factor_date_is_the_clinics(client: Client, alice: User) -> None:
    clinic = alice.clinic
    assert clinic is not None
    clinic.timezone = "Australia/Sydney"
    clinic.save(update_fields=["timezone"])
    sign_in(client, alice)
    # 20:00 in London on 14 January is already the 15th in Sydney.
    evening = datetime(2027, 1, 14, 20, 0, tzinfo=UTC)
    TOTPDevice.objects.filter(user=alice).update(confirmed_at=evening)
    page = client.get(reverse("account")).content.decode()
    assert "Authenticator app on since 15 January 2027." in page
