"""In Chromium: a long unbroken case label wraps (no sideways scroll, WCAG 1.4.10 reflow), and
a renamed case shows its new label at once in the heading, the breadcrumb and the window title."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.couples.models import Couple
from rebond.demo.practice import DEMO_PASSWORD, build_demo_practice
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_LABEL = "Reyes&Bauer-" + "x" * 100  # 112 characters, no break opportunity


def test_a_long_label_wraps_and_a_renamed_case_updates_heading_and_title(
    browser: Browser, live_server: LiveServer
) -> None:
    build_demo_practice()
    couple = next(c for c in Couple.objects.all() if c.label == "Reyes & Bauer")
    context = browser.new_context(viewport={"width": 320, "height": 740}, is_mobile=True)
    page = context.new_page()
    base = live_server.url
    checker = PageChecker(page, base)
    log_in(page, base, "therapist@demo.rebond.test", DEMO_PASSWORD)
    page.goto(f"{base}/cases/{couple.id}/")

    details = page.locator("#details")
    details.get_by_text("Edit case details").click()
    details.get_by_label("Label").fill(LONG_LABEL)
    details.get_by_role("button", name="Save case details").click()
    expect(details.get_by_role("status")).to_have_text("Case details saved.")
    # Without reloading: the heading, the breadcrumb and the window title follow.
    expect(page.get_by_role("heading", level=1)).to_have_text(LONG_LABEL)
    expect(page.locator(".breadcrumbs [aria-current=page]")).to_have_text(LONG_LABEL)
    expect(page).to_have_title(f"{LONG_LABEL} · Rebond")
    checker.check("case-long-label-320")

    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls {overflow}px sideways at 320px"
    page.goto(f"{base}/cases/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the caseload scrolls {overflow}px sideways at 320px"
    checker.check("caseload-long-label-320")
    checker.assert_clean()
    context.close()
