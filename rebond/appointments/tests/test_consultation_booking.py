"""A requester chooses a time for the free consultation, right after sending the request.

Only where the clinic opted in, only from the browser that sent the request and within its
receipt window, never for a dropped (honeypot) submission. The times offered follow the
clinic's notice and horizon, the therapists' weekly hours, time off and appointments.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.appointments import booking as booking_module
from rebond.appointments import consultations
from rebond.appointments.consultation_forms import slot_value
from rebond.appointments.models import Appointment, AppointmentMessage, SessionType, TimeOff
from rebond.appointments.tests.consultation_helpers import (
    MONDAY_9,
    freeze,
    held,
    offer_consultations,
    send_request,
    weekly_hours,
)
from rebond.audit.models import AuditEntry
from rebond.intake.models import ConsultationRequest
from rebond.lib.errors import ActionError
from rebond.lib.neutral import therapy_words
from rebond.test import make_clinician

pytestmark = pytest.mark.django_db

TUESDAY_9 = MONDAY_9 + timedelta(days=1)


def time_url(clinic: Clinic) -> str:
    return reverse("consultation_time", args=[clinic.slug])


def file_url(clinic: Clinic) -> str:
    return reverse("consultation_time_ics", args=[clinic.slug])


def offered_times(body: str) -> list[str]:
    return re.findall(r'name="slot" id="[^"]+" value="([^"]+)"', body)


@pytest.fixture
def booking(clinic_a: Clinic, alice: User, monkeypatch: pytest.MonkeyPatch) -> SessionType:
    """Clinic A offers 30-minute consultations; Alice works 9 to 12 on weekdays; it is Monday 9."""
    freeze(monkeypatch, MONDAY_9)
    weekly_hours(alice)
    return offer_consultations(clinic_a)


# --- Which times are offered -----------------------------------------------------------------


def offered(clinic: Clinic, at: datetime = MONDAY_9) -> list[datetime]:
    offer = consultations.booking_offer(clinic)
    assert offer is not None
    return [slot.starts_at for slot in consultations.offered_slots(clinic, offer, at=at)]


def test_the_next_times_start_after_the_notice_and_stop_at_the_count(
    booking: SessionType, clinic_a: Clinic
) -> None:
    # 24 hours' notice by default: Monday's hours are too soon; six times are offered.
    assert offered(clinic_a) == [TUESDAY_9 + timedelta(minutes=30 * n) for n in range(6)]


def test_a_clinic_without_notice_offers_times_from_now(
    booking: SessionType, clinic_a: Clinic
) -> None:
    clinic_a.appointment_settings.booking_notice_hours = 0
    clinic_a.appointment_settings.save()
    assert offered(clinic_a)[0] == MONDAY_9


def test_nothing_beyond_the_horizon_is_offered(booking: SessionType, clinic_a: Clinic) -> None:
    settings = clinic_a.appointment_settings
    settings.booking_notice_hours, settings.booking_horizon_days = 0, 1
    settings.save()
    assert offered(clinic_a) == [MONDAY_9 + timedelta(minutes=30 * n) for n in range(6)]
    settings.slots_offered = 20
    settings.save()
    # Monday's six times only: Tuesday 9:00 is a day ahead, beyond the horizon.
    assert offered(clinic_a)[-1] == MONDAY_9 + timedelta(hours=2, minutes=30)


def test_only_weekly_hours_are_offered(booking: SessionType, clinic_a: Clinic) -> None:
    clinic_a.appointment_settings.slots_offered = 20
    clinic_a.appointment_settings.save()
    times = offered(clinic_a)
    assert all(t.weekday() < 5 and time(9) <= t.time() < time(12) for t in times)
    assert len(times) == 20  # Tuesday, Wednesday, then part of Thursday


def test_time_off_and_appointments_are_not_offered(
    booking: SessionType, clinic_a: Clinic, alice: User
) -> None:
    TimeOff.objects.create(
        clinician=alice, starts_at=TUESDAY_9, ends_at=TUESDAY_9 + timedelta(hours=1)
    )
    request = ConsultationRequest.objects.create(
        clinic=clinic_a,
        name="Sam",
        contact_method="email",
        contact_value="sam@example.test",
        may_leave_message=True,
        feels_safe="yes",
        consented_at=MONDAY_9,
    )
    held(alice, request, TUESDAY_9 + timedelta(hours=1))
    cancelled = held(alice, request, TUESDAY_9 + timedelta(hours=2))
    cancelled.status = Appointment.Status.CANCELLED
    cancelled.save()
    # 9:00-10:00 off, 10:00 held; a cancelled appointment at 11:00 takes up no time.
    assert offered(clinic_a)[:3] == [
        TUESDAY_9 + timedelta(minutes=90),
        TUESDAY_9 + timedelta(hours=2),
        TUESDAY_9 + timedelta(minutes=150),
    ]


def test_times_of_several_therapists_are_merged_once_each(
    booking: SessionType, clinic_a: Clinic, bob: User
) -> None:
    weekly_hours(bob, time(9), time(9, 30), days=[1])
    weekly_hours(bob, time(12), time(12, 30), days=[1])
    clinic_a.appointment_settings.slots_offered = 7
    clinic_a.appointment_settings.save()
    times = offered(clinic_a)
    assert times.count(TUESDAY_9) == 1
    assert times[-1] == TUESDAY_9 + timedelta(hours=3)  # Bob's 12:00


def test_inactive_therapists_and_people_who_are_not_therapists_are_never_offered(
    booking: SessionType, clinic_a: Clinic, alice: User
) -> None:
    alice.is_active = False
    alice.save()
    admin = make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)
    weekly_hours(admin)
    assert consultations.booking_offer(clinic_a) is not None
    assert offered(clinic_a) == []


# --- The receipt and the page ------------------------------------------------------------------


def test_booking_is_off_by_default_and_nothing_changes(
    client: Client, clinic_a: Clinic, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze(monkeypatch, MONDAY_9)
    weekly_hours(alice)
    offer_consultations(clinic_a, booking=False)
    send_request(client, clinic_a)
    receipt = client.get(reverse("consultation_request_sent", args=[clinic_a.slug]))
    assert "Choose a time" not in receipt.content.decode()
    r = client.get(time_url(clinic_a))
    assert r.status_code == 302
    assert r["Location"] == reverse("consultation_request_sent", args=[clinic_a.slug])
    r = client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    assert r.status_code == 302
    assert not Appointment.objects.exists()


def test_a_clinic_with_no_free_consultation_type_offers_no_time(
    client: Client, booking: SessionType, clinic_a: Clinic
) -> None:
    booking.is_active = False
    booking.save()
    send_request(client, clinic_a)
    receipt = client.get(reverse("consultation_request_sent", args=[clinic_a.slug]))
    assert "Choose a time" not in receipt.content.decode()
    assert client.get(time_url(clinic_a)).status_code == 302


def test_the_receipt_offers_the_clinics_next_times_in_its_zone(
    client: Client, booking: SessionType, clinic_a: Clinic
) -> None:
    clinic_a.timezone = "Europe/Madrid"
    clinic_a.save()
    send_request(client, clinic_a)
    receipt = client.get(reverse("consultation_request_sent", args=[clinic_a.slug]))
    body = receipt.content.decode()
    assert "Choose a time for your free consultation" in body
    assert f'href="{time_url(clinic_a)}"' in body
    r = client.get(time_url(clinic_a))
    assert r.status_code == 200
    body = r.content.decode()
    assert "Times are in Europe/Madrid time." in body
    assert "Tuesday 2 March" in body
    # Monday 9:00 UTC is 10:00 at the clinic (CET, UTC+1): a day's notice makes Tuesday's
    # 10:00 at the clinic, 9:00 UTC, the first time offered.
    assert offered_times(body)[0] == "2027-03-02T09:00Z"
    assert len(offered_times(body)) == 6
    labels = re.findall(r">(\d\d:\d\d)</time></label>", body)
    assert labels == ["10:00", "10:30", "11:00", "11:30", "09:00", "09:30"]
    assert body.index("Tuesday 2 March") < body.index("Wednesday 3 March")


def test_choosing_a_time_holds_it_for_the_clinic_to_confirm(
    client: Client, booking: SessionType, clinic_a: Clinic, alice: User
) -> None:
    request = send_request(client, clinic_a)
    assert request is not None
    r = client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    assert r.status_code == 302
    assert r["Location"] == time_url(clinic_a)
    hold = Appointment.objects.get()
    assert hold.request == request
    assert hold.clinician == alice
    assert hold.status == Appointment.Status.REQUESTED
    assert hold.kind == Appointment.Kind.CONSULTATION
    assert (hold.starts_at, hold.ends_at) == (TUESDAY_9, TUESDAY_9 + timedelta(minutes=30))
    assert hold.held_until == MONDAY_9 + timedelta(hours=72)
    assert hold.created_by is None
    assert hold.couple is None
    entry = AuditEntry.objects.get(action="appointments.consultation.hold")
    assert entry.actor_label == "public"
    assert entry.object_id == str(hold.id)
    # Nothing is sent to the requester: they are looking at the page.
    assert not AppointmentMessage.objects.exists()
    body = client.get(time_url(clinic_a)).content.decode()
    assert "Your time is held" in body
    assert "Tuesday 2 March 2027, 09:00" in body
    assert "Waiting for the clinic to confirm" in body
    assert f'href="{file_url(clinic_a)}"' in body
    assert "Download a calendar file" in body
    assert slot_value(TUESDAY_9) not in offered_times(body)


def test_choosing_again_releases_the_first_hold(
    client: Client, booking: SessionType, clinic_a: Clinic
) -> None:
    send_request(client, clinic_a)
    client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    later = TUESDAY_9 + timedelta(hours=1)
    r = client.post(time_url(clinic_a), {"slot": slot_value(later)})
    assert r.status_code == 302
    first, second = Appointment.objects.order_by("starts_at")
    assert first.status == Appointment.Status.RELEASED
    assert (second.status, second.starts_at) == (Appointment.Status.REQUESTED, later)
    assert AuditEntry.objects.filter(action="appointments.consultation.release").count() == 1
    # The released time is free again, for this requester and everyone else.
    assert slot_value(TUESDAY_9) in offered_times(client.get(time_url(clinic_a)).content.decode())


def test_a_time_taken_meanwhile_is_refused_and_the_first_hold_kept(
    client: Client, booking: SessionType, clinic_a: Clinic, alice: User
) -> None:
    send_request(client, clinic_a)
    client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    other = send_request(Client(), clinic_a, name="Other")
    assert other is not None
    taken = TUESDAY_9 + timedelta(hours=1)
    held(alice, other, taken)
    r = client.post(time_url(clinic_a), {"slot": slot_value(taken)})
    assert r.status_code == 409
    body = r.content.decode()
    assert consultations.TAKEN in body
    assert slot_value(taken) not in offered_times(body)
    mine = Appointment.objects.get(starts_at=TUESDAY_9)
    assert mine.status == Appointment.Status.REQUESTED


@pytest.mark.parametrize("refused_by", ["place's check", "the database"])
def test_a_time_lost_after_the_check_is_refused_by_place_with_fresh_times(
    client: Client,
    booking: SessionType,
    clinic_a: Clinic,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    refused_by: str,
) -> None:
    send_request(client, clinic_a)
    rival = send_request(Client(), clinic_a, name="Rival")
    assert rival is not None
    client.get(time_url(clinic_a))
    # The rival held 9:00 after this browser's page was shown and after its check found the
    # time free (the check is stale); booking.place, or below it the database, refuses.
    held(alice, rival, TUESDAY_9)
    monkeypatch.setattr(consultations, "is_free_slot", lambda *args: True)
    if refused_by == "the database":
        monkeypatch.setattr(booking_module, "overlapping", lambda appointment: False)
    r = client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    assert r.status_code == 409
    body = r.content.decode()
    assert consultations.TAKEN in body
    assert 'role="alert"' in body
    assert slot_value(TUESDAY_9) not in offered_times(body)
    assert offered_times(body)[0] == slot_value(TUESDAY_9 + timedelta(minutes=30))
    assert list(Appointment.objects.values_list("request_id", flat=True)) == [rival.id]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "tomorrow",
        "2027-03-02T09:00",  # no zone: refused, never guessed
        slot_value(MONDAY_9 + timedelta(hours=1)),  # inside the notice
        slot_value(TUESDAY_9 + timedelta(minutes=10)),  # not a slot's start
        slot_value(MONDAY_9 + timedelta(days=40)),  # beyond the horizon
        slot_value(TUESDAY_9 + timedelta(hours=4)),  # outside the hours
    ],
)
def test_a_time_not_offered_cannot_be_held(
    client: Client, booking: SessionType, clinic_a: Clinic, value: str
) -> None:
    send_request(client, clinic_a)
    r = client.post(time_url(clinic_a), {"slot": value})
    assert r.status_code in (400, 409)
    assert 'class="field-error"' in r.content.decode()
    assert not Appointment.objects.exists()


def test_only_the_browser_that_sent_the_request_may_choose(
    client: Client, booking: SessionType, clinic_a: Clinic
) -> None:
    send_request(client, clinic_a)
    stranger = Client()
    form = reverse("consultation_request", args=[clinic_a.slug])
    r = stranger.get(time_url(clinic_a))
    assert (r.status_code, r["Location"]) == (302, form)
    r = stranger.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    assert (r.status_code, r["Location"]) == (302, form)
    assert stranger.get(file_url(clinic_a))["Location"] == form
    assert not Appointment.objects.exists()


def test_the_choice_ends_with_the_receipt_window(
    client: Client, booking: SessionType, clinic_a: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    send_request(client, clinic_a)
    freeze(monkeypatch, MONDAY_9 + timedelta(minutes=31))
    r = client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    assert r["Location"] == reverse("consultation_request", args=[clinic_a.slug])
    assert not Appointment.objects.exists()


def test_another_clinics_page_offers_nothing_to_this_browser(
    client: Client, booking: SessionType, clinic_a: Clinic, clinic_b: Clinic
) -> None:
    send_request(client, clinic_a)
    offer_consultations(clinic_b)
    r = client.post(time_url(clinic_b), {"slot": slot_value(TUESDAY_9)})
    assert r["Location"] == reverse("consultation_request", args=[clinic_b.slug])
    assert not Appointment.objects.exists()


def test_a_dropped_honeypot_submission_is_offered_no_time(
    client: Client, booking: SessionType, clinic_a: Clinic
) -> None:
    assert send_request(client, clinic_a, website="https://spam.example") is None
    receipt = reverse("consultation_request_sent", args=[clinic_a.slug])
    body = client.get(receipt).content.decode()
    assert "Thank you" in body
    assert "Choose a time" not in body
    assert client.get(time_url(clinic_a))["Location"] == receipt
    assert client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})["Location"] == receipt
    assert not Appointment.objects.exists()


def test_a_time_the_clinic_set_is_shown_and_not_offered_for_change(
    client: Client, booking: SessionType, clinic_a: Clinic
) -> None:
    send_request(client, clinic_a)
    client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    Appointment.objects.update(status=Appointment.Status.SCHEDULED)
    body = client.get(time_url(clinic_a)).content.decode()
    assert "Your time is confirmed" in body
    assert offered_times(body) == []
    r = client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9 + timedelta(hours=1))})
    assert r.status_code == 409
    assert consultations.ALREADY_SET in r.content.decode()
    assert Appointment.objects.get().starts_at == TUESDAY_9


def test_the_calendar_file_holds_the_time_and_nothing_else(
    client: Client, booking: SessionType, clinic_a: Clinic
) -> None:
    send_request(client, clinic_a, name="Robin Therapy-Seeker")
    assert client.get(file_url(clinic_a))["Location"] == time_url(clinic_a)  # nothing held yet
    client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    r = client.get(file_url(clinic_a))
    assert r.status_code == 200
    assert r["Content-Type"] == "text/calendar; charset=utf-8"
    assert r["Content-Disposition"] == 'attachment; filename="appointment.ics"'
    body = r.content.decode()
    assert "DTSTART:20270302T090000Z" in body
    assert "DTEND:20270302T093000Z" in body
    assert "SUMMARY:Appointment" in body
    assert therapy_words(body) == []
    for private in ("Robin", "Clinic A", "Alice", "DESCRIPTION", "LOCATION", "ATTENDEE"):
        assert private not in body


def test_choosing_a_time_is_refused_to_an_action_caller_when_not_offered(
    clinic_a: Clinic, alice: User
) -> None:
    weekly_hours(alice)
    offer_consultations(clinic_a, booking=False)
    request = ConsultationRequest.objects.create(
        clinic=clinic_a,
        name="Sam",
        contact_method="email",
        contact_value="sam@example.test",
        may_leave_message=True,
        feels_safe="yes",
        consented_at=MONDAY_9,
    )
    with pytest.raises(ActionError) as refused:
        consultations.hold_consultation(request, TUESDAY_9, at=MONDAY_9)
    assert refused.value.status == 404
    assert not Appointment.objects.exists()


def test_a_request_declined_meanwhile_is_offered_no_more_holds(
    client: Client, booking: SessionType, clinic_a: Clinic
) -> None:
    request = send_request(client, clinic_a)
    assert request is not None
    ConsultationRequest.objects.filter(pk=request.pk).update(status="declined")
    r = client.post(time_url(clinic_a), {"slot": slot_value(TUESDAY_9)})
    assert r.status_code == 409
    body = r.content.decode()
    assert consultations.NOT_OFFERED in body
    assert "declined" not in body.lower()
    assert not Appointment.objects.exists()
