"""In Chromium: the caseload, a couple's progress page and a partner's own summary, each with
axe-core at 0 violations, no CSP or other console error, nothing from another origin, and the
server-drawn SVG charts actually shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.couples.models import Couple
from rebond.demo.practice import DEMO_PASSWORD, build_demo_practice
from rebond.portal.tests.conftest import make_link
from rebond.tests.browser import SCREENSHOTS, PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS_SHOWN = """() => {
    const charts = Array.from(document.querySelectorAll('img.chart'));
    return charts.length > 0 && charts.every(img => img.complete && img.naturalWidth > 0);
}"""


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_a_therapist_finds_a_couple_on_the_caseload_and_reads_its_progress(
    page: Page, live_server: LiveServer
) -> None:
    build_demo_practice()
    base = live_server.url
    checker = PageChecker(page, base)
    log_in(page, base, "therapist@demo.rebond.test", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    row = page.get_by_role("row").filter(has_text="Haddad & Moreau")
    # The demo's outcome questionnaire is the CSI-4: no published reliable-change figure.
    expect(row).to_contain_text("Not judged")
    checker.check("mbc-caseload")

    page.get_by_label("Signal").select_option("worse")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No active case matches these filters.")).to_be_visible()
    page.get_by_label("Signal").select_option("not_judged")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("row").filter(has_text="Haddad & Moreau")).to_have_count(1)
    checker.check("mbc-caseload-filtered")

    page.get_by_role("row").filter(has_text="Haddad & Moreau").get_by_role(
        "link", name="Not judged"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress")
    expect(page.get_by_role("heading", name="Not judged")).to_be_visible()
    expect(
        page.get_by_text("CSI-4 has no published reliable-change figure: no band is drawn")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Line chart of Relationship satisfaction")).to_be_visible()
    page.wait_for_function(CHARTS_SHOWN)
    checker.check("mbc-progress")

    for summary in page.locator("summary").all():
        summary.click()
    expect(
        page.get_by_role("table", name="CSI-4: Relationship satisfaction: scores")
    ).to_be_visible()
    checker.check("mbc-progress-details")
    checker.assert_clean()


def test_a_partner_sees_only_their_own_scores_over_time(
    page: Page, live_server: LiveServer
) -> None:
    build_demo_practice()
    couple = next(c for c in Couple.objects.all() if c.label == "Haddad & Moreau")
    sami = couple.partners.get(role="A")
    _, token = make_link(sami, couple.primary_clinician)
    base = live_server.url
    checker = PageChecker(page, base)
    page.goto(f"{base}/p/{token}/")
    page.get_by_role("link", name="Your check-ins over time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your check-ins over time")
    expect(page.get_by_text("Élodie")).to_have_count(0)
    page.wait_for_function(CHARTS_SHOWN)
    checker.check("mbc-my-progress")
    checker.assert_clean()


def test_the_clinician_sees_phq9_totals_as_individual_measures_only(
    page: Page, live_server: LiveServer
) -> None:
    # Issue 15 B8: the demo's Okafor & Lindqvist answered the PHQ-9 at intake and session 4.
    build_demo_practice()
    couple = next(c for c in Couple.objects.all() if c.label == "Okafor & Lindqvist")
    base = live_server.url
    checker = PageChecker(page, base)
    log_in(page, base, "therapist@demo.rebond.test", DEMO_PASSWORD)
    page.goto(f"{base}/cases/{couple.id}/progress/")
    section = page.locator("#individual-measures")
    expect(section.get_by_role("heading", level=2)).to_have_text(
        "Individual measures, clinician only"
    )
    expect(section.get_by_role("heading", level=3)).to_have_text("PHQ-9: Depression severity")
    expect(section.get_by_text("Item by item")).to_have_count(0)
    page.wait_for_function(CHARTS_SHOWN)
    section.get_by_text("Values plotted").click()
    checker.check("progress-individual-measures")
    section.screenshot(path=str(SCREENSHOTS / "progress-phq9-section.png"))
    checker.assert_clean()
