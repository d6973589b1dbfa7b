"""In Chromium: a therapist changes the demo case's diary reminders on the case page (htmx),
reads the one-line summary, opens the diary page and sees both partners' charts drawn, their
weekly numbers and every entry; axe-core at 0 violations, no console or CSP error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from rebond.demo.diary import DIARY_CASE
from rebond.demo.practice import DEMO_PASSWORD, build_demo_practice
from rebond.diary.models import DiaryPlan
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS_SHOWN = """() => {
    const charts = Array.from(document.querySelectorAll('img.diary-chart'));
    return charts.length === 2 && charts.every(img => img.complete && img.naturalWidth > 0);
}"""


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_a_therapist_sets_the_diary_and_reads_both_partners_charts(
    page: Page, live_server: LiveServer
) -> None:
    build_demo_practice()
    base = live_server.url
    checker = PageChecker(page, base)
    log_in(page, base, "therapist@demo.rebond.test", DEMO_PASSWORD)
    page.get_by_role("link", name=DIARY_CASE).first.click()
    section = page.locator("#diary")
    expect(section).to_contain_text("Offered to both partners")
    expect(section).to_contain_text("diary, not a validated measure")
    expect(section).to_contain_text("Tobi Okafor: ")
    section.get_by_text("Change the diary settings").click()
    section.get_by_label("Twice a week").check()
    section.get_by_role("button", name="Save the diary settings").click()
    expect(page.locator("#diary")).to_contain_text("Diary settings saved.")
    expect(page.locator("#diary")).to_contain_text("reminders: twice a week")
    assert DiaryPlan.objects.get().prompt == DiaryPlan.Prompt.TWICE_WEEKLY
    checker.check("diary-case-section")

    page.locator("#diary").get_by_role("link", name="Diary chart and entries").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diary")
    expect(page.get_by_role("img", name="Chart of Tobi Okafor\u2019s diary")).to_be_visible()
    page.wait_for_function(CHARTS_SHOWN)
    checker.check("diary-chart-page")
    page.get_by_text("Numbers by week").first.click()
    expect(page.get_by_role("region", name="Tobi Okafor: diary by week")).to_be_visible()
    expect(
        page.get_by_role("region", name="Saga Lindqvist: entries, newest first")
    ).to_contain_text("Synthetic demo entry")
    checker.check("diary-chart-page-table")
    checker.assert_clean()
