"""In Chromium: a clinic admin manages the clinic's people from the Staff page: invites a
clinician, changes a colleague's roles, is refused deactivating the only clinician on a case,
and deactivates another colleague, whose open session is refused at the next click."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic, User
from rebond.staff.models import Invitation
from rebond.test import PASSWORD, make_clinician, make_couple
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def without_expected_refusals(checker: PageChecker) -> None:
    """Drop the console lines Chromium logs for the refusals this test causes on purpose."""
    checker.console_errors = [
        e for e in checker.console_errors if not any(code in e for code in ("409", "422"))
    ]


def test_a_clinic_admin_invites_changes_roles_and_deactivates(
    browser: Browser, live_server: LiveServer, clinic_a: Clinic, alice: User, bob: User
) -> None:
    base = live_server.url
    couple = make_couple(alice, "Rivera & Chen")
    admin = make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    make_clinician(clinic_a, "Sam Lead", is_safety_lead=True)

    # Bob is at work in his own browser.
    bobs = browser.new_context(viewport={"width": 1200, "height": 800})
    bob_page = bobs.new_page()
    log_in(bob_page, base, bob.email, PASSWORD)
    expect(bob_page.get_by_role("heading", level=1)).to_have_text("Caseload")

    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, admin.email, PASSWORD)
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    expect(page.get_by_role("row", name="Alice Therapist")).to_contain_text("Therapist")
    checker.check("staff")

    # Invite a clinician: a forgotten name is said on its field, nothing typed is lost.
    page.get_by_role("link", name="Invite a clinician").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a clinician")
    checker.check("staff-invite")
    page.get_by_label("E-mail address").fill("tess@example.org")
    page.get_by_label("Supervisor").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page).to_have_title("Error: Invite a clinician · Rebond")
    expect(page.get_by_role("link", name="Enter the clinician's name.")).to_be_visible()
    expect(page.get_by_label("E-mail address")).to_have_value("tess@example.org")
    checker.check("staff-invite-error")
    page.get_by_label("Name", exact=True).fill("Tess Therapist")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to Tess Therapist (tess@example.org)")).to_be_visible()
    waiting = page.get_by_role("region", name="Invitations waiting", exact=True)
    expect(waiting.get_by_role("row", name="Tess Therapist")).to_contain_text(
        "Therapist, Supervisor"
    )
    assert Invitation.objects.get().user.email == "tess@example.org"
    checker.check("staff-invited")

    # Change Alice's roles: she becomes a safety lead too.
    page.get_by_role("link", name="Change roles of Alice Therapist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roles of Alice Therapist")
    checker.check("staff-roles")
    page.get_by_label("Safety lead").check()
    page.get_by_role("button", name="Save roles").click()
    expect(
        page.get_by_text("Alice Therapist's roles are now: Therapist, Safety lead.")
    ).to_be_visible()

    # The last clinic admin cannot take the role from herself.
    page.get_by_role("link", name="Change roles of Ada Admin").click()
    page.get_by_label("Clinic admin").uncheck()
    page.get_by_label("Therapist").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.get_by_text("You are the clinic's last active clinic admin")).to_be_visible()
    checker.check("staff-roles-last-admin")
    page.get_by_role("link", name="Cancel").click()

    # Alice is the only clinician on an active case: refused, the case named by reference.
    page.get_by_role("link", name="Deactivate Alice Therapist").click()
    expect(page).to_have_title("Error: Deactivate Alice Therapist · Rebond")
    expect(
        page.get_by_text("Alice Therapist is the only clinician on an active case")
    ).to_be_visible()
    expect(page.get_by_text(couple.reference)).to_be_visible()
    expect(page.get_by_text("Rivera")).to_have_count(0)
    expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)
    checker.check("staff-deactivate-refused")
    page.get_by_role("link", name="Back to staff").click()

    # Bob is on no case alone: deactivated, and his open session ends.
    page.get_by_role("link", name="Deactivate Bob Colleague").click()
    expect(page.get_by_text("Every open session ends at once.")).to_be_visible()
    checker.check("staff-deactivate")
    page.get_by_role("button", name="Deactivate Bob Colleague").click()
    expect(page.get_by_text("Bob Colleague is deactivated.")).to_be_visible()
    expect(
        page.get_by_role("region", name="Deactivated clinicians", exact=True).get_by_role(
            "row", name="Bob Colleague"
        )
    ).to_be_visible()
    checker.check("staff-deactivated")
    bob.refresh_from_db()
    assert not bob.is_active

    bob_page.get_by_role("link", name="Alerts").click()
    expect(bob_page).to_have_url(f"{base}/accounts/login/?next=/alerts/")
    expect(bob_page.get_by_role("heading", level=1)).to_have_text("Log in")

    # And back: reactivation after a confirmation.
    page.get_by_role("link", name="Reactivate Bob Colleague").click()
    checker.check("staff-reactivate")
    page.get_by_role("button", name="Reactivate Bob Colleague").click()
    expect(page.get_by_text("Bob Colleague can log in again")).to_be_visible()

    without_expected_refusals(checker)
    checker.assert_clean()
    context.close()
    bobs.close()


def test_the_staff_pages_reflow_at_320_px_and_200_percent_text(
    browser: Browser, live_server: LiveServer, clinic_a: Clinic, alice: User, bob: User
) -> None:
    base = live_server.url
    admin = make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    make_clinician(clinic_a, "Gil Gone", is_active=False)
    context = browser.new_context(
        viewport={"width": 320, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    checker = PageChecker(page, base, text_percent=200)
    log_in(page, base, admin.email, PASSWORD)
    page.goto(f"{base}/settings/staff/invite/")
    page.get_by_label("Name", exact=True).fill("Tess Therapist")
    page.get_by_label("E-mail address").fill("tess@example.org")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    checker.check_reflow("staff-320")
    for name, path in (
        ("invite", "/settings/staff/invite/"),
        ("roles", f"/settings/staff/{alice.id}/roles/"),
        ("deactivate", f"/settings/staff/{bob.id}/deactivate/"),
    ):
        page.goto(f"{base}{path}")
        checker.check_reflow(f"staff-320-{name}")
    checker.assert_clean()
    context.close()
