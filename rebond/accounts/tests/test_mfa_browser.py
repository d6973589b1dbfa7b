"""In Chromium, on a desktop and a phone: a new clinician sets up two-factor login (QR code
under the strict CSP), sees the recovery codes once, logs out, and logs in again with a code;
on the desktop also re-authenticates before making new recovery codes. Every page passes
PageChecker (axe, console/CSP errors, foreign requests)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils.timezone import now
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts import mfa
from rebond.accounts.models import TOTPDevice, User
from rebond.test import PASSWORD, make_clinic, make_clinician, unused_totp_code
from rebond.tests.browser import PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1200, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True},
}


def submit_password(page: Page, base: str, user: User) -> None:
    # The login flow itself is under test here, so the form is filled step by step.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def age_session(page: Page, user: User, minutes: int) -> None:
    """Make the browser session's last full authentication `minutes` old (server side)."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "rebond-session")
    session = SessionStore(session_key=cookie["value"])
    mfa.mark_session_verified(session, user, at=now() - timedelta(minutes=minutes))
    session.save()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_a_clinician_enrols_sees_recovery_codes_once_and_logs_in_with_a_code(
    browser: Browser, live_server: LiveServer, viewport: str
) -> None:
    base = live_server.url
    user = make_clinician(make_clinic("Practice"), f"Enid {viewport.title()}")
    context = browser.new_context(**VIEWPORTS[viewport])
    page = context.new_page()
    checker = PageChecker(page, base)

    # Password first; the clinical pages wait behind the enrolment page.
    submit_password(page, base, user)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor login")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 150
    secret = page.locator(".secret-key code").inner_text().replace(" ", "")
    assert secret == TOTPDevice.objects.get(user=user).secret
    checker.check(f"mfa-enrol-{viewport}")

    page.get_by_label("Enter the 6-digit code the app shows").fill("000000")
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.locator("#code-error")).to_contain_text("not valid")
    checker.check(f"mfa-enrol-error-{viewport}")

    # The code an app with this seed shows now (computed here with the same TOTP library).
    page.get_by_label("Enter the 6-digit code the app shows").fill(unused_totp_code(user))
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    checker.check(f"mfa-recovery-codes-{viewport}")
    page.get_by_role("link", name="I have saved my codes, continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    # Shown once: the settings page counts them but never shows them again.
    page.goto(f"{base}/accounts/two-factor/")
    expect(page.get_by_text("10 of 10 unused")).to_be_visible()
    assert not any(code in page.content() for code in codes)
    checker.check(f"mfa-settings-{viewport}")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base}/accounts/login/")

    # A later login asks for a code.
    submit_password(page, base, user)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    checker.check(f"mfa-verify-{viewport}")
    page.get_by_label("Code from your authenticator app").fill("123 456")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#code-error")).to_contain_text("not valid")
    checker.check(f"mfa-verify-error-{viewport}")
    page.get_by_label("Code from your authenticator app").fill(unused_totp_code(user))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base}/cases/")

    if viewport == "desktop":
        # Ten minutes later, new recovery codes need the password and a fresh code again.
        age_session(page, user, minutes=10)
        page.goto(f"{base}/accounts/two-factor/")
        page.get_by_role("link", name="Make new recovery codes").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
        checker.check("mfa-reauthenticate")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Code from your authenticator app").fill(unused_totp_code(user))
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Make new recovery codes")
        checker.check("mfa-confirm-new-codes")
        page.get_by_role("button", name="Make new recovery codes").click()
        fresh = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
        assert len(fresh) == 10
        assert not set(fresh) & set(codes)

    context.close()
    checker.assert_clean()
