"""Clinicians confirm, move or cancel a request's free consultation from the inbox.

Each of those queues exactly one message to the requester, through the way they chose and
inside the safe window they gave, read in the clinic's time zone; a requester who asked to be
phoned cannot be messaged, and the inbox says to call them. Holds nobody confirmed are released
by the sweep, without telling anyone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.appointments import consultations
from rebond.appointments.models import Appointment, AppointmentMessage, SessionType, TimeOff
from rebond.appointments.tests.consultation_helpers import (
    MONDAY_9,
    freeze,
    held,
    offer_consultations,
    weekly_hours,
)
from rebond.audit.models import AuditEntry
from rebond.intake.models import ConsultationRequest
from rebond.intake.tests.conftest import make_request
from rebond.lib.errors import ActionError
from rebond.lib.safe_window import is_inside
from rebond.test import make_clinician, sign_in

pytestmark = pytest.mark.django_db

TUESDAY_9 = MONDAY_9 + timedelta(days=1)
EVENING = {"safe_from": time(18), "safe_until": time(20)}


@pytest.fixture
def booking(clinic_a: Clinic, alice: User, monkeypatch: pytest.MonkeyPatch) -> SessionType:
    freeze(monkeypatch, MONDAY_9)
    weekly_hours(alice)
    return offer_consultations(clinic_a)


@pytest.fixture
def robin(clinic_a: Clinic) -> ConsultationRequest:
    """A requester reached by e-mail, only between 18:00 and 20:00."""
    return make_request(clinic_a, **EVENING)


@pytest.fixture
def hold(booking: SessionType, alice: User, robin: ConsultationRequest) -> Appointment:
    appointment = held(alice, robin, TUESDAY_9)
    Appointment.objects.filter(pk=appointment.pk).update(held_until=MONDAY_9 + timedelta(hours=72))
    appointment.refresh_from_db()
    return appointment


def signed_in(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


def page(client: Client, request: ConsultationRequest) -> str:
    response = client.get(reverse("inbox_request", args=[request.id]))
    assert response.status_code == 200
    return response.content.decode()


def post(client: Client, name: str, request: ConsultationRequest, **data: Any) -> Any:
    return client.post(reverse(name, args=[request.id]), data)


def the_one_message(request: ConsultationRequest) -> AppointmentMessage:
    [message] = AppointmentMessage.objects.all()
    assert message.request == request
    assert message.partner is None
    return message


def assert_inside_window(message: AppointmentMessage, zone: str, start: time, end: time) -> None:
    assert is_inside(message.send_after.astimezone(ZoneInfo(zone)), start, end)


# --- The request page ---------------------------------------------------------------------------


def test_the_request_page_shows_the_held_time_and_what_can_be_done(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User
) -> None:
    body = page(signed_in(client, alice), robin)
    assert "Free consultation" in body
    assert "Tuesday 2 March 2027, 09:00" in body
    assert "Held, waiting for the clinician" in body
    assert "until <time" in body
    assert "Alice Therapist" in body
    assert "Confirm this time" in body
    assert f'href="{reverse("inbox_consultation_time", args=[robin.id])}"' in body
    assert "Cancel the consultation" in body
    assert f'name="consultation" value="{hold.id}"' in body
    assert "18:00 to 20:00" in body
    assert "Neutral only" in body


def test_a_clinic_that_offers_no_consultation_shows_nothing_new(
    client: Client, clinic_a: Clinic, alice: User, robin: ConsultationRequest
) -> None:
    body = page(signed_in(client, alice), robin)
    assert "Free consultation" not in body
    assert "Offer a time" not in body


def test_a_requester_who_chose_no_time_can_be_offered_one(
    client: Client, booking: SessionType, alice: User, robin: ConsultationRequest
) -> None:
    body = page(signed_in(client, alice), robin)
    assert "They have not chosen a time." in body
    assert "Offer a time" in body


# --- Confirm, propose, cancel -------------------------------------------------------------------


def test_confirming_schedules_the_hold_and_queues_one_confirmation(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User
) -> None:
    r = post(signed_in(client, alice), "inbox_consultation_confirm", robin, consultation=hold.id)
    assert r.status_code == 302
    assert r["Location"] == reverse("inbox_request", args=[robin.id])
    hold.refresh_from_db()
    assert hold.status == Appointment.Status.SCHEDULED
    assert hold.held_until is None
    message = the_one_message(robin)
    assert message.purpose == AppointmentMessage.Purpose.CONFIRMATION
    assert message.kind == robin.contact_method == "email"
    assert message.status == AppointmentMessage.Status.PENDING
    assert message.appointment == hold
    # Monday 9:00 is outside 18:00-20:00: it waits for the evening.
    assert message.send_after == MONDAY_9.replace(hour=18)
    entry = AuditEntry.objects.get(action="appointments.consultation.confirm")
    assert entry.actor == alice
    assert entry.fields == ["held_until", "status"]
    body = page(client, robin)
    assert "Scheduled" in body
    assert "Confirm this time" not in body
    assert "Waiting for a safe time until 18:00" in body


def test_cancelling_queues_one_cancellation(
    client: Client, hold: Appointment, robin: ConsultationRequest, bob: User
) -> None:
    # Any therapist of the clinic triages its requests, not only the one whose time it is.
    r = post(signed_in(client, bob), "inbox_consultation_cancel", robin, consultation=hold.id)
    assert r.status_code == 302
    hold.refresh_from_db()
    assert hold.status == Appointment.Status.CANCELLED
    assert hold.cancelled_at == MONDAY_9
    message = the_one_message(robin)
    assert message.purpose == AppointmentMessage.Purpose.CANCELLATION
    assert_inside_window(message, "UTC", time(18), time(20))
    body = page(client, robin)
    assert "They have not chosen a time." not in body
    assert "No time is set now." in body
    assert "cancelled" in body


def test_proposing_a_free_time_moves_the_hold_and_queues_one_change(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User, bob: User
) -> None:
    weekly_hours(bob, time(14), time(15), days=[1])
    signed_in(client, alice)
    body = client.get(reverse("inbox_consultation_time", args=[robin.id])).content.decode()
    bobs = TUESDAY_9.replace(hour=14)
    value = f"{bob.id}/2027-03-02T14:00Z"
    assert f'value="{value}"' in body
    assert "with Bob Colleague" in body
    r = post(client, "inbox_consultation_time", robin, consultation=hold.id, slot=value)
    assert r.status_code == 302
    hold.refresh_from_db()
    assert (hold.clinician, hold.starts_at, hold.status) == (bob, bobs, "scheduled")
    assert hold.ends_at == bobs + timedelta(minutes=30)
    assert hold.held_until is None
    message = the_one_message(robin)
    assert message.purpose == AppointmentMessage.Purpose.CHANGE
    assert message.send_after == MONDAY_9.replace(hour=18)
    entry = AuditEntry.objects.get(action="appointments.consultation.propose")
    assert entry.fields == ["clinician", "ends_at", "held_until", "starts_at", "status"]


def test_a_time_typed_in_the_clinics_zone_is_stored_in_utc(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User, clinic_a: Clinic
) -> None:
    clinic_a.timezone = "Europe/Madrid"
    clinic_a.save()
    r = post(
        signed_in(client, alice),
        "inbox_consultation_time",
        robin,
        consultation=hold.id,
        clinician=alice.id,
        starts_at="2027-03-29T16:00",  # the day after the change to summer time (UTC+2)
    )
    assert r.status_code == 302
    hold.refresh_from_db()
    assert hold.starts_at == datetime(2027, 3, 29, 14, 0, tzinfo=UTC)
    assert the_one_message(robin).purpose == AppointmentMessage.Purpose.CHANGE


def test_a_time_the_clocks_skip_is_refused_beside_the_field(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User, clinic_a: Clinic
) -> None:
    clinic_a.timezone = "Europe/Madrid"
    clinic_a.save()
    r = post(
        signed_in(client, alice),
        "inbox_consultation_time",
        robin,
        consultation=hold.id,
        clinician=alice.id,
        starts_at="2027-03-28T02:30",  # 02:00 becomes 03:00 that night
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert 'id="id_starts_at-error"' in body
    assert 'value="2027-03-28T02:30"' in body
    hold.refresh_from_db()
    assert hold.starts_at == TUESDAY_9
    assert not AppointmentMessage.objects.exists()


def test_a_typed_time_already_taken_is_refused_and_kept(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User, clinic_a: Clinic
) -> None:
    other = make_request(clinic_a, name="Other")
    held(alice, other, TUESDAY_9 + timedelta(hours=2))
    r = post(
        signed_in(client, alice),
        "inbox_consultation_time",
        robin,
        consultation=hold.id,
        clinician=alice.id,
        starts_at="2027-03-02T11:15",
    )
    assert r.status_code == 409
    body = r.content.decode()
    assert "That time is no longer free in the clinician" in body
    assert 'value="2027-03-02T11:15"' in body
    assert re.search(rf'<option value="{alice.id}" selected>', body)
    hold.refresh_from_db()
    assert (hold.starts_at, hold.status) == (TUESDAY_9, Appointment.Status.REQUESTED)
    assert not AppointmentMessage.objects.exists()


def test_a_time_in_the_therapists_time_off_is_refused(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User
) -> None:
    TimeOff.objects.create(
        clinician=alice,
        starts_at=MONDAY_9 + timedelta(days=2),
        ends_at=MONDAY_9 + timedelta(days=3),
    )
    r = post(
        signed_in(client, alice),
        "inbox_consultation_time",
        robin,
        consultation=hold.id,
        clinician=alice.id,
        starts_at="2027-03-03T10:00",
    )
    assert r.status_code == 409
    assert "Alice Therapist is away then" in r.content.decode()
    assert not AppointmentMessage.objects.exists()


def test_offering_a_time_to_a_requester_who_chose_none_schedules_it(
    client: Client, booking: SessionType, robin: ConsultationRequest, alice: User, bob: User
) -> None:
    r = post(
        signed_in(client, alice),
        "inbox_consultation_time",
        robin,
        consultation="",
        clinician=bob.id,
        starts_at="2027-03-04T15:00",
    )
    assert r.status_code == 302
    offered = Appointment.objects.get()
    assert offered.request == robin
    assert offered.clinician == bob
    assert offered.status == Appointment.Status.SCHEDULED
    assert offered.created_by == alice
    assert offered.kind == Appointment.Kind.CONSULTATION
    assert offered.session_type == booking
    assert the_one_message(robin).purpose == AppointmentMessage.Purpose.CONFIRMATION
    assert AuditEntry.objects.filter(action="appointments.consultation.offer").count() == 1


def test_a_page_that_missed_the_requesters_choice_changes_nothing(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User
) -> None:
    # The clinician's page showed no consultation; the requester has chosen one since.
    signed_in(client, alice)
    r = post(
        client,
        "inbox_consultation_time",
        robin,
        consultation="",
        clinician=alice.id,
        starts_at="2027-03-04T10:00",
    )
    assert r.status_code == 409
    assert consultations.STALE in r.content.decode()
    for name in ("inbox_consultation_confirm", "inbox_consultation_cancel"):
        r = post(client, name, robin, consultation="")
        assert r.status_code == 302
    body = page(client, robin)
    assert consultations.STALE in body
    hold.refresh_from_db()
    assert (hold.starts_at, hold.status) == (TUESDAY_9, Appointment.Status.REQUESTED)
    assert not AppointmentMessage.objects.exists()


def test_confirming_a_released_hold_is_refused(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User
) -> None:
    Appointment.objects.filter(pk=hold.pk).update(status=Appointment.Status.RELEASED)
    post(signed_in(client, alice), "inbox_consultation_confirm", robin, consultation=hold.id)
    assert consultations.NOT_HELD in page(client, robin)
    hold.refresh_from_db()
    assert hold.status == Appointment.Status.RELEASED
    assert not AppointmentMessage.objects.exists()


def test_a_request_marked_as_spam_is_booked_nothing(
    hold: Appointment, robin: ConsultationRequest, alice: User
) -> None:
    ConsultationRequest.objects.filter(pk=robin.pk).update(status="spam")
    with pytest.raises(ActionError):
        consultations.confirm_consultation(alice, robin.id, hold.id, at=MONDAY_9)
    with pytest.raises(ActionError):
        consultations.propose_consultation_time(
            alice,
            robin.id,
            consultation_id=hold.id,
            clinician_id=alice.id,
            starts_at=TUESDAY_9 + timedelta(hours=1),
            at=MONDAY_9,
        )
    assert not AppointmentMessage.objects.exists()


# --- Messages: the requester's way and safe window ---------------------------------------------


@pytest.mark.parametrize(
    ("zone", "confirmed_at", "window", "expected"),
    [
        # Madrid moves to summer time in the night of Sunday 28 March 2027 (02:00 -> 03:00): a
        # window opening at 09:00 that Sunday opens at 07:00 UTC, not 08:00 as the day before.
        (
            "Europe/Madrid",
            datetime(2027, 3, 27, 21, 0, tzinfo=UTC),
            (time(9), time(12)),
            datetime(2027, 3, 28, 7, 0, tzinfo=UTC),
        ),
        # A window across midnight: at 23:30 in Madrid it is open at once.
        (
            "Europe/Madrid",
            datetime(2027, 3, 1, 22, 30, tzinfo=UTC),
            (time(21), time(7)),
            datetime(2027, 3, 1, 22, 30, tzinfo=UTC),
        ),
        # Sydney leaves summer time on Sunday 4 April 2027 (03:00 -> 02:00).
        (
            "Australia/Sydney",
            datetime(2027, 4, 3, 12, 0, tzinfo=UTC),
            (time(18), time(20)),
            datetime(2027, 4, 4, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_each_message_waits_for_the_requesters_window_at_the_clinic(
    clinic_a: Clinic,
    alice: User,
    zone: str,
    confirmed_at: datetime,
    window: tuple[time, time],
    expected: datetime,
) -> None:
    clinic_a.timezone = zone
    clinic_a.save()
    offer_consultations(clinic_a)
    request = make_request(clinic_a, safe_from=window[0], safe_until=window[1])
    hold = held(alice, request, confirmed_at + timedelta(days=3))
    consultations.confirm_consultation(alice, request.id, hold.id, at=confirmed_at)
    message = the_one_message(request)
    assert message.send_after == expected
    assert_inside_window(message, zone, *window)


def test_without_a_window_the_clinics_usual_hours_apply(
    hold: Appointment, clinic_a: Clinic, alice: User
) -> None:
    request = hold.request
    assert request is not None
    ConsultationRequest.objects.filter(pk=request.pk).update(safe_from=None, safe_until=None)
    request.refresh_from_db()
    at = datetime(2027, 3, 1, 22, 0, tzinfo=UTC)
    consultations.cancel_consultation(alice, request.id, hold.id, at=at)
    assert the_one_message(request).send_after == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


def test_a_text_goes_as_a_text_where_a_message_may_be_left(hold: Appointment, alice: User) -> None:
    request = hold.request
    assert request is not None
    request.contact_method, request.contact_value = "text", "+44 7700 900123"
    request.may_leave_message = True
    request.save()
    consultations.confirm_consultation(alice, request.id, hold.id, at=MONDAY_9)
    message = the_one_message(request)
    assert (message.kind, message.status) == ("text", AppointmentMessage.Status.PENDING)


@pytest.mark.parametrize(
    ("method", "may_leave_message", "shown"),
    [
        ("phone", True, "Asked to be phoned: call them at a safe time"),
        ("text", False, "No message may be left: call them at a safe time"),
    ],
)
def test_a_requester_who_cannot_be_messaged_is_to_be_called(
    client: Client,
    hold: Appointment,
    robin: ConsultationRequest,
    alice: User,
    method: str,
    may_leave_message: bool,
    shown: str,
) -> None:
    robin.contact_method, robin.contact_value = method, "+44 7700 900123"
    robin.may_leave_message = may_leave_message
    robin.save()
    post(signed_in(client, alice), "inbox_consultation_confirm", robin, consultation=hold.id)
    message = the_one_message(robin)
    assert message.status == AppointmentMessage.Status.UNSENDABLE
    assert message.kind == method
    assert shown in page(client, robin)


def test_sent_and_failed_messages_say_so(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User
) -> None:
    consultations.confirm_consultation(alice, robin.id, hold.id, at=MONDAY_9)
    AppointmentMessage.objects.update(status="sent", sent_at=MONDAY_9.replace(hour=18, minute=2))
    assert "Sent 1 Mar, 18:02" in page(signed_in(client, alice), robin)
    AppointmentMessage.objects.update(status="failed")
    assert "Could not be delivered" in page(client, robin)


# --- Who may --------------------------------------------------------------------------------------


def test_nobody_outside_the_clinics_triage_reaches_the_consultation(
    client: Client, hold: Appointment, robin: ConsultationRequest, charlie: User, clinic_a: Clinic
) -> None:
    supervisor_only = make_clinician(clinic_a, "Sue", is_therapist=False, is_supervisor=True)
    for user in (charlie, supervisor_only):
        signed_in(client, user)
        assert client.get(reverse("inbox_consultation_time", args=[robin.id])).status_code == 404
        for name in ("inbox_consultation_confirm", "inbox_consultation_cancel"):
            assert post(client, name, robin, consultation=hold.id).status_code == 404
        r = post(
            client,
            "inbox_consultation_time",
            robin,
            consultation=hold.id,
            clinician=str(charlie.id),
            starts_at="2027-03-04T10:00",
        )
        assert r.status_code == 404
    hold.refresh_from_db()
    assert hold.status == Appointment.Status.REQUESTED
    assert not AppointmentMessage.objects.exists()


def test_a_consultation_of_another_request_is_not_found(
    client: Client, hold: Appointment, clinic_a: Clinic, alice: User
) -> None:
    other = make_request(clinic_a, name="Other")
    r = post(signed_in(client, alice), "inbox_consultation_confirm", other, consultation=hold.id)
    assert r.status_code == 404
    hold.refresh_from_db()
    assert hold.status == Appointment.Status.REQUESTED


def test_only_the_clinics_therapists_can_be_given_the_consultation(
    client: Client, hold: Appointment, robin: ConsultationRequest, alice: User, charlie: User
) -> None:
    r = post(
        signed_in(client, alice),
        "inbox_consultation_time",
        robin,
        consultation=hold.id,
        clinician=charlie.id,
        starts_at="2027-03-04T10:00",
    )
    assert r.status_code == 400
    assert "Choose one of the clinic" in r.content.decode()
    hold.refresh_from_db()
    assert hold.clinician == alice


# --- The sweep --------------------------------------------------------------------------------


def test_release_expired_holds_frees_unconfirmed_times_and_tells_no_one(
    booking: SessionType, alice: User, bob: User, clinic_a: Clinic
) -> None:
    weekly_hours(bob)
    expired = held(alice, make_request(clinic_a, name="A"), TUESDAY_9)
    Appointment.objects.filter(pk=expired.pk).update(held_until=MONDAY_9 - timedelta(minutes=1))
    fresh = held(bob, make_request(clinic_a, name="B"), TUESDAY_9)
    Appointment.objects.filter(pk=fresh.pk).update(held_until=MONDAY_9 + timedelta(minutes=1))
    confirmed = held(alice, make_request(clinic_a, name="C"), TUESDAY_9 + timedelta(hours=1))
    Appointment.objects.filter(pk=confirmed.pk).update(
        status=Appointment.Status.SCHEDULED, held_until=MONDAY_9 - timedelta(days=1)
    )
    assert consultations.release_expired_holds(MONDAY_9) == 1
    statuses = dict(Appointment.objects.values_list("id", "status"))
    assert statuses == {
        expired.id: Appointment.Status.RELEASED,
        fresh.id: Appointment.Status.REQUESTED,
        confirmed.id: Appointment.Status.SCHEDULED,
    }
    assert not AppointmentMessage.objects.exists()
    entry = AuditEntry.objects.get(action="appointments.consultation.expire")
    assert (entry.actor, entry.actor_label, entry.fields) == (None, "public", ["status"])
    assert entry.object_id == str(expired.id)
    # Alice's 9:00 is free again (Bob's is still held); a second run releases nothing more.
    offer = consultations.booking_offer(clinic_a)
    assert offer is not None
    [nine] = [
        s
        for s in consultations.offered_slots(clinic_a, offer, at=MONDAY_9)
        if s.starts_at == TUESDAY_9
    ]
    assert nine.clinician_id == alice.id
    assert consultations.release_expired_holds(MONDAY_9) == 0
