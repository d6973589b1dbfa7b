"""In Chromium, on a desktop and a phone: a clinician who forgot the password asks for a link
from the login page, opens it from the e-mail, chooses a new password, enters the code from the
app and reaches the caseload; then opens the account page. On the desktop, a clinic admin
resets a colleague's lost second factor. Every page passes PageChecker (axe, CSP, requests)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts import mfa
from rebond.accounts.models import TOTPDevice
from rebond.test import PASSWORD, ensure_totp_device, make_clinic, make_clinician, unused_totp_code
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1200, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True},
}
NEW_PASSWORD = "quiet harbour lantern morning"
LINK_RE = re.compile(r"(https?://[^/\s]+)?(/accounts/reset/[^/\s]+/[^/\s]+/)")


def emailed_link(address: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [address]]
    found = LINK_RE.search(str(message.body))
    assert found is not None, message.body
    return found.group(2)


def expect_form_refusals(checker: PageChecker, pages: list[str]) -> None:
    """Take out the console's note of each failed submit's 400 (the form shown again with
    its errors), one per page and in this order; any other console error stays."""
    refusals = [e for e in checker.console_errors if "status of 400 (Bad Request)" in e]
    assert len(refusals) == len(pages), refusals
    assert all(page in e.split(": Failed")[0] for e, page in zip(refusals, pages, strict=True))
    checker.console_errors = [e for e in checker.console_errors if e not in refusals]


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_a_clinician_resets_a_forgotten_password_and_still_needs_the_code(
    browser: Browser, live_server: LiveServer, viewport: str
) -> None:
    base = live_server.url
    user = make_clinician(
        make_clinic("Practice"), f"Rita {viewport.title()}", email=f"rita.{viewport}@example.test"
    )
    ensure_totp_device(user)
    mail.outbox.clear()
    context = browser.new_context(**VIEWPORTS[viewport])
    page = context.new_page()
    checker = PageChecker(page, base)

    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    checker.check_reflow(f"password-forgot-{viewport}")

    page.get_by_label("E-mail address").fill("rita at example")
    page.get_by_role("button", name="Send the link").click()
    expect(page).to_have_title(re.compile(r"^Error: Reset your password"))
    expect(page.locator("#id_email-error")).to_contain_text("Enter an e-mail address in the form")
    checker.check_reflow(f"password-forgot-error-{viewport}")

    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    checker.check_reflow(f"password-reset-sent-{viewport}")

    path = emailed_link(user.email)
    token = path.rstrip("/").rsplit("/", 1)[1]
    page.goto(f"{base}{path}")
    expect(page).to_have_url(re.compile(r"/accounts/reset/[^/]+/set-password/$"))
    assert token not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    checker.check_reflow(f"password-reset-confirm-{viewport}")

    page.get_by_label("New password", exact=True).fill("too short")
    page.get_by_label("New password again").fill("too short")
    page.get_by_role("button", name="Save the new password").click()
    expect(page).to_have_title(re.compile(r"^Error: Choose a new password"))
    expect(page.locator("#id_new_password1-error")).to_contain_text("too short")
    checker.check_reflow(f"password-reset-confirm-error-{viewport}")

    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    # Signed in with the new password only: the code from the app comes next.
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    checker.check(f"password-reset-verify-{viewport}")
    page.get_by_label("Code from your authenticator app").fill(unused_totp_code(user))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base}/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")

    # The link is spent.
    page.goto(f"{base}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    checker.check_reflow(f"password-reset-spent-{viewport}")

    page.goto(f"{base}/cases/")
    page.get_by_role("link", name=re.compile(f"^Rita {viewport.title()}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    checker.check_reflow(f"account-{viewport}")
    page.get_by_label("Current password").fill("not the password")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_title(re.compile(r"^Error: Your account"))
    checker.check_reflow(f"account-error-{viewport}")
    page.get_by_label("Current password").fill(NEW_PASSWORD)
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    checker.check_reflow(f"account-changed-{viewport}")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    context.close()
    expect_form_refusals(checker, ["/accounts/password-reset/", "/set-password/", "/accounts/"])
    checker.assert_clean()


def test_a_clinic_admin_resets_a_colleagues_lost_second_factor(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    clinic = make_clinic("Practice")
    admin = make_clinician(clinic, "Ada Admin", is_therapist=False, is_clinic_admin=True)
    colleague = make_clinician(clinic, "Bob Colleague")
    ensure_totp_device(colleague)
    mfa.regenerate_recovery_codes(colleague)
    context = browser.new_context(**VIEWPORTS["desktop"])
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, admin.email, PASSWORD)

    page.goto(f"{base}/settings/staff/{colleague.pk}/reset-two-factor/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Reset the two-factor login of Bob Colleague"
    )
    checker.check_reflow("staff-reset-second-factor")
    page.get_by_role("button", name="Reset two-factor login").click()
    expect(page).to_have_title(re.compile(r"^Error: Reset the two-factor login"))
    checker.check_reflow("staff-reset-second-factor-error")
    page.get_by_label("Reason").fill("Lost phone, confirmed by a call.")
    page.get_by_role("button", name="Reset two-factor login").click()
    expect(page.get_by_text("The two-factor login of Bob Colleague is reset")).to_be_visible()
    checker.check_reflow("staff-reset-second-factor-done")
    assert not TOTPDevice.objects.filter(user=colleague).exists()

    context.close()
    expect_form_refusals(checker, ["/reset-two-factor/"])
    checker.assert_clean()
