"""In Chromium on a phone: a partner sets their channel's message window in their space, and
a clinician adds a channel with a window on the case page. Half a window is refused beside
its field with what was typed kept; every page passes axe-core (issue 18)."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import User
from rebond.couples import actions as couple_actions
from rebond.couples.actions import ChannelDraft
from rebond.couples.models import ContactChannel, Partner
from rebond.portal.tests.conftest import ensure_consent_documents, make_link
from rebond.test import make_couple, sign_in
from rebond.tests.browser import SCREENSHOTS, PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENSHOTS / "channels"


def expected_refusal_only(checker: PageChecker, status: int) -> None:
    """Drop the console's note of the refusal the test provoked; keep every other error."""
    refused = f"status of {status} "
    checker.console_errors[:] = [e for e in checker.console_errors if refused not in e]


def phone(browser: Browser) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )


def test_a_partner_sets_an_overnight_window_on_a_phone(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    base = live_server.url
    ensure_consent_documents()
    couple = make_couple(alice, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"))
    dana = couple.partners.get(role=Partner.Role.A)
    email = couple_actions.add_contact_channel(
        alice,
        dana.id,
        ChannelDraft(kind="email", value="dana@example.test", safe_to_contact=True),
    )
    _, token = make_link(dana, alice)
    context = phone(browser)
    page = context.new_page()
    checker = PageChecker(page, base)
    page.goto(f"{base}/p/{token}/")
    expect(page).to_have_url(f"{base}/me/")
    page.get_by_label("From", exact=True).fill("21:00")
    page.get_by_label("Messages may say they come from Clinic A").check()
    page.get_by_role("button", name="Save safe times").click()
    error = page.locator(f"#hours-{email.id}-safe_until-error")
    expect(error).to_contain_text("Give the time until which a message is safe too")
    expect(page.get_by_label("From", exact=True)).to_have_value("21:00")
    expect(page.get_by_label("Messages may say they come from Clinic A")).to_be_checked()
    checker.check_reflow("portal-channel-window-error")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".portal-channel").first.screenshot(path=str(SHOTS / "partner-error.png"))
    page.get_by_label("Until", exact=True).fill("07:00")
    page.get_by_role("button", name="Save safe times").click()
    expect(page.get_by_text("Your safe times are saved.")).to_be_visible()
    expect(page.get_by_label("Until", exact=True)).to_have_value("07:00")
    checker.check("portal-channel-window-saved")
    page.locator(".portal-channel").first.screenshot(path=str(SHOTS / "partner-saved.png"))
    expected_refusal_only(checker, 400)
    checker.assert_clean()
    context.close()
    email.refresh_from_db()
    assert (str(email.safe_from), str(email.safe_until)) == ("21:00:00", "07:00:00")
    assert email.may_mention_therapy is True


def test_a_clinician_adds_a_channel_with_a_window_on_a_phone(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    base = live_server.url
    ensure_consent_documents()
    couple = make_couple(alice, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"))
    context = phone(browser)
    client = Client()
    sign_in(client, alice)
    cookie = client.cookies["rebond-session"].value
    context.add_cookies([{"name": "rebond-session", "value": cookie, "url": base}])
    page = context.new_page()
    checker = PageChecker(page, base)
    page.goto(f"{base}/cases/{couple.id}/")
    card = page.locator("#partner-A")
    card.get_by_text("Add a contact channel").click()
    form = card.locator("form", has=page.get_by_role("button", name="Add the channel"))
    form.get_by_label("Address or number").fill("dana@example.test")
    form.get_by_label("Until", exact=True).fill("07:00")
    form.get_by_role("button", name="Add the channel").click()
    error = page.locator("#id_partner-A-channel-safe_from-error")
    expect(error).to_contain_text("Give the time from which a message is safe too")
    form = page.locator("#partner-A form", has=page.get_by_role("button", name="Add the channel"))
    expect(form.get_by_label("Until", exact=True)).to_have_value("07:00")
    expect(form.get_by_label("Address or number")).to_have_value("dana@example.test")
    checker.check_reflow("case-channel-window-error")
    SHOTS.mkdir(parents=True, exist_ok=True)
    form.screenshot(path=str(SHOTS / "case-error.png"))
    form.get_by_label("From", exact=True).fill("21:00")
    form.get_by_role("button", name="Add the channel").click()
    expect(
        page.locator("#partner-A").get_by_text("Messages between 21:00 and 07:00")
    ).to_be_visible()
    checker.check("case-channel-window-saved")
    page.locator("#partner-A .channels").screenshot(path=str(SHOTS / "case-saved.png"))
    expected_refusal_only(checker, 422)
    checker.assert_clean()
    context.close()
    channel = ContactChannel.objects.get()
    assert (str(channel.safe_from), str(channel.safe_until)) == ("21:00:00", "07:00:00")
