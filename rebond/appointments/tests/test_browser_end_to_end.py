"""Issue 18 end to end, in Chromium on phones (390 x 844): a requester books a free
consultation time and the therapist confirms it; the request becomes a case; the therapist
schedules a conjoint video session from the case page; 24 hours before it the every-session
check-in reaches both partners, who answer it on their phones; the reminders reach each partner
only through the channels they marked safe; the therapist opens the session with both
partners' fresh scores. Every page passes axe-core with no console or CSP error and no request
to another origin.

Time moves by passing `at` to the sweeps' steps (the same functions `rebond appointments_sweep`
and `rebond checkin_reminders` run every minute), so nothing waits on the wall clock.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from rebond.accounts.models import Clinic, User
from rebond.appointments import outbox
from rebond.appointments.checkins import send_session_checkins
from rebond.appointments.clinic_settings import ensure_session_types
from rebond.appointments.models import (
    Appointment,
    AppointmentMessage,
    AppointmentSettings,
    WeeklyHours,
)
from rebond.appointments.reminders import queue_due_reminders
from rebond.assessments.models import Administration, Submission
from rebond.assessments.reminders import send_due_reminders
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple
from rebond.intake import actions as intake_actions
from rebond.intake.models import ConsultationRequest
from rebond.lib import sms
from rebond.lib.clinic_time import clinic_zone
from rebond.lib.neutral import therapy_words
from rebond.portal import actions as portal_actions
from rebond.portal.tests.conftest import tokens_in_outbox
from rebond.test import PASSWORD, make_clinic, make_clinician
from rebond.tests.browser import PageChecker, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = ViewportSize(width=390, height=844)
ROOM = "https://video.example.org/harbour-room-4"
# Names and words that must never reach a message, a calendar file or a lock screen.
CANARIES = ("Casey", "Jordan", "Harbour Couples Therapy", "Vega & Cole")
SAFE = {"A": "casey@example.test", "B_EMAIL": "jordan@example.test", "B_TEXT": "+34600000002"}
UNSAFE = ("casey-shared@example.test", "+34600000001", "jordan-work@example.test")


def phone(browser: Browser) -> Page:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def practice() -> tuple[Clinic, User]:
    """A Madrid practice that offers free consultations and checks in a day before sessions."""
    clinic = make_clinic("Harbour Couples Therapy", timezone="Europe/Madrid")
    therapist = make_clinician(clinic, "Tess Therapist", email="tess@example.test")
    AppointmentSettings.objects.create(
        clinic=clinic, consultation_booking=True, checkin_lead_hours=24, reminder_lead_hours=24
    )
    ensure_session_types(clinic)
    for day in range(7):
        WeeklyHours.objects.create(clinician=therapist, weekday=day, starts=time(8), ends=time(20))
    return clinic, therapist


def book_a_consultation(page: Page, checker: PageChecker, base: str, slug: str) -> None:
    page.goto(f"{base}/c/{slug}/request/")
    page.get_by_label("What should we call you?").fill("Casey")
    page.get_by_role("radio", name="E-mail").check()
    page.get_by_label("Phone number or e-mail address").fill(SAFE["A"])
    page.get_by_role("group", name="May we leave a message").get_by_role(
        "radio", name="Yes"
    ).check()
    safety = page.get_by_role("group", name="Do you feel safe at home right now?")
    safety.get_by_role("radio", name="Yes").check()
    page.get_by_role("checkbox", name="I agree that the practice may contact me").check()
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("link", name="Choose a time").click()
    page.get_by_role("radio").first.check()
    checker.check("e2e-consultation-slots-phone")
    page.get_by_role("button", name="Hold this time").click()
    expect(page.get_by_role("heading", name="Your time is held")).to_be_visible()


def channels(therapist: User, couple: Couple) -> None:
    """Each partner has channels marked safe and others marked not safe (decoys)."""
    casey, jordan = couple.partners.order_by("role")
    drafts = {
        # Casey's own address carried over from the request (safe), plus decoys.
        casey: [
            couple_actions.ChannelDraft("email", UNSAFE[0]),
            couple_actions.ChannelDraft("text", UNSAFE[1], may_leave_message=True),
        ],
        jordan: [
            couple_actions.ChannelDraft("email", SAFE["B_EMAIL"], safe_to_contact=True),
            couple_actions.ChannelDraft(
                "text", SAFE["B_TEXT"], safe_to_contact=True, may_leave_message=True
            ),
            couple_actions.ChannelDraft("email", UNSAFE[2]),
        ],
    }
    for partner, partner_drafts in drafts.items():
        for draft in partner_drafts:
            couple_actions.add_contact_channel(therapist, partner.id, draft)


def answer_every_check_in(page: Page, checker: PageChecker, base: str, token: str) -> None:
    """Open the link from the notice and answer each open check-in with its first option."""
    page.goto(f"{base}/p/{token}/")
    while page.get_by_role("link", name=re.compile(r"^Check-in 1 of \d")).count():
        page.get_by_role("link", name=re.compile(r"^Check-in 1 of \d")).first.click()
        questions = page.locator("fieldset[id^=q]")
        for index in range(questions.count()):
            question = questions.nth(index)
            question.locator("label").first.click()
            expect(question.locator("[data-status]")).to_have_text("Saved")
        checker.check("e2e-checkin-phone")
        page.get_by_role("button", name="Finish").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


def test_from_a_booked_consultation_to_a_session_opened_with_both_partners_fresh_scores(
    browser: Browser, live_server: LiveServer
) -> None:
    clinic, therapist = practice()
    base = live_server.url

    # 1. The requester books a free consultation time on their phone; the therapist confirms.
    requester = phone(browser)
    requester_checker = PageChecker(requester, base)
    book_a_consultation(requester, requester_checker, base, clinic.slug)
    request = ConsultationRequest.objects.get()
    hold = Appointment.objects.get(request=request)
    assert hold.status == Appointment.Status.REQUESTED

    clinician = phone(browser)
    clinician_checker = PageChecker(clinician, base)
    log_in(clinician, base, therapist.email, PASSWORD)
    clinician.goto(f"{base}/inbox/")
    clinician.get_by_role("link", name="Casey").click()
    clinician.get_by_role("button", name="Confirm this time").click()
    expect(clinician.get_by_text("Consultation confirmed.")).to_be_visible()
    clinician_checker.check("e2e-inbox-confirmed-phone")
    [confirmation] = AppointmentMessage.objects.filter(request=request)
    outbox.send_due_messages(confirmation.send_after)
    [told] = [m for m in mail.outbox if m.to == [SAFE["A"]]]
    assert str(told.body).startswith("Confirmed. Your appointment on ")
    assert therapy_words(f"{told.subject} {told.body}") == []

    # 2. After the consultation the request becomes the couple's case.
    couple = intake_actions.convert_request_to_case(
        therapist,
        request.id,
        label="Vega & Cole",
        partner_a_name="Casey Vega",
        partner_b_name="Jordan Cole",
        primary_clinician=therapist,
    )
    channels(therapist, couple)
    casey, jordan = couple.partners.order_by("role")
    for partner in (casey, jordan):
        portal_actions.invite_partner(therapist, partner.id)
    mail.outbox.clear()

    # 3. The therapist schedules a conjoint video session a little more than a day ahead.
    zone = clinic_zone(clinic)
    starts = (
        (hold.ends_at + timedelta(days=2))
        .astimezone(zone)
        .replace(hour=17, minute=30, second=0, microsecond=0)
    )
    clinician.goto(f"{base}/cases/{couple.id}/")
    section = clinician.locator("#appointments")
    section.get_by_text("Schedule a session").click()
    section.get_by_label("Session:", exact=True).select_option(label="Conjoint session (80 min)")
    section.get_by_label("Date").fill(starts.date().isoformat())
    section.get_by_label("Time").fill("17:30")
    section.get_by_label("By video").check()
    section.get_by_label("Video room address").fill(ROOM)
    section.get_by_role("button", name="Schedule").click()
    expect(clinician.locator("#appointments .saved")).to_contain_text("Appointment scheduled.")
    clinician_checker.check("e2e-case-scheduled-phone")
    session = Appointment.objects.get(couple=couple, kind=Appointment.Kind.CONJOINT)
    assert session.starts_at == starts

    # 4. A day before, the sweep sends the every-session check-in; each partner is told through
    # a safe address, opens the link on their phone and answers.
    day_before = session.starts_at - timedelta(hours=24)
    assert send_session_checkins(day_before - timedelta(minutes=1)) == 0
    assert send_session_checkins(day_before) == 1
    assert send_due_reminders(day_before) == 2
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [SAFE["A"], SAFE["B_EMAIL"]]
    )
    for partner, address in ((casey, SAFE["A"]), (jordan, SAFE["B_EMAIL"])):
        [token] = tokens_in_outbox(address)
        partner_page = phone(browser)
        partner_checker = PageChecker(partner_page, base)
        answer_every_check_in(partner_page, partner_checker, base, token)
        partner_checker.assert_clean()
        assert not Administration.objects.open().filter(partner=partner).exists()
    answered = Submission.objects.filter(administration__couple=couple)
    assert {s.administration.partner_id for s in answered} == {casey.id, jordan.id}
    assert all(s.submitted_at < session.starts_at for s in answered)

    # 5. The reminders reach each partner only through channels marked safe, and say nothing
    # but the time.
    mail.outbox.clear()
    sms.outbox.clear()
    # Casey by e-mail; Jordan by e-mail and by text (a message may be left there).
    assert queue_due_reminders(day_before) == 3
    pending = AppointmentMessage.objects.filter(
        appointment=session, status=AppointmentMessage.Status.PENDING
    )
    latest = max(m.send_after for m in pending)
    assert latest < session.starts_at
    outbox.send_due_messages(latest)
    reminders = AppointmentMessage.objects.filter(
        appointment=session, purpose=AppointmentMessage.Purpose.REMINDER
    )
    assert {m.status for m in reminders} == {AppointmentMessage.Status.SENT}
    emailed = sorted(address for m in mail.outbox for address in m.to)
    texted = sorted(m.to for m in sms.outbox)
    assert set(emailed) == {SAFE["A"], SAFE["B_EMAIL"]}
    # Jordan's text number gets the session's confirmation (queued when it was scheduled) and
    # its reminder; nobody else is texted.
    assert texted == [SAFE["B_TEXT"], SAFE["B_TEXT"]]
    assert sorted(m.body.split(" ")[0] for m in sms.outbox) == ["Confirmed.", "Reminder."]
    for address in UNSAFE:
        assert address not in emailed
        assert address not in texted
    for text in [f"{m.subject}\n{m.body}" for m in mail.outbox] + [m.body for m in sms.outbox]:
        assert therapy_words(text) == []
        assert not any(canary in text for canary in CANARIES)
        assert ROOM not in text

    # 6. The therapist opens the session with both partners' fresh scores.
    clinician.goto(f"{base}/cases/{couple.id}/appointments/{session.id}/")
    scores = clinician.locator("section", has=clinician.locator("#scores-title"))
    for name in ("Casey Vega", "Jordan Cole"):
        expect(scores.get_by_text(name).first).to_be_visible()
    expect(scores.get_by_text("Not answered yet")).to_have_count(0)
    expect(scores.locator(".score-value").first).to_be_visible()
    expect(clinician.get_by_role("link", name=ROOM)).to_be_visible()
    clinician_checker.check("e2e-session-scores-phone")
    clinician_checker.assert_clean()
    requester_checker.assert_clean()
