"""In Chromium on a phone (390 x 844) and on a desktop: a clinician schedules a fortnightly
conjoint video series from the case page, and an individual session for partner A; each
partner's space (/me/) shows the first conjoint appointment with its video link; partner A's
individual session is on A's page and nowhere on B's (DOMAIN 7.5 rule 4). Every page passes
axe-core with no console or CSP error and no request to another origin; screenshots of the case
page's section, the appointment page and each partner's space go to var/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import User
from rebond.appointments.models import Appointment
from rebond.appointments.tests.session_helpers import session_types
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple, Partner
from rebond.lib.clinic_time import clinic_today, clinic_zone
from rebond.portal.tests.conftest import make_link
from rebond.test import PASSWORD, make_clinic, make_clinician, make_couple
from rebond.tests.browser import SCREENSHOTS, PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOM = "https://video.example.org/rivera-chen-7k2p"
ALONE_ROOM = "https://video.example.org/dana-only-3q9z"
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


def context_for(browser: Browser, size: str) -> BrowserContext:
    width, height = SIZES[size]
    return browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=size == "phone",
        has_touch=size == "phone",
    )


def case() -> tuple[User, Couple]:
    clinic = make_clinic("Practice", timezone="Europe/Madrid")
    therapist = make_clinician(clinic, "Tess Therapist", email="tess@example.test")
    couple = make_couple(
        therapist, "Rivera & Chen", partners=("Dana Rivera", "Sam Chen"), status="conjoint_active"
    )
    session_types(clinic)
    for partner in couple.partners.all():
        couple_actions.add_contact_channel(
            therapist,
            partner.id,
            couple_actions.ChannelDraft(
                "email", f"{partner.role.lower()}@example.test", safe_to_contact=True
            ),
        )
    return therapist, couple


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_series_is_scheduled_and_each_partner_sees_only_what_is_theirs(
    browser: Browser, live_server: LiveServer, size: str
) -> None:
    therapist, couple = case()
    dana = couple.partners.get(role=Partner.Role.A)
    sam = couple.partners.get(role=Partner.Role.B)
    base = live_server.url
    first_day = clinic_today(couple.clinic) + timedelta(days=7)

    # The clinician schedules from the case page.
    context = context_for(browser, size)
    page = context.new_page()
    checker = PageChecker(page, base)
    log_in(page, base, therapist.email, PASSWORD)
    page.goto(f"{base}/cases/{couple.id}/")
    section = page.locator("#appointments")
    expect(section.get_by_role("heading", level=2)).to_have_text("Appointments")
    expect(section).to_contain_text("No appointment ahead.")
    section.get_by_text("Schedule a session").click()
    section.get_by_label("Session:", exact=True).select_option(label="Conjoint session (50 min)")
    section.get_by_label("Date").fill(first_day.isoformat())
    section.get_by_label("Time").fill("17:30")
    section.get_by_label("By video").check()
    section.get_by_label("Video room address").fill(ROOM)
    section.get_by_label("Every two weeks").check()
    section.get_by_label("How many appointments in all").fill("3")
    checker.check(f"appointments-form-{size}")
    section.screenshot(path=str(SCREENSHOTS / f"appointments-form-section-{size}.png"))
    section.get_by_role("button", name="Schedule").click()
    expect(page.locator("#appointments .saved")).to_contain_text("3 appointments scheduled.")
    section = page.locator("#appointments")
    expect(section.locator(".appointment-row")).to_have_count(3)

    # An individual session for Dana only, in person.
    section.get_by_text("Schedule a session").click()
    section.get_by_label("Session:", exact=True).select_option(label="Individual session (50 min)")
    section.get_by_label("Date").fill((first_day + timedelta(days=1)).isoformat())
    section.get_by_label("Time").fill("08:05")
    section.get_by_label("Dana Rivera").check()
    section.get_by_label("By video").check()
    # A room address without https is refused; the form comes back with what was typed.
    section.get_by_label("Video room address").fill("http://video.example.org/dana-only")
    section.get_by_role("button", name="Schedule").click()
    section = page.locator("#appointments")
    expect(section.get_by_role("alert")).to_contain_text("starting with https://")
    expect(section.get_by_label("Time")).to_have_value("08:05")
    expect(section.get_by_label("Dana Rivera")).to_be_checked()
    checker.check(f"appointments-form-error-{size}")
    section.screenshot(path=str(SCREENSHOTS / f"appointments-form-error-section-{size}.png"))
    section.get_by_label("Video room address").fill(ALONE_ROOM)
    section.get_by_role("button", name="Schedule").click()
    expect(page.locator("#appointments .saved")).to_contain_text("Appointment scheduled.")
    section = page.locator("#appointments")
    expect(section.locator(".appointment-row")).to_have_count(4)
    expect(section).to_contain_text("With Dana Rivera only")
    checker.check(f"appointments-case-{size}")
    section.screenshot(path=str(SCREENSHOTS / f"appointments-case-section-{size}.png"))

    # The appointment page: time, people, messages, scores.
    section.locator(".appointment-row__when").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conjoint session")
    expect(page.locator("body")).to_contain_text("Dana Rivera and Sam Chen")
    expect(page.get_by_role("link", name=ROOM)).to_be_visible()
    expect(page.locator("body")).to_contain_text("Waiting for a safe time")
    checker.check(f"appointment-page-{size}")
    context.close()

    series = list(Appointment.objects.filter(couple=couple, kind="conjoint").order_by("starts_at"))
    assert len(series) == 3
    [alone] = Appointment.objects.filter(couple=couple, kind="individual")

    # Each partner's space.
    pages = {}
    for partner in (dana, sam):
        partner_context = context_for(browser, size)
        partner_page = partner_context.new_page()
        partner_checker = PageChecker(partner_page, base)
        _, token = make_link(partner, therapist)
        partner_page.goto(f"{base}/p/{token}/")
        expect(partner_page.get_by_role("heading", level=1)).to_have_text("Your space")
        appointments = partner_page.locator(
            "section", has=partner_page.locator("#appointments-title")
        )
        expect(appointments).to_contain_text("By video")
        expect(appointments.get_by_role("link", name=ROOM)).to_have_count(3)
        first = series[0].starts_at.astimezone(clinic_zone(couple.clinic))
        expect(appointments).to_contain_text(f"{first:%A} {first.day} {first:%B %Y} at 17:30")
        partner_checker.check_reflow_and_focus(f"appointments-me-{partner.role}-{size}")
        calendar = partner_page.request.get(f"{base}/me/appointments/{alone.id}.ics")
        pages[partner.role] = (partner_page.content(), calendar.status, calendar.text())
        partner_checker.assert_clean()
        partner_context.close()

    dana_page, dana_status, dana_file = pages[Partner.Role.A]
    sam_page, sam_status, _ = pages[Partner.Role.B]
    assert ALONE_ROOM in dana_page
    assert "at 08:05" in dana_page
    assert (dana_status, "SUMMARY:Appointment" in dana_file) == (200, True)
    assert ALONE_ROOM not in sam_page
    assert str(alone.id) not in sam_page
    assert "08:05" not in sam_page
    assert sam_status == 404
    # Chromium reports every 4xx response in the console; the refused form is one, by design
    # (422 with the form's errors). Anything else in the console still fails the test.
    checker.console_errors = [e for e in checker.console_errors if "status of 422" not in e]
    checker.assert_clean()
