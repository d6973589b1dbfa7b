"""In Chromium, two independent browsers (issue 15 A2): Dana opens her link on her phone; the
same link opened in a second browser gets a calm page with nothing of Dana's on it; Dana's
phone then tells her that her link was opened elsewhere, and when. With the PIN Dana chooses
at first use, the second browser gets in after the PIN. Every page passes axe-core, logs no
unexpected console error and requests nothing foreign; screenshots land in var/screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import User
from rebond.couples.models import Partner
from rebond.portal.models import LinkOpenedElsewhere, LinkPin
from rebond.portal.tests.conftest import ensure_consent_documents, make_link
from rebond.test import make_couple
from rebond.tests.browser import PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser: Browser) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )


def test_a_second_browser_gets_a_calm_page_and_the_partner_is_told(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    base = live_server.url
    ensure_consent_documents()
    couple = make_couple(alice, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"))
    dana = couple.partners.get(role=Partner.Role.A)
    _, token = make_link(dana, alice)

    own = phone(browser)
    page = own.new_page()
    checker = PageChecker(page, base)
    page.goto(f"{base}/p/{token}/")
    expect(page).to_have_url(f"{base}/me/")
    expect(page.get_by_role("heading", name="Keep your space yours: choose a PIN")).to_be_visible()
    checker.check("one-browser-first-use-offer")

    other = browser.new_context(viewport={"width": 1200, "height": 800})
    stranger = other.new_page()
    stranger_checker = PageChecker(stranger, base)
    stranger.goto(f"{base}/p/{token}/")
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    body = stranger.content()
    for secret in ("Dana", "Rivera", "Chen", alice.display_name, str(alice.clinic)):
        assert secret not in body, secret
    stranger_checker.check("one-browser-calm-page")
    stranger.goto(f"{base}/me/")
    expect(stranger.get_by_role("heading", level=1)).to_have_text(
        "This link has expired or is not valid"
    )
    other.close()

    # Dana's next visit, in her own browser: she is told, with when.
    page.goto(f"{base}/p/{token}/")
    expect(page).to_have_url(f"{base}/me/")
    notice = page.get_by_role("region", name="Your link was opened in another browser")
    expect(notice).to_be_visible()
    expect(notice.locator("time")).to_have_count(1)
    checker.check("one-browser-notice")
    notice.get_by_role("button", name="I have read this").click()
    expect(
        page.get_by_role("heading", name="Your link was opened in another browser")
    ).to_have_count(0)
    own.close()

    assert LinkOpenedElsewhere.objects.get().seen_at is not None
    assert checker.axe_violations == {}
    assert stranger_checker.axe_violations == {}
    assert checker.foreign_requests == stranger_checker.foreign_requests == []
    assert checker.console_errors == []
    # The only console lines are Chromium noting the statuses of the two refusals.
    assert len(stranger_checker.console_errors) == 2, stranger_checker.console_errors
    assert "status of 403" in stranger_checker.console_errors[0]
    assert "status of 404" in stranger_checker.console_errors[1]


def test_with_the_pin_chosen_at_first_use_a_second_browser_gets_in(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    base = live_server.url
    ensure_consent_documents()
    couple = make_couple(alice, "Okafor & Lind", partners=("Ada Okafor", "Eli Lind"))
    ada = couple.partners.get(role=Partner.Role.A)
    _, token = make_link(ada, alice)

    own = phone(browser)
    page = own.new_page()
    checker = PageChecker(page, base)
    page.goto(f"{base}/p/{token}/")
    page.get_by_label("Choose a PIN", exact=True).fill("2468")
    page.get_by_label("Type the same PIN again").fill("2468")
    page.get_by_role("button", name="Save my PIN").click()
    expect(page.get_by_role("status")).to_contain_text("Your PIN is saved")
    expect(page.get_by_label("Choose a PIN", exact=True)).to_have_count(0)
    checker.check("one-browser-pin-chosen")
    assert LinkPin.objects.get(partner=ada).set_by is None

    other = phone(browser)
    second = other.new_page()
    second_checker = PageChecker(second, base)
    second.goto(f"{base}/p/{token}/")
    expect(second).to_have_url(f"{base}/me/pin/")
    second.get_by_label("Your PIN", exact=True).fill("2468")
    second.get_by_role("button", name="Continue").click()
    expect(second.get_by_role("heading", level=1)).to_have_text("Your space")
    # The browser that only borrowed the link with the PIN is not the one told about it.
    expect(second.get_by_text("Your link was opened in another browser")).to_have_count(0)
    second_checker.check("one-browser-pin-second-browser")
    other.close()

    page.goto(f"{base}/me/")
    expect(page.get_by_text("Your link was opened in another browser")).to_be_visible()
    own.close()
    checker.assert_clean()
    second_checker.assert_clean()
