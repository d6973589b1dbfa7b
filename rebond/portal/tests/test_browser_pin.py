"""In Chromium on a phone: a partner whose links need a PIN opens their link, gets a wrong PIN
refused with a clear message, then enters the right one and lands in their space. The token is
gone from the address from the first redirect on; every page passes axe-core, logs no console
error and requests nothing foreign."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import User
from rebond.couples.models import Partner
from rebond.portal import actions
from rebond.portal.tests.conftest import ensure_consent_documents, make_link
from rebond.test import make_couple
from rebond.tests.browser import PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_partner_enters_their_pin_on_a_phone(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    base = live_server.url
    ensure_consent_documents()
    couple = make_couple(alice, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"))
    dana = couple.partners.get(role=Partner.Role.A)
    actions.set_link_pin(alice, dana.id, "2468")
    _, token = make_link(dana, alice)

    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    checker = PageChecker(page, base)
    page.goto(f"{base}/p/{token}/")
    assert page.url == f"{base}/me/pin/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your PIN")
    checker.check("pin-phone")

    page.get_by_label("Your PIN", exact=True).fill("1111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".field-error")).to_contain_text("That PIN is not right. 4 tries left")
    checker.check("pin-phone-wrong")

    page.get_by_label("Your PIN", exact=True).fill("2468")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your space")
    assert page.url == f"{base}/me/"
    assert token not in page.content()
    checker.check("pin-phone-space")
    context.close()
    assert checker.axe_violations == {}
    assert checker.foreign_requests == []
    # The only console line is Chromium noting the 400 status of the wrong PIN's page: no CSP
    # violation, no script error.
    assert len(checker.console_errors) == 1, checker.console_errors
    assert "/me/pin/" in checker.console_errors[0]
    assert "status of 400" in checker.console_errors[0]
