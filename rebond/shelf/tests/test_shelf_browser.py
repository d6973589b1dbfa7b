"""At a phone's size: the therapist gives a starter page to partner A and another to both from
the case page; partner A opens their space, sees the link to their reading, opens the page
given to them alone and reads it; partner B sees only the page given to both. Every page is
checked for CSP, axe-core, other origins and reflow (rebond/tests/browser.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from rebond.couples.models import Partner
from rebond.portal.tests.conftest import make_link
from rebond.shelf import actions
from rebond.shelf.models import PageAssignment
from rebond.test import PASSWORD, make_clinic, make_clinician, make_couple
from rebond.tests.browser import SCREENSHOTS, PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
TRIGGERS = "How triggers work, and what can help"
HEALING = "Why healing takes time"


def phone(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)


def test_a_partner_reads_the_page_given_to_them_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    clinic = make_clinic("Practice", timezone="Europe/Madrid")
    therapist = make_clinician(clinic, "Tess Therapist", email="tess.shelf@example.test")
    couple = make_couple(
        therapist, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"), status="conjoint_active"
    )
    actions.install_starter_pages(clinic)
    dana = couple.partners.get(role=Partner.Role.A)
    sam = couple.partners.get(role=Partner.Role.B)
    base = live_server.url

    # The therapist gives two pages from the case page.
    context = phone(browser)
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, therapist.email, PASSWORD)
    page.goto(f"{base}/cases/{couple.id}/")
    section = page.locator("#reading")
    expect(section).to_contain_text("No page given on this case.")
    for title, to in ((TRIGGERS, "Dana Rivera"), (HEALING, "Both")):
        section.get_by_text("Give a page to read").click()
        section.get_by_label("Page").select_option(label=title)
        section.get_by_label(to).check()
        section.get_by_role("button", name="Give it").click()
        expect(page.locator("#reading .saved")).to_contain_text(title)
        section = page.locator("#reading")
    expect(section).to_contain_text("For Dana Rivera only")
    expect(section).to_contain_text("For both partners")
    checker.check("shelf-case-section-phone")
    section.screenshot(path=str(SCREENSHOTS / "shelf-case-section-phone.png"))
    context.close()

    # Partner A: the link on their space, their list, the page.
    context = phone(browser)
    page = context.new_page()
    checker = PageChecker(page, base)
    _, token = make_link(dana, therapist)
    page.goto(f"{base}/p/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your space")
    page.get_by_role("link", name="Read them").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reading")
    expect(page.get_by_role("listitem")).to_have_count(2)
    checker.check_reflow_and_focus("shelf-my-reading-phone")
    page.get_by_role("link", name=TRIGGERS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TRIGGERS)
    expect(page.get_by_role("heading", level=2, name="Sources")).to_be_visible()
    expect(page).to_have_title("Your space \u00b7 Rebond")
    checker.check_reflow_and_focus("shelf-my-reading-page-phone")
    page.screenshot(path=str(SCREENSHOTS / "shelf-my-reading-page-phone.png"))
    checker.assert_clean()
    context.close()
    given = PageAssignment.objects.get(couple=couple, partner=dana)
    assert given.first_read_at is not None

    # Partner B: only the page given to both.
    context = phone(browser)
    page = context.new_page()
    _, token = make_link(sam, therapist)
    page.goto(f"{base}/p/{token}/")
    page.get_by_role("link", name="Read it").click()
    expect(page.get_by_role("listitem")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(HEALING)
    expect(page.locator("main")).not_to_contain_text(TRIGGERS)
    response = page.goto(f"{base}/me/reading/{given.id}/")
    assert response is not None
    assert response.status == 404
    context.close()
