"""Canaries: no message about an appointment and no calendar file carries a name, a case label,
a clinical value or a therapy word, unless the recipient allowed the open wording (and then
still no name and no clinical value) (issue 18, "Done when").

Every private field of the case and of the requests holds a unique canary string. Every
sending path runs: reminders (through the sweep), confirmations, changes and cancellations,
by e-mail and by text, to partners and to requesters, the check-in notice before a session,
and the calendar files of ical.py. The clinic is called "Couples Therapy Centre", so a
neutral message that names the clinic fails. Its address for replies is neutral, as the
clinic settings page asks; when it is not (hello@couplestherapy.example), the appointment
messages leave it out for whoever did not allow the open wording.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils.timezone import now

from rebond.appointments import recipients
from rebond.appointments.checkins import send_session_checkins
from rebond.appointments.ical import Entry, calendar_file
from rebond.appointments.models import Appointment, AppointmentMessage
from rebond.appointments.outbox import send_due_messages
from rebond.appointments.reminders import queue_due_reminders
from rebond.appointments.wording import when_text
from rebond.assessments.reminders import send_due_reminders
from rebond.couples import actions as couple_actions
from rebond.couples.models import Partner
from rebond.lib import sms
from rebond.lib.neutral import therapy_words
from rebond.portal import actions as portal_actions
from rebond.portal.models import PrivateLink
from rebond.test import make_clinic, make_clinician, make_couple
from rebond.therapy.models import Session

from .helpers import appointment_settings, channel, consultation_request, schedule

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
Purpose = AppointmentMessage.Purpose
CLINIC_NAME = "Couples Therapy Centre"
NEUTRAL_REPLY_TO = "front-desk@example.test"
TELLING_REPLY_TO = "hello@couplestherapy.example"
ZONE = ZoneInfo("Europe/London")
OPENINGS: dict[str, str] = {
    Purpose.REMINDER: "Reminder.",
    Purpose.CONFIRMATION: "Confirmed.",
    Purpose.CHANGE: "Changed.",
    Purpose.CANCELLATION: "Cancelled.",
}


def canary(what: str) -> str:
    # Letters and digits only, and no therapy word in it.
    return f"Canary{what}{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Address:
    value: str
    is_open: bool


@dataclass
class World:
    canaries: list[str]
    addresses: dict[str, Address]
    appointments: dict[str, list[Appointment]]


def build(capture: CommitCapture, at: datetime, reply_to: str = NEUTRAL_REPLY_TO) -> World:
    canaries: list[str] = []

    def secret(what: str) -> str:
        value = canary(what)
        canaries.append(value)
        return value

    clinic = make_clinic(CLINIC_NAME, timezone="Europe/London", reply_to_email=reply_to)
    appointment_settings(clinic, checkin_lead_hours=24)
    therapist = make_clinician(clinic, "Dr Therapist")
    couple = make_couple(therapist, secret("Label"), partners=(secret("NameA"), secret("NameB")))
    a = couple.partners.get(role=Partner.Role.A)
    b = couple.partners.get(role=Partner.Role.B)
    couple_actions.record_injury(
        therapist,
        couple.id,
        couple_actions.InjuryDraft(
            category="infidelity",
            subtype="emotional_affair",
            hurt_partner_id=a.id,
            hurtful_partner_id=b.id,
            disclosure_state="known_to_both",
            onset_period=secret("Injury"),
        ),
    )
    addresses = {
        "a-email": Address("a-neutral@example.test", is_open=False),
        "a-text": Address("+44 7700 900101", is_open=False),
        "b-email": Address("b-open@example.test", is_open=True),
        "b-text": Address("+44 7700 900102", is_open=True),
        "r1": Address("r1-neutral@example.test", is_open=False),
        "r2": Address("+44 7700 900103", is_open=False),
        "r3": Address("r3-open@example.test", is_open=True),
    }
    for partner, side in ((a, "a"), (b, "b")):
        email, text = addresses[f"{side}-email"], addresses[f"{side}-text"]
        channel(partner, "email", email.value, may_mention_therapy=email.is_open)
        channel(
            partner, "text", text.value, may_leave_message=True, may_mention_therapy=text.is_open
        )
    requests = [
        consultation_request(
            clinic,
            name=secret(f"Requester{key}"),
            contact_method="text" if key == "r2" else "email",
            contact_value=addresses[key].value,
            may_leave_message=key == "r2",
            may_mention_therapy=addresses[key].is_open,
            concerns=["infidelity"],
            concerns_text=secret(f"Request{key}"),
            safe_times=secret(f"SafeTimes{key}"),
        )
        for key in ("r1", "r2", "r3")
    ]
    # Both partners were invited to their space a week ago (the check-in notice needs it).
    with capture(execute=True):
        for partner in (a, b):
            portal_actions.invite_partner(therapist, partner.id)
    PrivateLink.objects.update(created_at=now() - timedelta(days=7))

    appointments: dict[str, list[Appointment]] = {}
    # The reminded session is inside the reminder and check-in leads (24 h), the others after.
    start = at + timedelta(hours=20)
    for purpose in OPENINGS:
        status = "cancelled" if purpose == Purpose.CANCELLATION else "scheduled"
        session = schedule(therapist, couple, start, status=status)
        record = Session.objects.create(
            couple=couple,
            occurred_at=start,
            shared_label=secret("SharedLabel"),
            clinical_purpose=secret("Purpose"),
            created_by=therapist,
        )
        Appointment.objects.filter(pk=session.pk).update(session=record)
        consultations = []
        for request in requests:
            start += timedelta(hours=1)
            consultations.append(
                schedule(
                    therapist, None, start, kind="consultation", request=request, status=status
                )
            )
        appointments[purpose] = [session, *consultations]
        start = max(start + timedelta(hours=1), at + timedelta(hours=30))
    return World(canaries, addresses, appointments)


def send_everything(capture: CommitCapture, world: World, at: datetime) -> None:
    for purpose, (session, *consultations) in world.appointments.items():
        if purpose != Purpose.REMINDER:  # reminders are queued by their sweep, below
            recipients.queue_partner_messages(session, purpose, at)
        for consultation in consultations:
            assert consultation.request is not None
            recipients.queue_requester_message(consultation, consultation.request, purpose, at)
    mail.outbox.clear()  # the invitations, checked by their own tests
    assert queue_due_reminders(at) == 4  # two channels for each of the two partners
    assert send_session_checkins(at) == 1  # the reminded session's check-ins
    with capture(execute=True):
        assert send_due_reminders(at) == 2  # the check-in notice to each partner
    send_due_messages(at)


def email_text(message: EmailMessage) -> str:
    """Return everything an e-mail shows: all its headers and its body."""
    return str(message.message().as_string())


def test_no_message_or_calendar_file_names_a_person_a_case_or_the_therapy(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    at = datetime(2027, 3, 1, 10, 0, tzinfo=ZONE)  # Monday, inside the default window
    world = build(django_capture_on_commit_callbacks, at)
    send_everything(django_capture_on_commit_callbacks, world, at)
    messages = AppointmentMessage.objects.all()
    # Every path ran and every message went: 4 purposes x (4 partner channels + 3 requesters).
    assert messages.count() == 28
    assert {m.status for m in messages} == {AppointmentMessage.Status.SENT}
    assert len(sms.outbox) == 4 * 3
    assert len(mail.outbox) == 4 * 4 + 2  # + the two check-in notices

    by_address = {address.value: address for address in world.addresses.values()}
    sent: list[tuple[Address | None, str, str]] = [
        (by_address.get(m.to[0]), email_text(m), str(m.body)) for m in mail.outbox
    ] + [(by_address[t.to], t.body, t.body) for t in sms.outbox]
    opened = 0
    for address, everything, body in sent:
        for value in world.canaries:
            assert value not in everything
        if address is None:
            continue  # not sent to an address above
        is_notice = "/p/" in body
        if address.is_open and not is_notice:
            opened += 1
            # The open wording: the clinic's name and the time, nothing else.
            opening, rest = body.rstrip("\n").split(" ", 1)
            assert opening in OPENINGS.values()
            assert rest.startswith(f"Your appointment with {CLINIC_NAME} on ")
        else:
            assert therapy_words(everything) == [], everything
            assert CLINIC_NAME not in everything
            assert "couplestherapy" not in everything
    assert opened == 4 * 3  # B's two channels and the third requester, for each purpose

    # The calendar files: every appointment, kept and cancelled, in one file and one by one.
    entries = [
        Entry(
            uid=str(appointment.id),
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            cancelled=appointment.status == "cancelled",
        )
        for appointments in world.appointments.values()
        for appointment in appointments
    ]
    for calendar in [calendar_file(entries), *(calendar_file([entry]) for entry in entries)]:
        text = calendar.decode()
        assert "BEGIN:VEVENT" in text
        assert therapy_words(text) == []
        for value in world.canaries:
            assert value not in text
        assert CLINIC_NAME not in text


def test_the_neutral_wording_is_the_time_alone_and_a_telling_reply_address_is_left_out(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    at = datetime(2027, 3, 1, 10, 0, tzinfo=ZONE)
    world = build(django_capture_on_commit_callbacks, at, reply_to=TELLING_REPLY_TO)
    send_everything(django_capture_on_commit_callbacks, world, at)
    about = [m for m in mail.outbox if "/p/" not in m.body]  # the appointment messages
    neutral = [m for m in about if m.to == ["a-neutral@example.test"]]
    assert {m.subject for m in neutral} == {"Your appointment"}
    assert {tuple(m.reply_to) for m in neutral} == {()}
    for message in neutral:
        assert therapy_words(email_text(message)) == []
    assert sorted(str(m.body) for m in neutral) == sorted(
        f"{OPENINGS[purpose]} Your appointment on {when_text(session.starts_at, ZONE)}.\n"
        for purpose, (session, *_) in world.appointments.items()
    )
    # Whoever allowed the open wording may see where replies go.
    opened = [m for m in about if m.to == ["b-open@example.test"]]
    assert {tuple(m.reply_to) for m in opened} == {(TELLING_REPLY_TO,)}


def test_the_check_in_notice_leaves_out_a_telling_reply_address(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    at = datetime(2027, 3, 1, 10, 0, tzinfo=ZONE)
    world = build(django_capture_on_commit_callbacks, at, reply_to=TELLING_REPLY_TO)
    send_everything(django_capture_on_commit_callbacks, world, at)
    [notice] = [m for m in mail.outbox if m.to == ["a-neutral@example.test"] and "/p/" in m.body]
    assert therapy_words(email_text(notice)) == []
