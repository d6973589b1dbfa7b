"""In Chromium, on a phone: a requester sends the form with a safe window, chooses a time for
the free consultation and sees it held; the therapist logs in, opens the request in the inbox
and confirms it; the confirmation waits in the outbox for the requester's window, and what it
will say holds no therapy word. Every page passes axe-core, logs no console or CSP error,
requests nothing from another origin and does not scroll sideways.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic, User
from rebond.appointments.models import (
    Appointment,
    AppointmentMessage,
    AppointmentSettings,
    SessionType,
    WeeklyHours,
)
from rebond.appointments.wording import message_text
from rebond.demo.practice import DEMO_CLINIC_SLUG, DEMO_PASSWORD, build_demo_practice
from rebond.intake.models import ConsultationRequest
from rebond.lib.neutral import therapy_words
from rebond.lib.safe_window import is_inside
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=900)
THERAPIST = "therapist@demo.rebond.test"


def new_phone_page(browser: Browser) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    return context.new_page()


def offer_consultations(clinic: Clinic, therapist: User) -> None:
    """The demo clinic lets requesters choose a time; the therapist works every day 8 to 20.

    The demo already offers consultations with its clinicians' own hours (rebond/demo/
    calendar.py); the test sets its own, so that six free times of this therapist exist
    whatever the day it runs.
    """
    AppointmentSettings.objects.update_or_create(
        clinic=clinic, defaults={"consultation_booking": True}
    )
    SessionType.objects.update_or_create(
        clinic=clinic,
        name="Free consultation",
        defaults={"kind": "consultation", "duration_minutes": 30, "is_active": True},
    )
    # Only this therapist offers times, so the time held is theirs.
    WeeklyHours.objects.filter(clinician__clinic=clinic).delete()
    for day in range(7):
        WeeklyHours.objects.create(clinician=therapist, weekday=day, starts=time(8), ends=time(20))


def test_a_requester_books_a_consultation_and_the_therapist_confirms_it_on_a_phone(
    browser: Browser, live_server: LiveServer
) -> None:
    build_demo_practice()
    clinic = Clinic.objects.get(slug=DEMO_CLINIC_SLUG)
    therapist = User.objects.get(email=THERAPIST)
    offer_consultations(clinic, therapist)
    base = live_server.url

    # The requester sends the form, with a safe window and the neutral wording left as is.
    page = new_phone_page(browser)
    requester = PageChecker(page, base)
    page.goto(f"{base}/c/{DEMO_CLINIC_SLUG}/request/")
    page.get_by_label("What should we call you?").fill("Casey")
    page.get_by_role("radio", name="E-mail").check()
    page.get_by_label("Phone number or e-mail address").fill("casey@example.test")
    window = page.get_by_role("group", name="Safe to send you a message between these times")
    window.get_by_label("From").fill("18:00")
    window.get_by_label("Until").fill("20:00")
    wording = page.get_by_role("checkbox", name="Messages may say they come from")
    expect(wording).not_to_be_checked()
    page.get_by_role("group", name="May we leave a message").get_by_role(
        "radio", name="Yes"
    ).check()
    safety = page.get_by_role("group", name="Do you feel safe at home right now?")
    safety.get_by_role("radio", name="Yes").check()
    page.get_by_role("checkbox", name="I agree that the practice may contact me").check()
    requester.check_reflow_and_focus("consultation-request-form-phone")
    page.get_by_role("button", name="Send request").click()

    # The receipt offers a time; the page lists the next free ones, in the clinic's zone.
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(
        page.get_by_role("heading", name="Choose a time for your free consultation")
    ).to_be_visible()
    requester.check_reflow_and_focus("consultation-receipt-phone")
    page.get_by_role("link", name="Choose a time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    expect(page.get_by_text("Times are in Europe/London time.")).to_be_visible()
    times = page.get_by_role("radio")
    expect(times).to_have_count(6)
    requester.check_reflow_and_focus("consultation-slots-phone")
    times.first.check()
    page.get_by_role("button", name="Hold this time").click()

    expect(page.get_by_role("heading", name="Your time is held")).to_be_visible()
    expect(page.get_by_text("Waiting for the clinic to confirm.")).to_be_visible()
    requester.check_reflow_and_focus("consultation-held-phone")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download a calendar file").click()
    calendar = Path(download.value.path()).read_text(encoding="utf-8")
    assert "SUMMARY:Appointment" in calendar
    assert therapy_words(calendar) == []
    page.set_viewport_size(DESKTOP)
    requester.check_reflow_and_focus("consultation-held-desktop")
    requester.assert_clean()

    request = next(r for r in ConsultationRequest.objects.all() if r.name == "Casey")
    assert (request.safe_from, request.safe_until) == (time(18), time(20))
    assert request.may_mention_therapy is False
    hold = Appointment.objects.get(request=request)
    assert hold.status == Appointment.Status.REQUESTED
    assert hold.clinician == therapist

    # The therapist, on their own phone, confirms it from the inbox.
    inbox = new_phone_page(browser)
    clinician = PageChecker(inbox, base)
    log_in(inbox, base, THERAPIST, DEMO_PASSWORD)
    inbox.goto(f"{base}/inbox/")
    inbox.get_by_role("link", name="Casey").click()
    expect(inbox.get_by_role("heading", name="Free consultation")).to_be_visible()
    expect(inbox.get_by_text("Held, waiting for the clinician")).to_be_visible()
    clinician.check_reflow("consultation-inbox-request-phone")
    # Another time could be proposed instead: the therapists' free times, or a typed one.
    inbox.get_by_role("link", name="Propose another time").click()
    expect(inbox.get_by_role("heading", level=1)).to_have_text("Propose another time")
    expect(inbox.get_by_label("Date and time")).to_be_visible()
    clinician.check_reflow("consultation-inbox-propose-phone")
    inbox.go_back()
    inbox.get_by_role("button", name="Confirm this time").click()
    expect(inbox.get_by_text("Consultation confirmed.")).to_be_visible()
    expect(
        inbox.get_by_text(re.compile(r"Waiting (for a safe time until|to be sent)"))
    ).to_be_visible()
    clinician.check_reflow("consultation-inbox-confirmed-phone")
    inbox.set_viewport_size(DESKTOP)
    inbox.reload()
    clinician.check_reflow("consultation-inbox-confirmed-desktop")
    clinician.assert_clean()

    hold.refresh_from_db()
    assert hold.status == Appointment.Status.SCHEDULED
    [message] = AppointmentMessage.objects.filter(request=request)
    assert message.purpose == AppointmentMessage.Purpose.CONFIRMATION
    assert (message.kind, message.status) == ("email", AppointmentMessage.Status.PENDING)
    zone = ZoneInfo(clinic.timezone)
    assert is_inside(message.send_after.astimezone(zone), time(18), time(20))
    text = message_text(
        AppointmentSettings.objects.get(clinic=clinic),
        message.purpose,
        starts_at=hold.starts_at,
        zone=zone,
        clinic_name=clinic.name,
        may_mention_therapy=request.may_mention_therapy,
    )
    assert text.startswith("Confirmed. Your appointment on ")
    assert therapy_words(text) == []
    assert clinic.name not in text
