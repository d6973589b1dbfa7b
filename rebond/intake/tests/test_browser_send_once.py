"""In Chromium on a phone (issue 15 C13): someone fills in the request form, sends it, taps
"Leave this site" and presses Back: the form is there again, empty. Reloading the receipt and
going Back and Forward after sending still leaves exactly one request. A page restored from
the back-forward cache is emptied by request-form.js before it shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.demo.practice import DEMO_CLINIC_SLUG, build_demo_practice
from rebond.intake.models import ConsultationRequest
from rebond.tests.browser import PageChecker
from rebond.tests.figures import Figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Casey"
WORDS = "He reads my messages at night"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    # Stand in for the neutral site: nothing leaves this machine.
    context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>Weather</p>"),
    )
    yield context
    context.close()


def fill_in(page: Page) -> None:
    page.get_by_label("What should we call you?").fill(NAME)
    page.get_by_role("radio", name="Text message").check()
    page.get_by_label("Phone number or e-mail address").fill("+44 7700 900123")
    page.get_by_role("group", name="May we leave a message").get_by_role("radio", name="No").check()
    page.get_by_label("Anything else you would like us to know").fill(WORDS)
    safety = page.get_by_role("group", name="Do you feel safe at home right now?")
    safety.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("checkbox", name="I agree that the practice may contact me").check()


def expect_empty_form(page: Page, form_url: str) -> None:
    expect(page).to_have_url(form_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a consultation")
    expect(page.get_by_label("What should we call you?")).to_have_value("")
    expect(page.get_by_label("Phone number or e-mail address")).to_have_value("")
    expect(page.get_by_label("Anything else you would like us to know")).to_have_value("")
    expect(page.locator("input[type=radio]:checked, input[type=checkbox]:checked")).to_have_count(0)
    expect(page.get_by_role("link", name="0808 2000 247")).to_be_hidden()
    assert NAME not in page.content()
    assert WORDS not in page.content()


def send(page: Page, form_url: str) -> None:
    page.goto(form_url)
    fill_in(page)
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("link", name="0808 2000 247")).to_be_visible()  # Said "No".


def test_send_leave_back_shows_an_empty_form(
    context: BrowserContext, live_server: LiveServer
) -> None:
    build_demo_practice()
    before = ConsultationRequest.objects.count()
    base = live_server.url
    form_url = f"{base}/c/{DEMO_CLINIC_SLUG}/request/"
    page = context.new_page()
    checker = PageChecker(page, base)
    send(page, form_url)
    checker.check("intake-sent-receipt-phone")

    page.get_by_role("link", name="Leave this site quickly").click()
    expect(page).to_have_url("https://www.bbc.co.uk/weather")
    page.go_back()
    expect_empty_form(page, form_url)
    checker.check("intake-back-after-leaving-phone")
    # Forward and Back once more: still nothing.
    page.go_forward()
    expect(page).to_have_url("https://www.bbc.co.uk/weather")
    page.go_back()
    expect_empty_form(page, form_url)

    assert ConsultationRequest.objects.count() == before + 1
    assert checker.axe_violations == {}
    assert checker.console_errors == []
    assert [url for url in checker.foreign_requests if "bbc.co.uk" not in url] == []


def test_reload_and_back_forward_after_sending_keep_one_request(
    context: BrowserContext, live_server: LiveServer, figures: Figures
) -> None:
    build_demo_practice()
    before = ConsultationRequest.objects.count()
    base = live_server.url
    form_url = f"{base}/c/{DEMO_CLINIC_SLUG}/request/"
    page = context.new_page()
    send(page, form_url)
    for _ in range(2):
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
        page.go_back()
        expect_empty_form(page, form_url)
        page.go_forward()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    requests = ConsultationRequest.objects.count() - before
    figures.record("C13 request form", "requests after send, 2 x (reload, Back, Forward)", requests)
    assert requests == 1


def test_a_page_restored_from_the_back_forward_cache_is_emptied_with_a_new_key(
    context: BrowserContext, live_server: LiveServer
) -> None:
    build_demo_practice()
    form_url = f"{live_server.url}/c/{DEMO_CLINIC_SLUG}/request/"
    page = context.new_page()
    page.goto(form_url)
    fill_in(page)
    expect(page.get_by_role("link", name="0808 2000 247")).to_be_visible()
    key = page.locator("[data-submission-key]").input_value()
    # What Chromium fires when it restores a page from its back-forward cache. (Chromium keeps
    # no-store pages out of that cache, so a real restore is what other browsers do.)
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect_empty_form(page, form_url)
    new_key = page.locator("[data-submission-key]").input_value()
    assert new_key != key
    assert len(new_key) == 48
    # A page shown normally (not restored) is left alone.
    page.get_by_label("What should we call you?").fill(NAME)
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: false}))")
    expect(page.get_by_label("What should we call you?")).to_have_value(NAME)
