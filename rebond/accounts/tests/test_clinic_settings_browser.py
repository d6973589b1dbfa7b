"""In Chromium: a clinic admin changes the time zone and the request page's introduction, then
closes the page; the public request page follows each change. Every page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic
from rebond.test import PASSWORD, make_clinician
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTRO = "We are a small practice by the harbour.\n\nWe answer every request within two days."


def test_an_admin_sets_the_time_zone_and_introduction_and_the_public_page_follows(
    browser: Browser, live_server: LiveServer, clinic_a: Clinic
) -> None:
    base = live_server.url
    admin = make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, admin.email, PASSWORD)
    page.get_by_role("link", name="Clinic settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic settings")
    expect(page.get_by_label("Time zone")).to_have_value("UTC")
    checker.check("clinic-settings")

    # A zone spelt wrong: said clearly, at the top and by the field, and nothing typed is lost.
    page.get_by_label("Introduction on the request page (optional)").fill(INTRO)
    page.get_by_label("Time zone").fill("Australia/Sidney")
    page.get_by_role("button", name="Save clinic settings").click()
    expect(page).to_have_title("Error: Clinic settings · Rebond")
    expect(page.get_by_role("alert")).to_contain_text("Did you mean Australia/Sydney?")
    expect(page.get_by_label("Introduction on the request page (optional)")).to_have_value(INTRO)
    # The refusal is a 422 page, which Chromium logs; that line, and only it, is expected.
    checker.console_errors = [e for e in checker.console_errors if "422" not in e]
    checker.check("clinic-settings-refused")

    # The field suggests from every zone the server knows (a datalist of IANA names).
    zones = page.locator("datalist#time-zone-names option")
    assert zones.count() > 300
    expect(page.locator('datalist#time-zone-names option[value="Australia/Sydney"]')).to_have_count(
        1
    )
    page.get_by_label("Time zone").fill("Australia/Sydney")
    page.get_by_role("button", name="Save clinic settings").click()
    expect(page.get_by_text("Clinic settings saved (introduction, time zone).")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("Australia/Sydney")
    expect(page.locator("#clinic-clock")).to_contain_text("(Australia/Sydney)")
    checker.check("clinic-settings-saved")

    # The public page, as a visitor sees it: the clinic's words, then the form.
    public = browser.new_context(viewport={"width": 390, "height": 844})
    visitor = public.new_page()
    visitor_checker = PageChecker(visitor, base)
    visitor.goto(f"{base}/c/{clinic_a.slug}/request/")
    expect(visitor.get_by_text("We are a small practice by the harbour.")).to_be_visible()
    expect(visitor.get_by_role("button", name="Send request")).to_be_visible()
    visitor_checker.check_reflow_and_focus("clinic-request-page-with-introduction")

    # Closed: the page says so, and shows nothing else.
    page.get_by_label("Closed: the page only says that you do not take requests online").check()
    page.get_by_role("button", name="Save clinic settings").click()
    expect(page.get_by_text("Clinic settings saved (public request page).")).to_be_visible()
    visitor.reload()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Requests are not taken online")
    expect(
        visitor.get_by_text("Clinic A does not take consultation requests online.")
    ).to_be_visible()
    expect(visitor.get_by_text("We are a small practice by the harbour.")).to_have_count(0)
    expect(visitor.locator("form")).to_have_count(0)
    visitor_checker.check_reflow_and_focus("clinic-request-page-closed")

    checker.assert_clean()
    visitor_checker.assert_clean()
    context.close()
    public.close()


def test_the_settings_page_reflows_at_320_px_and_200_percent_text(
    browser: Browser, live_server: LiveServer, clinic_a: Clinic
) -> None:
    base = live_server.url
    admin = make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    context = browser.new_context(
        viewport={"width": 320, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    checker = PageChecker(page, base, text_percent=200)
    log_in(page, base, admin.email, PASSWORD)
    page.goto(f"{base}/settings/clinic/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic settings")
    checker.check_reflow("clinic-settings-320")
    checker.assert_clean()
    context.close()
