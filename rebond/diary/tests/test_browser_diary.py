"""In Chromium on a phone: a partner fills the diary in about a minute, the trigger questions
show and hide with CSS alone, sharing is one button, "not safe right now" shows the crisis
resources at once. Every page passes axe-core, does not scroll sideways at 360 px or with
200% text, logs no console error and requests nothing foreign."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import CrisisResource, User
from rebond.alerts.models import Alert
from rebond.couples.models import Couple, Partner
from rebond.diary.models import DiaryEntry, DiaryPlan
from rebond.portal.tests.conftest import make_link
from rebond.test import make_couple
from rebond.tests.browser import PageChecker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("text_percent", [100, 200])
def test_a_partner_writes_shares_and_asks_for_help_on_a_phone(
    browser: Browser, live_server: LiveServer, alice: User, text_percent: int
) -> None:
    base = live_server.url
    couple = make_couple(
        alice, partners=("Dana Rivera", "Sam Chen"), status=Couple.Status.CONJOINT_ACTIVE
    )
    DiaryPlan.objects.create(couple=couple, offered=True, updated_by=alice)
    CrisisResource.objects.create(
        clinic=couple.clinic, name="Night Line", phone="0800 000 111", hours="24 hours, every day"
    )
    dana = couple.partners.get(role=Partner.Role.A)
    _, token = make_link(dana, alice)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    checker = PageChecker(page, base, text_percent=text_percent)
    suffix = f"-{text_percent}" if text_percent != 100 else ""
    page.goto(f"{base}/p/{token}/")
    page.get_by_role("link", name="Your diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your diary")
    checker.check_reflow_and_focus(f"diary-phone{suffix}")

    safe = page.get_by_role("group", name="How safe do you feel today?")
    safe.get_by_label("7", exact=True).check()
    page.get_by_role("group", name="How close do you feel to your partner today?").get_by_label(
        "5", exact=True
    ).check()
    trigger = page.get_by_role("group", name="What was it?")
    triggered = page.get_by_role("group", name="Was something a trigger today?")
    triggered.get_by_label("No", exact=True).check()
    expect(trigger).to_be_hidden()
    triggered.get_by_label("Yes", exact=True).check()
    expect(trigger).to_be_visible()
    trigger.get_by_label("A place").check()
    page.get_by_role("group", name="How strong was it?").get_by_label("6", exact=True).check()
    page.get_by_label("One line for yourself (optional)").fill("The restaurant on the corner")
    page.get_by_role("button", name="Save today's entry").click()
    expect(page.get_by_text("Saved. Only you and your therapist can read it.")).to_be_visible()
    expect(page.get_by_text("The restaurant on the corner")).to_be_visible()
    checker.check_reflow_and_focus(f"diary-phone-written{suffix}")

    page.get_by_role("button", name="Share with Sam Chen").click()
    expect(page.get_by_text("Shared with Sam Chen").first).to_be_visible()
    assert DiaryEntry.objects.get().is_shared

    # A bad submit keeps what was chosen and says what is missing.
    page.get_by_role("group", name="How close do you feel to your partner today?").get_by_label(
        "2", exact=True
    ).check()
    page.get_by_role("button", name="Save today's entry").click()
    expect(
        page.get_by_role("link", name="Choose how safe you feel today, 0 to 10.")
    ).to_be_visible()
    expect(
        page.get_by_role("group", name="How close do you feel to your partner today?").get_by_label(
            "2", exact=True
        )
    ).to_be_checked()
    checker.check_reflow_and_focus(f"diary-phone-error{suffix}")
    # The refused submit is answered 400 on purpose; Chromium reports that status, and only it.
    expected = (
        f"{base}/me/diary/write/: Failed to load resource: the server responded with a status"
        " of 400 (Bad Request)"
    )
    assert checker.console_errors == [expected]
    checker.console_errors = []

    page.get_by_role("group", name="How safe do you feel today?").get_by_label(
        "1", exact=True
    ).check()
    page.get_by_label("Right now I don't feel safe").check()
    page.get_by_role("button", name="Save today's entry").click()
    expect(page.get_by_role("heading", name="If you are not safe right now")).to_be_visible()
    expect(page.get_by_role("link", name="0800 000 111")).to_be_visible()
    expect(page.get_by_text("Your diary is not watched in real time.")).to_be_visible()
    checker.check_reflow_and_focus(f"diary-phone-help{suffix}")
    assert Alert.objects.get().severity == Alert.Severity.HIGH
    checker.assert_clean()
    context.close()
