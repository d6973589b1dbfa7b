"""In Chromium: the primary clinician adds a co-therapist from the case page's "Case team"
section, hands the case over (a missing note is an error first, nothing lost), and stays on as
a co-therapist; the clinic admin, who is on no case, finds the case's team from the list of
case teams, sees names and roles only, and takes the old primary off the team: their next
click on the case is refused. Every page passes axe-core with 0 violations, with no console
or CSP error and no request to another origin; screenshots go to var/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import User
from rebond.couples.models import Couple, TeamChange
from rebond.couples.tests.helpers import case_with_everything
from rebond.test import PASSWORD, ensure_totp_device, make_clinic, make_clinician
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Sam prefers evening sessions. The safety plan was reviewed on Monday."


def practice() -> tuple[User, User, User, Couple]:
    """Alice's case at a clinic with Bob (therapist), Sue (supervisor) and Ada (admin only)."""
    clinic = make_clinic("Harbour Practice", timezone="Europe/London")
    alice = make_clinician(clinic, "Alice Therapist")
    bob = make_clinician(clinic, "Bob Colleague")
    sue = make_clinician(clinic, "Sue Supervisor", is_supervisor=True)
    ada = make_clinician(clinic, "Ada Admin", is_therapist=False, is_clinic_admin=True)
    for clinician in (alice, bob, sue, ada):
        ensure_totp_device(clinician)
    return alice, bob, ada, case_with_everything(alice)


def new_page(browser: Browser, width: int) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 400 else 740}, is_mobile=width < 400
    )
    return context.new_page()


@pytest.mark.parametrize("width", [1200, 360])
def test_a_co_therapist_is_added_the_case_handed_over_and_an_admin_changes_the_team(
    browser: Browser, live_server: LiveServer, width: int
) -> None:
    alice, bob, ada, couple = practice()
    base = live_server.url

    # Alice, the primary clinician, adds Bob from the case page.
    page = new_page(browser, width)
    checker = PageChecker(page, base)
    log_in(page, base, alice.email, PASSWORD)
    page.goto(f"{base}/cases/{couple.id}/")
    team = page.locator("#team")
    expect(team.get_by_role("heading", name="Case team")).to_be_visible()
    team.get_by_text("Add a co-therapist").click()
    team.get_by_label("Therapist to add").select_option(label="Bob Colleague")
    checker.check(f"team-case-add-form-{width}")
    team.get_by_role("button", name="Add to the team").click()
    expect(team.get_by_role("status")).to_have_text(
        "Bob Colleague is now a co-therapist on this case and has been told by e-mail."
    )
    expect(team.locator(".team__people")).to_contain_text("Bob Colleague")
    checker.check(f"team-case-added-{width}")

    # A handover without a note: the error is said, the choice kept.
    team.get_by_text("Hand the case over", exact=True).first.click()
    team.get_by_label("New primary clinician").select_option(label="Bob Colleague")
    team.get_by_role("button", name="Hand the case over").click()
    summary = team.locator(".error-summary")
    expect(summary).to_contain_text("Write a handover note")
    expect(summary).to_contain_text("Choose whether you stay on the team.")
    expect(team.get_by_label("New primary clinician")).to_have_value(str(bob.pk))
    checker.check(f"team-case-handover-error-{width}")
    team.get_by_label("Handover note").fill(NOTE)
    team.get_by_label("Stay on the team as a co-therapist").check()
    team.get_by_role("button", name="Hand the case over").click()
    expect(team.get_by_role("status")).to_contain_text(
        "is now Bob Colleague's, who has been told by e-mail; you stay on as a co-therapist."
    )
    expect(team.locator(".history")).to_contain_text("Handover note: " + NOTE)
    expect(team).to_contain_text("Only Bob Colleague (the primary clinician) or a clinic admin")
    checker.check(f"team-case-handed-over-{width}")
    couple.refresh_from_db()
    assert couple.primary_clinician == bob
    assert set(couple.co_clinicians.all()) == {alice}

    # Ada, a clinic admin on no case, changes the team without seeing the case.
    admin_page = new_page(browser, width)
    admin = PageChecker(admin_page, base)
    log_in(admin_page, base, ada.email, PASSWORD)
    admin_page.get_by_role("link", name="Case teams").click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Case teams")
    row = admin_page.locator("tr", has_text=couple.reference)
    expect(row).to_contain_text("Bob Colleague")
    expect(row).to_contain_text("Alice Therapist")
    admin.check(f"team-admin-list-{width}")
    row.get_by_role("link").click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(
        f"Team of case {couple.reference}"
    )
    for private in ("Rivera", "Chen", "Sam", "evening"):
        expect(admin_page.locator("main")).not_to_contain_text(private)
    admin.check(f"team-admin-team-page-{width}")
    admin_page.get_by_role("button", name="Remove Alice Therapist from the team").click()
    expect(admin_page.get_by_role("status")).to_have_text(
        "Alice Therapist is no longer on this case's team and has been told by e-mail."
    )
    admin.check(f"team-admin-removed-{width}")
    assert TeamChange.objects.filter(couple=couple).count() == 3

    # Alice's next request to the case, in her open session, is refused like any case that is
    # not hers (sent by her browser context, so a 404 page is not a console error here).
    for path in ("", "checkins/", "therapy/notes/"):
        response = page.context.request.get(f"{base}/cases/{couple.id}/{path}")
        assert response.status == 404, path

    # Chromium logs the expected 422 (the handover form re-shown with its errors); only that.
    expected = [e for e in checker.console_errors if "status of 422" in e]
    assert len(expected) == 1, checker.console_errors
    checker.console_errors = [e for e in checker.console_errors if e not in expected]
    checker.assert_clean()
    admin.assert_clean()
