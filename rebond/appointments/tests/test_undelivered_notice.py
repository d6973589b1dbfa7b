"""The case page tells its clinicians which messages about the case's appointments were not
delivered (failed, or no safe way to send), so that someone tells the person another way."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.appointments.models import AppointmentMessage
from rebond.couples.models import Couple
from rebond.test import make_couple, sign_in

from .helpers import channel, partners, schedule

pytestmark = pytest.mark.django_db

Status = AppointmentMessage.Status


def message(couple: Couple, appointment_start: datetime, **fields: object) -> AppointmentMessage:
    a, _ = partners(couple)
    appointment = couple.appointments.get(starts_at=appointment_start)
    values: dict[str, object] = {
        "purpose": AppointmentMessage.Purpose.REMINDER,
        "partner": a,
        "kind": "email",
        "send_after": now(),
    }
    values.update(fields)
    return AppointmentMessage.objects.create(appointment=appointment, **values)


@pytest.fixture
def couple(alice: User) -> Couple:
    couple = make_couple(alice, "Harbour case", partners=("Sam Person", "Alex Person"))
    channel(partners(couple)[0], "email", "sam.person@example.test")
    return couple


def case_page(client: Client, user: User, couple: Couple) -> str:
    sign_in(client, user)
    response = client.get(reverse("case", args=[couple.id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_lists_the_messages_not_delivered(
    client: Client, alice: User, couple: Couple
) -> None:
    start = (now() + timedelta(days=2)).replace(microsecond=0)
    schedule(alice, couple, start)
    message(couple, start, status=Status.FAILED, attempts=5, last_error="SMTPDataError")
    message(
        couple,
        start,
        kind="text",
        purpose=AppointmentMessage.Purpose.CONFIRMATION,
        status=Status.UNSENDABLE,
        last_error="The channel is no longer marked safe to contact.",
    )
    message(couple, start, purpose="change", status=Status.WITHDRAWN)
    message(couple, start, purpose="cancellation", status=Status.SENT)
    message(couple, start, purpose="cancellation", kind="text", status=Status.PENDING)
    page = case_page(client, alice, couple)
    assert 'id="undelivered-messages"' in page
    assert "2 messages about appointments were not delivered" in page
    assert "Reminder of the appointment on" in page
    assert "to Sam Person by e-mail: could not be delivered after 5 tries" in page
    assert "Confirmation of the appointment on" in page
    assert "by text message: The channel is no longer marked safe to contact." in page
    # A failure's technical cause stays in the database for the operator.
    assert "SMTPDataError" not in page


def test_nothing_is_shown_when_every_message_went_or_waits(
    client: Client, alice: User, couple: Couple
) -> None:
    start = now() + timedelta(days=2)
    schedule(alice, couple, start)
    message(couple, start, status=Status.SENT)
    message(couple, start, purpose="change", status=Status.WITHDRAWN)
    message(couple, start, purpose="confirmation", status=Status.PENDING)
    assert "undelivered-messages" not in case_page(client, alice, couple)


def test_a_failure_about_a_long_past_appointment_is_no_longer_shown(
    client: Client, alice: User, couple: Couple
) -> None:
    recent, old = now() - timedelta(days=13), now() - timedelta(days=15)
    schedule(alice, couple, recent)
    schedule(alice, couple, old)
    message(couple, old, status=Status.FAILED, attempts=5)
    assert "undelivered-messages" not in case_page(client, alice, couple)
    message(couple, recent, status=Status.UNSENDABLE)
    page = case_page(client, alice, couple)
    assert "1 message about an appointment was not delivered" in page
