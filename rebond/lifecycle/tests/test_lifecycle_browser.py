"""In Chromium: a clinic admin sets the retention policy, sees the cases due, and asks for one
partner's data to be erased; axe checks every page."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils.timezone import now
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic, User
from rebond.couples.models import CaseTransition, Couple
from rebond.test import PASSWORD, make_clinician, make_couple
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def closed_long_ago(alice: User, label: str, at: datetime) -> Couple:
    couple = make_couple(alice, label, status=Couple.Status.CLOSED)
    CaseTransition.objects.create(couple=couple, from_status="referred", to_status="closed", at=at)
    return couple


def test_retention_policy_cases_due_and_an_erasure_request(
    browser: Browser, live_server: LiveServer, clinic_a: Clinic, alice: User
) -> None:
    base = live_server.url
    old = closed_long_ago(alice, "Old case", now() - timedelta(days=365 * 3))
    admin = make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, admin.email, PASSWORD)

    page.get_by_role("link", name="Retention").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention of closed cases")
    expect(page.get_by_label("Kept indefinitely (nothing is erased)")).to_be_checked()
    checker.check("retention-policy")
    page.get_by_label("Erased after a number of years").check()
    page.get_by_label("Years to keep a case after it is closed").fill("2")
    page.get_by_role("button", name="Save retention policy").click()
    expect(page.get_by_text("Retention policy saved.")).to_be_visible()
    expect(page.get_by_text("erased 2 years after they were closed")).to_be_visible()

    page.get_by_role("link", name="Cases due and erasure requests").click()
    # Due by its years, erased only once the 30 days' notice of the new period have passed.
    expect(page.get_by_role("cell", name=old.reference)).to_be_visible()
    expect(page.get_by_text("Old case")).to_have_count(0)
    checker.check("retention-due")

    partner = old.partners.get(role="A")
    page.goto(f"{base}/cases/{old.id}/partners/{partner.id}/erasure/")
    expect(
        page.get_by_role("heading", name="What the law may still require to be kept")
    ).to_be_visible()
    page.get_by_label("The person asked for their data to be erased").check()
    page.get_by_label("I checked that the law does not require").check()
    page.get_by_role("button", name="Ask for erasure").click()
    expect(page.get_by_text("a second person must approve it")).to_be_visible()
    expect(page.get_by_text("Someone other than you must approve it.")).to_be_visible()
    checker.check("partner-erasure-pending")
    checker.assert_clean()
    context.close()
