"""In Chromium, on a desktop and a phone: `rebond clinic create` on an empty database prints a
link; the first admin opens it, is refused a password against the rules, chooses one, sets up
the authenticator app from the key the page shows (a code computed with pyotp), sees the
recovery codes once and reaches the home page; the link is then dead, as is an expired one.
Every page passes PageChecker (axe, console/CSP errors, foreign requests)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.core.management import call_command
from django.utils.timezone import now
from playwright.sync_api import Browser, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic, TOTPDevice, User
from rebond.staff.models import Invitation
from rebond.tests.browser import PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1200, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True},
}
PASSPHRASE = "quiet harbour lantern at dusk"  # Synthetic test value only.


def create_clinic(slug: str, email: str) -> str:
    """Run `rebond clinic create` as an operator would; return the link it prints."""
    out = io.StringIO()
    call_command(
        "clinic", "create", "--name", "Harbour Couples", "--slug", slug,
        "--admin-email", email, "--admin-name", "Ana García",
        "--timezone", "Europe/Madrid", stdout=out,
    )  # fmt: skip
    match = re.search(r"^  (http\S+/enrol/\S+/)$", out.getvalue(), re.MULTILINE)
    assert match, out.getvalue()
    return match.group(1)


def drop_expected_refusals(checker: PageChecker, statuses: list[int]) -> None:
    """Remove Chromium's console line for each refusal the test caused (one per status, in
    order): a page answered 400, 403 or 404 on purpose is no error of the page."""
    expected = [f"the server responded with a status of {status}" for status in statuses]
    seen = [e for e in checker.console_errors if any(x in e for x in expected)]
    assert [int(e.split("status of ")[1][:3]) for e in seen] == statuses, checker.console_errors
    checker.console_errors = [e for e in checker.console_errors if e not in seen]


def choose_password(page: Page, password: str, again: str | None = None) -> None:
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Type the password again").fill(password if again is None else again)
    page.get_by_role("button", name="Save password and continue").click()


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_first_admin_enrols_from_the_printed_link_to_the_home_page(
    browser: Browser, live_server: LiveServer, settings: Settings, viewport: str
) -> None:
    base = live_server.url
    settings.SITE_URL = base
    assert not Clinic.objects.exists()
    link = create_clinic(f"harbour-{viewport}", f"ana.{viewport}@example.org")
    assert link.startswith(f"{base}/enrol/")
    context = browser.new_context(**VIEWPORTS[viewport])
    page = context.new_page()
    checker = PageChecker(page, base)
    seen_urls: list[str] = []
    page.on("request", lambda request: seen_urls.append(request.url))

    page.goto(link)
    # The address bar shows the page without the token.
    expect(page).to_have_url(f"{base}/enrol/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    expect(page.get_by_text("Welcome to Harbour Couples on Rebond, Ana García.")).to_be_visible()
    expect(page.get_by_text("Your password must contain at least 12 characters.")).to_be_visible()
    checker.check(f"enrol-password-{viewport}")

    choose_password(page, "harbour")
    expect(page).to_have_title(re.compile(r"^Error: Choose your password"))
    expect(page.locator(".error-summary")).to_contain_text("This password is too short.")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    checker.check(f"enrol-password-error-{viewport}")
    choose_password(page, PASSPHRASE, again=PASSPHRASE + "!")
    expect(page.locator(".error-summary")).to_contain_text("The two passwords are not the same.")
    choose_password(page, PASSPHRASE)

    # Step 2: the authenticator app, from the key the page shows.
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor login")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator(".secret-key code").inner_text().replace(" ", "")
    checker.check(f"enrol-authenticator-{viewport}")
    page.get_by_label("Enter the 6-digit code the app shows").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    checker.check(f"enrol-recovery-codes-{viewport}")
    page.get_by_role("link", name="I have saved my codes, continue").click()
    expect(page).to_have_url(f"{base}/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    checker.check(f"enrol-home-{viewport}")

    admin = User.objects.get(email=f"ana.{viewport}@example.org")
    assert admin.check_password(PASSPHRASE)
    assert TOTPDevice.objects.get(user=admin).confirmed
    assert Invitation.objects.get(user=admin).used_at is not None
    # The token was only ever in the first address: never sent again, so never a Referer.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert sum(token in u for u in seen_urls) == 1

    # The link is spent: in another browser it shows the dead-link page.
    other = browser.new_context(**VIEWPORTS[viewport])
    other_page = other.new_page()
    other_checker = PageChecker(other_page, base)
    other_page.goto(link)
    expect(other_page.get_by_role("heading", level=1)).to_have_text(
        "This invitation link does not work"
    )
    other_checker.check(f"enrol-link-used-{viewport}")
    # In the admin's own browser (logged in), any link says to log out first.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("You are logged in")
    checker.check(f"enrol-link-signed-in-{viewport}")
    other.close()
    context.close()
    drop_expected_refusals(checker, [400, 400, 403])  # two refused passwords, logged in
    drop_expected_refusals(other_checker, [404])  # the spent link
    checker.assert_clean()
    other_checker.assert_clean()


def test_an_expired_link_says_to_ask_the_clinic_admin(
    browser: Browser, live_server: LiveServer, settings: Settings
) -> None:
    base = live_server.url
    settings.SITE_URL = base
    link = create_clinic("harbour-expired", "late@example.org")
    Invitation.objects.update(expires_at=now() - timedelta(minutes=1))
    context = browser.new_context(**VIEWPORTS["phone"])
    page = context.new_page()
    checker = PageChecker(page, base)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation link does not work")
    expect(page.get_by_text("ask your clinic admin to send you a new invitation")).to_be_visible()
    checker.check("enrol-link-expired-phone")
    context.close()
    drop_expected_refusals(checker, [404])
    checker.assert_clean()
