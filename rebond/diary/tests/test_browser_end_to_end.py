"""Issue 19 end to end, in Chromium on phones (390 x 844): the therapist offers the diary from
the case page; the hurt partner logs a trigger and shares it, then logs a second one privately;
the other partner sees exactly the first, as written, and nothing of the second; the therapist
sees both on the chart and in the entries; a "right now I don't feel safe" answer shows crisis
resources to its author at once and raises an alert for the therapist, while the other
partner's diary stays exactly as it was. Every page passes axe-core with no console or CSP
error and no request to another origin.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import CrisisResource
from rebond.alerts.models import Alert
from rebond.couples.models import Couple, Partner
from rebond.diary.models import DiaryEntry, DiaryPlan
from rebond.portal.tests.conftest import make_link
from rebond.test import PASSWORD, make_clinic, make_clinician, make_couple
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = ViewportSize(width=390, height=844)
SHARED_LINE = "The café where they used to meet"
PRIVATE_LINE = "Her name on a parcel at the door"
UNSAFE_LINE = "He shouted again tonight"
HOTLINE = "0800 111 222"
# A browser reports the refused submit's status (400) on purpose: nothing else may be logged.
REFUSALS = re.compile(r"status of 400")


def phone(browser: Browser) -> Page:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def rate(page: Page, question: str, value: int) -> None:
    page.get_by_role("group", name=question).get_by_label(str(value), exact=True).check()


def write_entry(
    page: Page, *, safe: int, close: int, trigger: str | None, strength: int, line: str
) -> None:
    rate(page, "How safe do you feel today?", safe)
    rate(page, "How close do you feel to your partner today?", close)
    triggered = page.get_by_role("group", name="Was something a trigger today?")
    if trigger is None:
        triggered.get_by_label("No", exact=True).check()
    else:
        triggered.get_by_label("Yes", exact=True).check()
        page.get_by_role("group", name="What was it?").get_by_label(trigger).check()
        rate(page, "How strong was it?", strength)
    page.get_by_label("One line for yourself (optional)").fill(line)


def test_a_trigger_shared_one_kept_private_and_a_not_safe_answer_on_phones(
    browser: Browser, live_server: LiveServer
) -> None:
    base = live_server.url
    clinic = make_clinic("Harbour Couples Therapy", timezone="Australia/Sydney")
    therapist = make_clinician(clinic, "Tess Therapist", email="tess@example.test")
    CrisisResource.objects.create(
        clinic=clinic, name="Night Line", phone=HOTLINE, hours="24 hours, every day"
    )
    couple = make_couple(
        therapist,
        "Vega & Cole",
        partners=("Casey Vega", "Jordan Cole"),
        status=Couple.Status.CONJOINT_ACTIVE,
    )
    casey = couple.partners.get(role=Partner.Role.A)  # the hurt partner
    jordan = couple.partners.get(role=Partner.Role.B)

    # 1. The therapist offers the diary from the case page, with a daily reminder.
    clinician = phone(browser)
    clinician_checker = PageChecker(clinician, base)
    log_in(clinician, base, therapist.email, PASSWORD)
    clinician.goto(f"{base}/cases/{couple.id}/")
    section = clinician.locator("#diary")
    expect(section).to_contain_text("Not offered on this case.")
    section.get_by_text("Change the diary settings").click()
    section.get_by_label("Offer the diary to both partners").check()
    section.get_by_label("Once a day").check()
    section.get_by_role("button", name="Save the diary settings").click()
    expect(clinician.locator("#diary")).to_contain_text("Diary settings saved.")
    plan = DiaryPlan.objects.get(couple=couple)
    assert plan.offered
    assert plan.prompt == DiaryPlan.Prompt.DAILY
    clinician_checker.check("e2e-diary-case-offered-phone")

    # 2. Casey logs a trigger and shares it, then logs a second one and keeps it private.
    _, casey_token = make_link(casey, therapist)
    hurt = phone(browser)
    hurt_checker = PageChecker(hurt, base)
    hurt.goto(f"{base}/p/{casey_token}/")
    hurt.get_by_role("link", name="Your diary").click()
    expect(hurt.get_by_role("heading", level=1)).to_have_text("Your diary")
    write_entry(hurt, safe=4, close=3, trigger="A place", strength=7, line=SHARED_LINE)
    hurt.get_by_role("button", name="Save today's entry").click()
    expect(hurt.get_by_text("Saved. Only you and your therapist can read it.")).to_be_visible()
    hurt.get_by_role("button", name="Share with Jordan Cole").click()
    expect(hurt.get_by_text("Shared with Jordan Cole").first).to_be_visible()
    write_entry(hurt, safe=5, close=4, trigger="A name", strength=4, line=PRIVATE_LINE)
    hurt.get_by_role("button", name="Save today's entry").click()
    expect(hurt.get_by_text(PRIVATE_LINE)).to_be_visible()
    hurt_checker.check("e2e-diary-hurt-partner-phone")
    shared, private = DiaryEntry.objects.filter(author=casey).order_by("written_at")
    assert shared.is_shared
    assert not private.is_shared

    # 3. Jordan sees exactly the first entry, as written, and nothing of the second.
    _, jordan_token = make_link(jordan, therapist)
    other = phone(browser)
    other_checker = PageChecker(other, base)
    other.goto(f"{base}/p/{jordan_token}/")
    other.get_by_role("link", name="Your diary").click()
    shared_with_me = other.get_by_role("region", name="Shared with you")
    expect(shared_with_me.locator("li.diary-entry")).to_have_count(1)
    expect(shared_with_me).to_contain_text(SHARED_LINE)
    expect(shared_with_me).to_contain_text("Felt safe4 out of 10")
    expect(shared_with_me).to_contain_text("A place, 7 out of 10")
    other_page_before = other.content()
    assert PRIVATE_LINE not in other_page_before
    expect(shared_with_me).not_to_contain_text("A name")
    other_checker.check("e2e-diary-other-partner-phone")

    # 4. The therapist sees both on Casey's chart, and both entries, shared and private.
    clinician.goto(f"{base}/cases/{couple.id}/diary/")
    chart = clinician.get_by_role("img", name="Chart of Casey Vega\u2019s diary")
    expect(chart).to_be_visible()
    clinician.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    clinician.get_by_text("Numbers by week").first.click()
    weeks = clinician.get_by_role("region", name="Casey Vega: diary by week")
    this_week = weeks.locator("tbody tr").last
    expect(this_week.locator("td").nth(0)).to_have_text("2")  # entries
    expect(this_week.locator("td").nth(1)).to_have_text("2")  # triggers
    expect(this_week.locator("td").nth(2)).to_have_text("5.5")  # mean intensity (7 and 4)
    entries = clinician.get_by_role("region", name="Casey Vega: entries, newest first")
    expect(entries.locator("tr", has_text=SHARED_LINE)).to_contain_text("Shared")
    expect(entries.locator("tr", has_text=PRIVATE_LINE)).to_contain_text("Private")
    clinician_checker.check("e2e-diary-chart-phone")

    # 5. "Right now I don't feel safe": crisis resources at once, for Casey only.
    write_entry(hurt, safe=1, close=1, trigger=None, strength=0, line=UNSAFE_LINE)
    hurt.get_by_label("Right now I don't feel safe").check()
    hurt.get_by_role("button", name="Save today's entry").click()
    expect(hurt.get_by_role("heading", name="If you are not safe right now")).to_be_visible()
    expect(hurt.get_by_role("link", name=HOTLINE)).to_be_visible()
    expect(hurt.get_by_text("Your diary is not watched in real time.")).to_be_visible()
    hurt_checker.check("e2e-diary-not-safe-help-phone")
    alert = Alert.objects.get(couple=couple)
    assert alert.severity == Alert.Severity.HIGH
    assert alert.subject_partner_id == casey.id
    assert alert.source_diary_entry is not None
    assert alert.source_diary_entry.line == UNSAFE_LINE

    # The therapist is alerted; the alert names the diary, never to a partner.
    clinician.goto(f"{base}/alerts/{alert.id}/")
    expect(clinician.get_by_role("heading", level=1)).to_have_text(
        "Said they don't feel safe right now (diary)"
    )
    expect(clinician.get_by_text(re.compile(r"^Diary entry of "))).to_be_visible()
    clinician_checker.check("e2e-diary-alert-phone")

    # Jordan's diary and space are exactly as before: the shared entry, nothing else.
    other.reload()
    other_page_after = other.content()
    for hidden in (UNSAFE_LINE, PRIVATE_LINE, HOTLINE, "not safe right now", "Night Line"):
        assert hidden not in other_page_after
    shared_with_me = other.get_by_role("region", name="Shared with you")
    expect(shared_with_me.locator("li.diary-entry")).to_have_count(1)
    expect(shared_with_me).to_contain_text(SHARED_LINE)
    other.goto(f"{base}/me/")
    assert HOTLINE not in other.content()
    assert "Night Line" not in other.content()
    other_checker.check("e2e-diary-other-partner-after-phone")

    for checker in (clinician_checker, hurt_checker, other_checker):
        checker.console_errors = [e for e in checker.console_errors if not REFUSALS.search(e)]
        checker.assert_clean()
