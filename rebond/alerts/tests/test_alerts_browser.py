"""In Chromium, at 1200 px and 360 px: the therapist sees the priority banner, opens the alert
inbox, acknowledges a HIGH alert and closes it with a disposition; after the window the safety
lead sees the escalated alert; partner A's HIGH answer shows A the crisis resources while
partner B's pages stay identical to a world in which A answered "Not at all". Every page
passes axe-core with 0 violations, with no console or CSP error and no foreign request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import CrisisResource, User
from rebond.alerts import delivery
from rebond.alerts.models import Alert
from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF, ITEM9_SEVERAL_DAYS, raise_alert
from rebond.assessments import actions as assessments
from rebond.couples.models import Couple, Partner
from rebond.portal.tests.conftest import make_link
from rebond.test import PASSWORD, make_clinician, make_couple
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHQ9 = ["Not at all", "Several days", "More than half the days", "Nearly every day"]


def new_context(browser: Browser, width: int) -> BrowserContext:
    if width < 400:
        return browser.new_context(
            viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True
        )
    return browser.new_context(viewport={"width": width, "height": 900})


def log_in_as(page: Page, base: str, user: User) -> None:
    log_in(page, base, user.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")


@pytest.mark.parametrize("width", [1200, 360])
def test_the_therapist_acknowledges_and_closes_and_the_lead_sees_the_escalation(
    browser: Browser, live_server: LiveServer, alice: User, width: int
) -> None:
    base = live_server.url
    lead = make_clinician(alice.clinic, "Lena Lead", is_safety_lead=True)
    couple = make_couple(
        alice, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"), status="conjoint_active"
    )
    high = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    other = make_couple(alice, "Okafor & Lindqvist", partners=("Ife Okafor", "Jon Lindqvist"))
    raise_alert(alice, other, ITEM9_SEVERAL_DAYS, role="B")

    context = new_context(browser, width)
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in_as(page, base, alice)
    banner = page.get_by_role("region", name="Priority alerts")
    expect(banner).to_contain_text("2 open priority alerts")
    checker.check(f"alerts-banner-{width}")

    banner.get_by_role("link", name="Open alerts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    rows = page.locator(".alert-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("High")  # HIGH first, as a word
    expect(rows.first).to_contain_text("About Dana Rivera")
    expect(rows.nth(1)).to_contain_text("Priority")
    checker.check(f"alerts-inbox-{width}")

    rows.first.get_by_role("link", name="Suicide risk screen positive").click()
    expect(page.locator("#pause")).to_contain_text("Conjoint work on this case is paused")
    checker.check(f"alerts-detail-paused-{width}")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_have_text("Alert acknowledged.")
    close = page.locator("#close")
    close.get_by_role("button", name="Close the alert").click()  # nothing chosen: errors
    expect(close.get_by_text("This field is required.").first).to_be_visible()
    checker.check(f"alerts-close-errors-{width}")
    # Chromium logs the expected 422 (the form re-shown with its errors); only that line.
    expected = [e for e in checker.console_errors if "status of 422" in e]
    assert len(expected) == 1, checker.console_errors
    checker.console_errors = [e for e in checker.console_errors if e not in expected]
    close.get_by_label("Safety plan made").check()
    close.get_by_label("Reason").fill("Seen alone on Tuesday; safety plan made together.")
    close.get_by_role("button", name="Close the alert").click()
    expect(page.get_by_role("status")).to_have_text("Alert closed.")
    expect(page.get_by_role("region", name="Priority alerts")).to_contain_text(
        "1 open priority alert"
    )
    checker.check(f"alerts-closed-{width}")
    high.refresh_from_db()
    assert (high.status, high.disposition) == (Alert.Status.CLOSED, "safety_plan")
    assert high.acknowledged_by == alice

    # Another HIGH alert nobody acknowledges: after the window it reaches the safety lead.
    third = make_couple(
        alice, "Moreau & Silva", partners=("Alix Moreau", "Rui Silva"), status="conjoint_active"
    )
    late = raise_alert(alice, third, ITEM9_MORE_THAN_HALF)
    window = timedelta(minutes=alice.clinic.high_alert_ack_minutes)  # type: ignore[union-attr]
    assert delivery.escalate_overdue_alerts(at=late.created_at + window) == 1
    context.close()

    context = new_context(browser, width)
    page = context.new_page()
    checker.page = page
    page.on("console", checker._on_console)
    page.on("request", checker._on_request)
    log_in_as(page, base, lead)
    expect(page.get_by_role("region", name="Priority alerts")).to_contain_text(
        "1 open priority alert"
    )
    page.get_by_role("link", name="Alerts", exact=False).first.click()
    row = page.locator(".alert-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Escalated to safety leads")
    expect(row).to_contain_text("Moreau & Silva")
    expect(row.get_by_role("link", name="Moreau & Silva")).to_have_count(0)  # not on the case
    checker.check(f"alerts-lead-inbox-{width}")
    row.get_by_role("link", name="Suicide risk screen positive").click()
    expect(page.get_by_text("Only a clinician on the case can record the decision")).to_be_visible()
    checker.check(f"alerts-lead-detail-{width}")
    page.get_by_role("link", name="Safety settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safety settings")
    checker.check(f"alerts-settings-{width}")
    context.close()
    checker.assert_clean()


def test_the_case_safety_page_looks_right(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    base = live_server.url
    couple = make_couple(
        alice, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"), status="conjoint_active"
    )
    raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    for width in (1200, 360):
        context = new_context(browser, width)
        page = context.new_page()
        checker = PageChecker(page, base)
        log_in_as(page, base, alice)
        page.goto(f"{base}/cases/{couple.id}/safety/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Safety · Rivera & Chen")
        if width == 1200:
            page.get_by_role("link", name="Write a safety plan for Dana Rivera").click()
            page.get_by_label("Warning signs").fill("Not sleeping; drinking alone.")
            page.get_by_label("Things I can do on my own").fill("Walk; call my sister.")
            page.get_by_label("Show this plan in the partner's own private space").check()
            checker.check("safety-plan-form-1200")
            page.get_by_role("button", name="Save the plan").click()
            expect(page.get_by_role("status")).to_have_text("Safety plan saved.")
        expect(page.locator("#partner-A")).to_contain_text("Shared with Dana Rivera only")
        checker.check(f"case-safety-{width}")
        context.close()
        checker.assert_clean()


# --- Issue 6 acceptance: what each partner sees -----------------------------------------------

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
VOLATILE = re.compile(rf'(csrfmiddlewaretoken" value="|nonce="|{UUID})[^"<]*')


def answer_in_browser(page: Page, base: str, token: str, item9: int) -> None:
    page.goto(f"{base}/p/{token}/")
    page.get_by_role("link", name="Check-in 1 of 1").click()
    for item in range(1, 10):
        page.locator(f"#q{item}").get_by_text(PHQ9[item9 if item == 9 else 0], exact=True).click()
        expect(page.locator(f"#q{item} [data-status]")).to_have_text("Saved")
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


def b_pages(page: Page, base: str, token: str) -> list[str]:
    page.goto(f"{base}/p/{token}/")
    pages = []
    for path in ("/me/", "/me/checkins/"):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        pages.append(VOLATILE.sub("~", page.content()))
    page.get_by_role("link", name="Check-in 1 of 1").click()
    # Compare pages in the same state: after navigation and after their scripts have run.
    page.wait_for_url("**/me/checkins/*/")
    page.wait_for_load_state("networkidle")
    pages.append(VOLATILE.sub("~", page.content()))
    return pages


def test_a_high_answer_shows_a_crisis_resources_reaches_the_therapist_and_b_sees_nothing(
    browser: Browser, live_server: LiveServer, alice: User
) -> None:
    base = live_server.url
    assert alice.clinic is not None
    CrisisResource.objects.create(
        clinic=alice.clinic, name="Night Line", phone="0800 000 111", hours="24 hours, every day"
    )
    seen_by_b: dict[str, list[str]] = {}
    for world, item9 in (("risk", 2), ("clear", 0)):
        couple = make_couple(
            alice, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"), status="conjoint_active"
        )
        assessments.schedule_instrument(alice, couple.id, "PHQ-9")
        a, b = couple.partners.get(role=Partner.Role.A), couple.partners.get(role=Partner.Role.B)
        context = new_context(browser, 360)
        page = context.new_page()
        checker = PageChecker(page, base)
        _, token_a = make_link(a, alice)
        answer_in_browser(page, base, token_a, item9)
        if world == "risk":
            expect(page.get_by_text("Night Line")).to_be_visible()
            expect(page.get_by_text("not watched in real time")).to_be_visible()
            checker.check("acceptance-a-receipt-crisis-360")
        else:
            expect(page.get_by_text("Night Line")).to_have_count(0)
        context.close()
        couple.refresh_from_db()
        paused = couple.status == Couple.Status.PAUSED_SAFETY
        assert paused is (world == "risk")

        context = new_context(browser, 360)
        page = context.new_page()
        checker_b = PageChecker(page, base)
        _, token_b = make_link(b, alice)
        seen_by_b[world] = b_pages(page, base, token_b)
        checker_b.check(f"acceptance-b-checkin-{world}-360")
        context.close()
        checker.assert_clean()
        checker_b.assert_clean()
    assert seen_by_b["risk"] == seen_by_b["clear"]
    # No e-mail ever went to a partner; the therapist's nudge carries no clinical content.
    for message in mail.outbox:
        assert message.to == [alice.email]
        assert "Dana" not in str(message.body)

    context = new_context(browser, 1200)
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in_as(page, base, alice)
    banner = page.get_by_role("region", name="Priority alerts")
    expect(banner).to_contain_text("1 open priority alert")
    banner.get_by_role("link", name="Open alerts").click()
    row = page.locator(".alert-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("High")
    expect(row).to_contain_text("About Dana Rivera")
    checker.check("acceptance-therapist-inbox-1200")
    context.close()
    checker.assert_clean()
