"""In Chromium: a clinician logs in and sees the caseload; every page passes axe-core with 0
violations, logs no Content-Security-Policy (or other) console error, and requests nothing
from another origin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic
from rebond.couples.models import Couple
from rebond.demo.practice import DEMO_PASSWORD, build_demo_practice
from rebond.test import PASSWORD as PERSONA_PASSWORD
from rebond.test import make_clinic, make_clinician
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def test_the_demo_therapist_logs_in_and_sees_the_caseload(
    page: Page, live_server: LiveServer
) -> None:
    build_demo_practice()
    base = live_server.url
    checker = PageChecker(page, base)

    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/")
    checker.check("login")

    # A wrong password: the login page itself is under test here, so its form is filled.
    page.get_by_label("E-mail address").fill("therapist@demo.rebond.test")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct email")
    checker.check("login-error")

    log_in(page, base, "therapist@demo.rebond.test", DEMO_PASSWORD)
    expect(page).to_have_url(f"{base}/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    table = page.get_by_role("table")
    for couple in Couple.objects.filter(primary_clinician__email="therapist@demo.rebond.test"):
        expect(table).to_contain_text(couple.label)
    checker.check("caseload")

    page.get_by_role("link", name="Okafor & Lindqvist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Okafor & Lindqvist")
    expect(page.get_by_role("heading", name="Tobi Okafor")).to_be_visible()
    checker.check("case")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    checker.assert_clean()


def test_a_new_clinic_sees_the_empty_caseload(page: Page, live_server: LiveServer) -> None:
    clinic: Clinic = make_clinic("New Practice")
    user = make_clinician(clinic, "Nia New")
    checker = PageChecker(page, live_server.url)
    log_in(page, live_server.url, user.email, PERSONA_PASSWORD)
    expect(page.get_by_role("heading", name="No couples on your caseload yet")).to_be_visible()
    checker.check("caseload-empty")
    checker.assert_clean()


def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_main(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_phone_layout_has_no_sideways_scroll(browser: Browser, live_server: LiveServer) -> None:
    build_demo_practice()
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    checker = PageChecker(page, live_server.url)
    log_in(page, live_server.url, "therapist@demo.rebond.test", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    checker.check("caseload-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0
    checker.assert_clean()
