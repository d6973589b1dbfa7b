"""In Chromium on a phone: the therapist invites partner A; A opens the e-mailed link in a
fresh browser, lands in their space at a clean address, sets their goal and agrees to a
consent. Every page passes axe-core, logs no console error and requests nothing foreign."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import User
from rebond.couples import actions as couple_actions
from rebond.couples.actions import ChannelDraft
from rebond.couples.models import ConsentRecord, Partner
from rebond.portal.tests.conftest import ensure_consent_documents, make_link, tokens_in_outbox
from rebond.test import PASSWORD, make_couple, sign_in
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser: Browser) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )


def test_a_partner_opens_their_link_on_a_phone_and_answers(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    base = live_server.url
    ensure_consent_documents()
    couple = make_couple(alice, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"))
    dana = couple.partners.get(role=Partner.Role.A)
    couple_actions.add_contact_channel(
        alice,
        dana.id,
        ChannelDraft(
            kind="email",
            value="dana@example.test",
            safe_to_contact=True,
            safe_hours="Weekdays after 18:00",
        ),
    )
    couple_actions.add_contact_channel(
        alice, dana.id, ChannelDraft(kind="text", value="+44 7700 900123")
    )

    # The therapist presses "Invite" (the button posts to the invite_partner view).
    therapist = phone(browser)
    # Logged in through Django's test client (the login page has its own browser test).
    client = Client()
    sign_in(client, alice)
    session_cookie = client.cookies["rebond-session"].value
    therapist.add_cookies([{"name": "rebond-session", "value": session_cookie, "url": base}])
    page = therapist.new_page()
    page.goto(f"{base}/cases/{couple.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rivera & Chen")
    csrf = next(c["value"] for c in therapist.cookies() if c["name"] == "rebond-csrf")
    response = page.request.post(
        f"{base}/cases/partners/{dana.id}/invite/",
        headers={"X-CSRFToken": csrf, "Referer": f"{base}/cases/{couple.id}/"},
    )
    assert response.ok
    therapist.close()
    [token] = tokens_in_outbox("dana@example.test")

    # Dana opens the link in her own browser.
    context = phone(browser)
    page = context.new_page()
    checker = PageChecker(page, base)
    page.goto(f"{base}/p/{token}/")
    expect(page).to_have_url(f"{base}/me/")
    assert token not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Your space")
    expect(page).to_have_title("Your space · Rebond")
    expect(page.get_by_role("link", name="Leave this site quickly")).to_be_visible()
    checker.check("portal-home-phone")

    # An empty answer is explained, then the goal is saved.
    page.get_by_role("button", name="Save my answer").click()
    expect(page.get_by_text("Choose one of the options.")).to_be_visible()
    checker.check("portal-goal-error-phone")
    page.get_by_label("Clarify whether to stay together").check()
    page.get_by_role("button", name="Save my answer").click()
    expect(page.get_by_role("status")).to_contain_text("Your answer is saved")
    expect(page.get_by_label("Clarify whether to stay together")).to_be_checked()

    # Dana reads an agreement in full and agrees to it.
    page.get_by_role("link", name="Consent to couple therapy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent to couple therapy")
    checker.check("portal-agreement-phone")
    page.get_by_role("button", name="I agree").click()
    expect(page).to_have_url(f"{base}/me/")
    expect(page.get_by_role("status")).to_contain_text("You agreed to")
    checker.check("portal-home-after-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have left your space")
    checker.check("portal-left-phone")
    page.goto(f"{base}/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This link has expired or is not valid"
    )
    checker.check("portal-not-valid-phone")
    context.close()

    dana.refresh_from_db()
    assert dana.intake_goal == Partner.Goal.CLARIFY
    consent = ConsentRecord.objects.get(partner=dana)
    assert consent.captured_by == ConsentRecord.CapturedBy.SELF
    assert overflow <= 0
    assert checker.axe_violations == {}
    assert checker.foreign_requests == []
    # The only console lines are Chromium noting the statuses of the two expected answers:
    # the form re-rendered with its error (400) and the space after logging out (404).
    expected = [f"{base}/me/goal/:", "status of 400", f"{base}/me/:", "status of 404"]
    assert len(checker.console_errors) == 2, checker.console_errors
    assert all(part in "\n".join(checker.console_errors) for part in expected)


def test_the_therapist_revokes_a_sent_link_from_the_case_page(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    base = live_server.url
    couple = make_couple(alice, "Okafor & Lind", partners=("Ada Okafor", "Eli Lind"))
    ada = couple.partners.get(role=Partner.Role.A)
    _, token = make_link(ada, alice)
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, alice.email, PASSWORD)
    page.goto(f"{base}/cases/{couple.id}/")
    page.get_by_role("link", name="Links sent to Ada Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Private links of Ada Okafor")
    expect(page.get_by_role("cell", name="Not opened yet")).to_be_visible()
    checker.check("partner-links")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The link was revoked")).to_be_visible()
    expect(page.get_by_role("cell", name="Revoked")).to_be_visible()
    expect(page.get_by_role("button", name="Revoke")).to_have_count(0)
    checker.check("partner-links-revoked")
    checker.assert_clean()
    context.close()
    # The revoked link now opens nothing.
    assert Client().get(f"/p/{token}/").status_code == 404
