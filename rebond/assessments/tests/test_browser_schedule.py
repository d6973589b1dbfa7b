"""In Chromium on a phone: the clinic admin's Check-in settings page and the case's check-ins
page with its set buttons, own-schedule form and PIN forms pass axe-core, log no console error
and request nothing foreign."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic, User
from rebond.portal import actions as portal_actions
from rebond.test import make_clinician, make_couple, sign_in
from rebond.tests.browser import PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_schedule_pages_on_a_phone(
    browser: Browser, live_server: LiveServer, alice: User, clinic_a: Clinic
) -> None:
    base = live_server.url
    alice.is_clinic_admin = True
    alice.save(update_fields=["is_clinic_admin"])
    make_clinician(clinic_a, "Other Therapist")
    couple = make_couple(alice, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"))
    portal_actions.set_link_pin(alice, couple.partners.get(role="A").id, "2468")
    client = Client()
    sign_in(client, alice)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    context.add_cookies(
        [{"name": "rebond-session", "value": client.cookies["rebond-session"].value, "url": base}]
    )
    page = context.new_page()
    checker = PageChecker(page, base)
    page.goto(f"{base}/settings/schedule/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in settings")
    checker.check("schedule-settings-phone")
    page.goto(f"{base}/cases/{couple.id}/checkins/")
    page.locator("#schedule-sets summary").click()
    checker.check("case-checkins-sets-phone")
    page.get_by_role("button", name="Schedule the Intake set").click()
    expect(page.locator(".messages")).to_contain_text("Intake set scheduled")
    checker.check("case-checkins-intake-scheduled-phone")
    context.close()
    checker.assert_clean()
