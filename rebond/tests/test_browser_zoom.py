"""In Chromium at 320 and 390 px wide with the browser's text size at 200%: the public request
page and the partner's pages reflow without sideways scrolling (WCAG 2.2 1.4.10), no element
is hidden under the fixed "Leave this site" button when it receives focus (2.4.11), and every
page still passes axe with no duplicate id.

Method: "200% text" is Chromium's own default font size doubled through the DevTools protocol
(`Page.setFontSizes`, see `rebond.tests.browser.large_text`), the same as a person choosing
a larger text size in the browser; the page's stylesheet and Content-Security-Policy are
untouched. The focus check scrolls each focusable element just above the top edge, focuses it
and measures its box against the button's box (`PageChecker.check_reflow_and_focus`).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.assessments import actions as assessments
from rebond.couples.models import Couple
from rebond.demo.practice import DEMO_CLINIC_SLUG, DEMO_PASSWORD, build_demo_practice
from rebond.portal.tests.conftest import ensure_consent_documents, make_link
from rebond.shelf import actions as shelf_actions
from rebond.shelf.models import ShelfPage
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390)


def phone_with_large_text(
    browser: Browser, live_server: LiveServer, width: int
) -> tuple[BrowserContext, Page, PageChecker]:
    context = browser.new_context(
        viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    return context, page, PageChecker(page, live_server.url, text_percent=200)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_request_page_at_200_percent_text(
    browser: Browser, live_server: LiveServer, width: int
) -> None:
    build_demo_practice()
    base = live_server.url
    context, page, checker = phone_with_large_text(browser, live_server, width)

    page.goto(f"{base}/c/{DEMO_CLINIC_SLUG}/request/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a consultation")
    # The text really is twice the usual size.
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "32px"
    checker.check_reflow_and_focus(f"zoom-request-form-{width}")

    safety = page.get_by_role("group", name="Do you feel safe at home right now?")
    safety.get_by_role("radio", name="Not sure").check()
    expect(page.get_by_role("heading", name="If you are not safe right now")).to_be_visible()
    checker.check_reflow_and_focus(f"zoom-request-form-not-sure-{width}")

    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    checker.check_reflow_and_focus(f"zoom-request-form-errors-{width}")
    context.close()
    # Chromium logs the status of the form sent back with its errors; nothing else.
    checker.console_errors = [e for e in checker.console_errors if "status of 400" not in e]
    checker.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_partner_pages_at_200_percent_text(
    browser: Browser, live_server: LiveServer, width: int
) -> None:
    build_demo_practice()
    ensure_consent_documents()
    couple = next(c for c in Couple.objects.all() if c.label == "Haddad & Moreau")
    sami = couple.partners.get(role="A")
    assessments.schedule_instrument(couple.primary_clinician, couple.id, "GAD-7")
    triggers = ShelfPage.objects.get(clinic=couple.clinic, starter_key="4-how-triggers-work")
    shelf_actions.assign_page(couple.primary_clinician, couple.id, triggers.id, "A")
    _, token = make_link(sami, couple.primary_clinician)
    base = live_server.url
    context, page, checker = phone_with_large_text(browser, live_server, width)

    page.goto(f"{base}/p/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your space")
    checker.check_reflow_and_focus(f"zoom-partner-home-{width}")

    page.get_by_role("link", name="Your check-ins over time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your check-ins over time")
    checker.check_reflow_and_focus(f"zoom-partner-progress-{width}")

    page.get_by_role("link", name="Back to your space").click()
    page.get_by_role("link", name="A copy of your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    checker.check_reflow_and_focus(f"zoom-partner-data-{width}")

    page.get_by_role("link", name="Back to your space").click()
    page.get_by_role("link", name="Read it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reading")
    checker.check_reflow_and_focus(f"zoom-partner-reading-{width}")
    page.get_by_role("link", name=triggers.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(triggers.title)
    checker.check_reflow_and_focus(f"zoom-partner-reading-page-{width}")

    page.goto(f"{base}/me/")
    page.locator("a[href*='/me/agreements/']").first.click()
    expect(page.get_by_role("button", name="I agree")).to_be_visible()
    checker.check_reflow_and_focus(f"zoom-partner-agreement-{width}")

    page.goto(f"{base}/me/")
    page.get_by_role("link", name="Check-in 1 of 1").click()
    expect(page).to_have_title("Check-in 1 of 1 · Rebond")
    checker.check_reflow_and_focus(f"zoom-partner-checkin-{width}")
    # Finishing with questions unanswered: the page comes back saying so, with focus on it.
    page.get_by_role("button", name="Finish", exact=True).click()
    expect(page).to_have_title("Error: Check-in 1 of 1 · Rebond")
    expect(page.locator(".checkin-notice")).to_be_focused()
    checker.check_reflow_and_focus(f"zoom-partner-checkin-unanswered-{width}")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have left your space")
    checker.check_reflow_and_focus(f"zoom-partner-left-{width}")
    context.close()
    checker.assert_clean()


def test_the_safety_settings_page_reflows_at_320_px_and_200_percent_text(
    browser: Browser, live_server: LiveServer
) -> None:
    build_demo_practice()
    base = live_server.url
    context, page, checker = phone_with_large_text(browser, live_server, 320)
    log_in(page, base, "supervisor@demo.rebond.test", DEMO_PASSWORD)
    page.goto(f"{base}/settings/safety/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    checker.check_reflow("zoom-safety-settings-320")
    context.close()
    checker.assert_clean()
