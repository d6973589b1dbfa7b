"""In Chromium: the demo therapist opens a case, records an injury (the subtype list follows
the category through htmx), then moves the case, meets an unmet guard and overrides it with a
reason. Every page passes axe-core with 0 violations, with no console or CSP error and no
request to another origin; screenshots go to var/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.couples.models import CaseTransition, Couple, Injury
from rebond.demo.practice import DEMO_PASSWORD, build_demo_practice
from rebond.tests.browser import SCREENSHOTS, PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_case(page: Page, base: str, label: str) -> None:
    log_in(page, base, "therapist@demo.rebond.test", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    page.get_by_role("link", name=label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)


@pytest.mark.parametrize("width", [1200, 360])
def test_the_therapist_records_an_injury_and_moves_the_case_with_an_override(
    browser: Browser, live_server: LiveServer, width: int
) -> None:
    build_demo_practice()
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 400 else 740}, is_mobile=width < 400
    )
    page = context.new_page()
    base = live_server.url
    checker = PageChecker(page, base)
    open_case(page, base, "Reyes & Bauer")
    safety = page.locator("#safety-concerns")
    expect(safety).to_contain_text("Intimate partner violence")
    expect(page.locator("#injuries")).to_contain_text("Private to Jonas Bauer")
    expect(page.locator("#partner-A")).to_contain_text("Not safe to contact")
    checker.check(f"case-{width}")

    injuries = page.locator("#injuries")
    injuries.get_by_text("Record an injury").click()
    form = injuries.locator("form.injury-form")
    subtype = form.get_by_label("Detail")
    expect(subtype.locator("option", has_text="Verbal abuse")).to_have_count(1)
    form.get_by_label("Kind of injury").select_option(label="Infidelity")
    # htmx swapped in the subtypes of this category only.
    expect(subtype.locator("option", has_text="Verbal abuse")).to_have_count(0)
    subtype.select_option(label="Online sexual activity")
    form.get_by_label("Hurt partner", exact=True).select_option(label="Mara Reyes")
    form.get_by_label("Hurtful partner", exact=True).select_option(label="Jonas Bauer")
    form.get_by_label("Who knows").select_option(label="Known to both partners")
    form.get_by_label("Severity as the hurt partner rates it").fill("6")
    form.get_by_label("Share with the hurt partner").check()
    form.get_by_label("Summary for partners").fill("The evenings online we are talking through.")
    checker.check(f"case-injury-form-{width}")
    form.get_by_role("button", name="Record the injury").click()
    expect(page.get_by_role("status")).to_have_text("Injury recorded.")
    expect(injuries).to_contain_text("Infidelity: Online sexual activity")
    recorded = injuries.locator("li.injury", has_text="Infidelity: Online sexual activity")
    expect(recorded).to_contain_text("shared with Mara Reyes")
    checker.check(f"case-injury-recorded-{width}")

    # A wrongly recorded injury is voided with a reason: struck through, kept (issue 15 D16).
    recorded.get_by_text("Void this injury").click()
    recorded.get_by_label("Why is it voided?").fill("Recorded on the wrong case.")
    recorded.get_by_role("button", name="Void the injury").click()
    voided = injuries.locator("li.injury--voided")
    expect(voided.locator("s")).to_have_text("Infidelity: Online sexual activity")
    expect(voided).to_contain_text("Recorded on the wrong case.")
    checker.check(f"case-injury-voided-{width}")

    lifecycle = page.locator("#lifecycle")
    lifecycle.get_by_label("Move the case to").select_option(label="Conjoint therapy")
    lifecycle.get_by_role("button", name="Move case").click()
    alert = lifecycle.get_by_role("alert")
    expect(alert).to_contain_text("Jonas Bauer's individual safety screen is not done.")
    expect(alert).to_contain_text("has not consented")
    checker.check(f"case-guard-failure-{width}")

    lifecycle.get_by_label("Override the unmet conditions").check()
    lifecycle.get_by_role("textbox", name="Reason").fill(
        "Both consented in session; forms to follow by post."
    )
    lifecycle.get_by_role("button", name="Move case").click()
    expect(lifecycle.get_by_role("status")).to_contain_text("Conjoint therapy")
    expect(page.locator("#case-head")).to_contain_text("Conjoint therapy")
    expect(lifecycle.locator(".badge--override")).to_have_count(1)
    checker.check(f"case-override-{width}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()

    couple = next(c for c in Couple.objects.all() if c.label == "Reyes & Bauer")
    assert couple.status == Couple.Status.CONJOINT_ACTIVE
    last = CaseTransition.objects.filter(couple=couple).last()
    assert last is not None
    assert last.is_override
    assert last.unmet_guards
    assert couple.injuries.filter(subtype=Injury.Subtype.ONLINE_SEXUAL).count() == 1
    assert overflow <= 0
    # Chromium reports every 4xx response in the console; the guard failure is one, by design
    # (422 with the form's errors). Anything else in the console still fails the test.
    checker.console_errors = [e for e in checker.console_errors if "status of 422" not in e]
    checker.assert_clean()


def test_the_case_page_shows_an_open_high_alert_with_a_link_to_it(
    browser: Browser, live_server: LiveServer
) -> None:
    # Issue 15 C14: a HIGH alert raised the real way (a PHQ-9 with item 9 "more than half the
    # days"); the case page lists it, and its link opens the alert.
    from rebond.accounts.models import User
    from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF, raise_alert

    build_demo_practice()
    couple = next(c for c in Couple.objects.all() if c.label == "Okafor & Lindqvist")
    therapist = User.objects.get(email="therapist@demo.rebond.test")
    alert = raise_alert(therapist, couple, ITEM9_MORE_THAN_HALF)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    base = live_server.url
    checker = PageChecker(page, base)
    open_case(page, base, "Okafor & Lindqvist")
    safety = page.locator("#safety-concerns")
    expect(safety.get_by_role("heading", level=3)).to_have_text("Open alerts")
    expect(safety).to_contain_text("High")
    expect(safety).not_to_contain_text("No open safety concerns")
    checker.check("case-open-alerts")
    safety.screenshot(path=str(SCREENSHOTS / "case-open-alerts-section.png"))
    safety.get_by_role("link", name="Suicide risk screen positive").click()
    page.wait_for_url(f"{base}/alerts/{alert.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suicide risk screen positive")
    checker.assert_clean()
    context.close()
