"""In Chromium, on a phone and a desktop: a therapist sets her hours and reads her week; the
clinic admin reads the clinic calendar (metadata only). Every page passes axe, has no sideways
scrolling on the phone, and breaks no Content-Security-Policy rule."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import Browser, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic, User
from rebond.appointments.models import WeeklyHours
from rebond.appointments.tests.calendar_helpers import book
from rebond.appointments.week import local_moment
from rebond.lib.clinic_time import clinic_today, clinic_zone
from rebond.test import PASSWORD, make_clinician, make_couple
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL = "Okafor & Lindqvist"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def test_a_therapist_sets_her_hours_and_reads_her_week_on_a_phone(
    browser: Browser, live_server: LiveServer, clinic_a: Clinic, alice: User
) -> None:
    clinic_a.timezone = "Europe/Madrid"
    clinic_a.save(update_fields=["timezone"])
    today = clinic_today(clinic_a)
    tomorrow = today + timedelta(days=1)
    book(
        alice,
        local_moment(tomorrow, time(17), clinic_zone(clinic_a)),
        couple=make_couple(alice, LABEL),
    )
    base = live_server.url
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, alice.email, PASSWORD)

    page.get_by_role("link", name="Calendar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your calendar")
    expect(page.get_by_text("You have no weekly hours yet.")).to_be_visible()
    checker.check_reflow("calendar-week-phone")

    page.get_by_role("link", name="Hours and time off").click()
    page.get_by_text("Add hours").click()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(day).check()
    page.get_by_label("From", exact=True).fill("17:00")
    page.get_by_label("Until", exact=True).fill("09:00")
    page.get_by_role("button", name="Add these hours").click()
    expect(page).to_have_title("Error: Hours and time off · Rebond")
    expect(page.get_by_role("alert")).to_contain_text("End after the start")
    expect(page.get_by_label("Friday")).to_be_checked()  # nothing chosen is lost
    checker.console_errors = [e for e in checker.console_errors if "422" not in e]
    checker.check_reflow("calendar-hours-refused-phone")
    page.get_by_label("From", exact=True).fill("09:00")
    page.get_by_label("Until", exact=True).fill("18:30")
    page.get_by_role("button", name="Add these hours").click()
    expect(page.get_by_text("Hours added.")).to_be_visible()
    assert WeeklyHours.objects.filter(clinician=alice).count() == 5
    checker.check_reflow("calendar-availability-phone")

    page.get_by_role("link", name="Your week").click()
    expect(page.get_by_text("You have no weekly hours yet.")).to_have_count(0)
    if tomorrow.weekday() == 0:  # today is Sunday: tomorrow is next week's
        page.get_by_role("link", name="Next week").click()
    tomorrows = page.locator(f"#day-{tomorrow:%Y-%m-%d}").locator("xpath=..")
    if tomorrow.weekday() < 5:
        expect(tomorrows).to_contain_text("Hours 09:00\u201318:30")
    expect(tomorrows).to_contain_text(LABEL)
    expect(tomorrows).to_contain_text("17:00\u201318:20")
    checker.check_reflow("calendar-week-with-hours-phone")
    page.set_viewport_size(DESKTOP)
    page.reload()
    checker.check("calendar-week-desktop")

    page.get_by_role("link", name="Calendar feed").click()
    page.get_by_role("button", name="Make my feed").click()
    expect(page.get_by_label("Feed address")).to_have_value(
        re.compile(r"/calendar/feed/[A-Za-z0-9_-]{43}\.ics$")
    )
    checker.check("calendar-feed-made")
    checker.assert_clean()


def test_the_clinic_admin_reads_the_clinic_calendar_without_labels(
    browser: Browser, live_server: LiveServer, clinic_a: Clinic, alice: User, bob: User
) -> None:
    admin = make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    tomorrow = clinic_today(clinic_a) + timedelta(days=1)
    zone = clinic_zone(clinic_a)
    book(alice, local_moment(tomorrow, time(10), zone), couple=make_couple(alice, LABEL))
    book(bob, local_moment(tomorrow, time(10), zone), couple=make_couple(bob, "Reyes & Bauer"))
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, admin.email, PASSWORD)
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_role("link", name="Clinic calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic calendar")
    if tomorrow.weekday() == 0:
        page.get_by_role("link", name="Next week").click()
    tomorrows = page.locator(f"#day-{tomorrow:%Y-%m-%d}").locator("xpath=..")
    expect(tomorrows).to_contain_text("Alice Therapist")
    expect(tomorrows).to_contain_text("Bob Colleague")
    expect(tomorrows.get_by_text("Conjoint session · Scheduled")).to_have_count(2)
    expect(page.get_by_text(LABEL)).to_have_count(0)
    expect(page.get_by_text("Reyes & Bauer")).to_have_count(0)
    checker.check("clinic-calendar-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    checker.check_reflow("clinic-calendar-phone")
    page.get_by_role("link", name="Appointment settings").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appointment settings")
    checker.check_reflow("appointment-settings-phone")
    checker.assert_clean()
