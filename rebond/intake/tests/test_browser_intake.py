"""In Chromium, on a phone: an anonymous visitor asks for a consultation, says they are not
sure they are safe and sees crisis resources at once; the therapist finds the request in the
inbox and opens a case from it. Every page passes axe-core, logs no console or CSP error and
requests nothing from another origin (the quick-exit link points elsewhere but is not followed).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from rebond.couples.models import Couple
from rebond.demo.practice import DEMO_CLINIC_SLUG, DEMO_PASSWORD, build_demo_practice
from rebond.intake.models import ConsultationRequest
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    yield page
    context.close()


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_a_request_becomes_a_case_on_a_phone(phone: Page, live_server: LiveServer) -> None:
    build_demo_practice()
    base = live_server.url
    page = phone
    checker = PageChecker(page, base)

    # An anonymous visitor opens the clinic's public page.
    page.goto(f"{base}/c/{DEMO_CLINIC_SLUG}/request/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a consultation")
    expect(page.get_by_role("link", name="Leave this site quickly")).to_be_visible()
    expect(page.get_by_text("National Domestic Abuse Helpline")).to_be_hidden()
    checker.check("intake-request-form")
    no_sideways_scroll(page)

    page.get_by_label("What should we call you?").fill("Casey")
    page.get_by_role("radio", name="E-mail").check()
    page.get_by_label("Phone number or e-mail address").fill("casey@example.test")
    page.get_by_label("When is it safe to contact you?").fill("Mornings before 11")
    page.get_by_role("group", name="May we leave a message").get_by_role("radio", name="No").check()
    page.get_by_role("checkbox", name="An affair, sexual or emotional").check()
    safety = page.get_by_role("group", name="Do you feel safe at home right now?")
    safety.get_by_role("radio", name="Not sure").check()
    # The crisis resources appear at once, without a round trip.
    expect(page.get_by_role("heading", name="If you are not safe right now")).to_be_visible()
    expect(page.get_by_role("link", name="0808 2000 247")).to_be_visible()
    checker.check("intake-request-form-not-sure")
    safety.get_by_role("radio", name="Yes").check()
    expect(page.get_by_role("link", name="0808 2000 247")).to_be_hidden()
    safety.get_by_role("radio", name="Not sure").check()

    page.get_by_role("checkbox", name="I agree that the practice may contact me").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("link", name="116 123")).to_be_visible()
    checker.check("intake-request-sent")
    no_sideways_scroll(page)

    request = next(r for r in ConsultationRequest.objects.all() if r.name == "Casey")
    assert request.feels_safe == ConsultationRequest.FeelsSafe.NOT_SURE
    assert request.contact_method == "email"
    assert any("/inbox/" in m.body and "Casey" not in m.body for m in mail.outbox)

    # The therapist logs in and finds the request.
    log_in(page, base, "therapist@demo.rebond.test", DEMO_PASSWORD)
    inbox_link = page.get_by_role("link", name="Inbox 3 new")
    expect(inbox_link).to_be_visible()
    inbox_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    checker.check("intake-inbox-phone")
    no_sideways_scroll(page)

    page.get_by_role("link", name="Casey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey")
    expect(page.get_by_text("They did not say they feel safe at home")).to_be_visible()
    checker.check("intake-request-detail-phone")
    no_sideways_scroll(page)

    page.get_by_role("link", name="Open a case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a case")
    expect(page.get_by_label("Partner A: display name")).to_have_value("Casey")
    page.get_by_label("Case label").fill("Casey & Jordan")
    page.get_by_label("Partner B: display name").fill("Jordan")
    checker.check("intake-convert-phone")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Open the case").click()

    couple = next(c for c in Couple.objects.all() if c.label == "Casey & Jordan")
    expect(page).to_have_url(f"{base}/cases/{couple.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey & Jordan")
    checker.check("intake-case-from-request-phone")
    no_sideways_scroll(page)

    # Each partner is invited separately, only through a channel marked safe: Casey gave an
    # e-mail address as her safe way to be reached; Jordan has no channel at all yet.
    mail.outbox.clear()
    page.get_by_role("button", name="Send a private link to Casey").click()
    expect(page.get_by_role("status")).to_contain_text("An invitation is on its way to Casey")
    assert [m.to for m in mail.outbox] == [["casey@example.test"]]
    assert "/p/" in str(mail.outbox[0].body)
    assert "Jordan" not in str(mail.outbox[0].body)
    page.get_by_role("button", name="Send a private link to Jordan").click()
    expect(page.get_by_text("Nothing was sent: Jordan has no e-mail address")).to_be_visible()
    assert len(mail.outbox) == 1  # Jordan received nothing
    checker.check("intake-case-invites-phone")
    checker.assert_clean()


def test_the_quick_exit_leaves_and_replaces_the_page_in_the_history(
    browser: Browser, live_server: LiveServer
) -> None:
    build_demo_practice()
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    # Stand in for the neutral site: nothing leaves this machine.
    context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>Weather</p>"),
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/c/{DEMO_CLINIC_SLUG}/request/")
    page.get_by_role("link", name="Leave this site quickly").click()
    expect(page).to_have_url("https://www.bbc.co.uk/weather")
    page.go_back()
    # The request page was replaced: Back goes to what came before it.
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    context.close()


def test_escape_twice_leaves_too_and_the_quick_exit_is_the_second_tab_stop(
    browser: Browser, live_server: LiveServer
) -> None:
    build_demo_practice()
    context = browser.new_context(viewport={"width": 1000, "height": 700})

    def neutral(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body="<p>Weather</p>")

    context.route("https://www.bbc.co.uk/**", neutral)
    page = context.new_page()
    page.goto(f"{live_server.url}/c/{DEMO_CLINIC_SLUG}/request/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Leave this site quickly")).to_be_focused()
    page.get_by_label("What should we call you?").fill("Someone")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(page).to_have_url("https://www.bbc.co.uk/weather")
    context.close()


def test_the_form_with_errors_passes_axe_on_a_phone(phone: Page, live_server: LiveServer) -> None:
    build_demo_practice()
    checker = PageChecker(phone, live_server.url)
    phone.goto(f"{live_server.url}/c/{DEMO_CLINIC_SLUG}/request/")
    phone.get_by_label("What should we call you?").fill("Casey")
    phone.get_by_role("button", name="Send request").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_contain_text("Choose a safe way for us to reach you.")
    expect(summary).to_be_focused()
    expect(phone.get_by_label("What should we call you?")).to_have_value("Casey")
    checker.check("intake-request-form-errors-phone")
    no_sideways_scroll(phone)
    assert checker.axe_violations == {}
    assert checker.foreign_requests == []
    # The only console line is Chromium noting the 400 status of the re-rendered form.
    assert all("status of 400" in line for line in checker.console_errors), checker.console_errors
