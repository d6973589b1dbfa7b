"""The request form's safe window for messages and the choice of their wording.

"Safe to send you a message between [time] and [time]": optional, both or neither, read as
clock times at the clinic, and it may cross midnight. Messages name the clinic and what they
are about only if the requester ticks the box; it starts unticked.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.appointments.models import Appointment, AppointmentSettings, SessionType
from rebond.couples.models import Couple
from rebond.intake import actions
from rebond.intake.models import ConsultationRequest
from rebond.intake.tests.conftest import make_request, valid_post
from rebond.test import sign_in

pytestmark = pytest.mark.django_db


def url(clinic: Clinic) -> str:
    return reverse("consultation_request", args=[clinic.slug])


def test_the_form_asks_for_a_window_and_leaves_the_wording_neutral_by_default(
    client: Client, clinic_a: Clinic
) -> None:
    clinic_a.timezone = "Europe/Madrid"
    clinic_a.save()
    body = client.get(url(clinic_a)).content.decode()
    assert "Safe to send you a message between these times (optional)" in body
    assert '<input type="time" name="safe_from" id="id_safe_from" value=""' in body
    assert '<input type="time" name="safe_until" id="id_safe_until" value=""' in body
    assert "Times in Europe/Madrid. Leave both empty for 09:00 to 20:00." in body
    box = re.search(r'<input type="checkbox" name="may_mention_therapy"[^>]*>', body)
    assert box is not None
    assert "checked" not in box.group(0)
    assert "Messages may say they come from Clinic A and what they are about" in body
    assert "Unticked, messages say only \u201cYour appointment on \u2026\u201d." in body


def test_the_usual_hours_named_are_the_clinics_own(client: Client, clinic_a: Clinic) -> None:
    AppointmentSettings.objects.create(
        clinic=clinic_a, default_window_start=time(10), default_window_end=time(18, 30)
    )
    assert "Leave both empty for 10:00 to 18:30." in client.get(url(clinic_a)).content.decode()


def test_a_request_without_a_window_keeps_the_neutral_wording(
    client: Client, clinic_a: Clinic
) -> None:
    assert client.post(url(clinic_a), valid_post()).status_code == 302
    request = ConsultationRequest.objects.get()
    assert (request.safe_from, request.safe_until) == (None, None)
    assert request.may_mention_therapy is False


@pytest.mark.parametrize(
    ("start", "end"),
    [("18:00", "20:00"), ("21:00", "07:00"), ("23:30", "00:15")],  # the last two cross midnight
)
def test_a_window_is_stored_as_given(
    client: Client, clinic_a: Clinic, start: str, end: str
) -> None:
    data = valid_post(safe_from=start, safe_until=end, may_mention_therapy="on")
    assert client.post(url(clinic_a), data).status_code == 302
    request = ConsultationRequest.objects.get()
    assert request.safe_from == time.fromisoformat(start)
    assert request.safe_until == time.fromisoformat(end)
    assert request.may_mention_therapy is True


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"safe_from": "18:00"}, "safe_until", "Give the time until which a message is safe too"),
        ({"safe_until": "20:00"}, "safe_from", "Give the time from which a message is safe too"),
        (
            {"safe_from": "18:00", "safe_until": "18:00"},
            "safe_until",
            "Give two different times, for example 18:00 and 20:00.",
        ),
        ({"safe_from": "25:00", "safe_until": "20:00"}, "safe_from", "Enter a time like 18:00."),
        ({"safe_from": "18:00", "safe_until": "eight"}, "safe_until", "Enter a time like 20:00."),
    ],
)
def test_a_window_must_have_both_times_and_nothing_typed_is_lost(
    client: Client, clinic_a: Clinic, given: dict[str, str], field: str, message: str
) -> None:
    data = valid_post(contact_value="+44 7700 900123", may_mention_therapy="on", **given)
    r = client.post(url(clinic_a), data)
    assert r.status_code == 400
    body = r.content.decode()
    error = re.search(rf'<p class="field-error" id="id_{field}-error">(.*?)</p>', body, re.S)
    assert error is not None
    assert message in error.group(1)
    assert f'href="#id_{field}"' in body  # the error summary links to the field
    assert f'aria-describedby="id_{field}-error"' in body
    for name, value in given.items():
        assert f'name="{name}" id="id_{name}" value="{value}"' in body
    assert 'value="+44 7700 900123"' in body
    assert re.search(r'name="may_mention_therapy"[^>]* checked', body)
    assert not ConsultationRequest.objects.exists()


def test_a_draft_without_the_new_fields_still_makes_a_request(clinic_a: Clinic) -> None:
    draft = actions.RequestDraft(
        name="Robin",
        contact_method="email",
        contact_value="robin@example.test",
        safe_times="",
        may_leave_message=True,
        feels_safe="yes",
    )
    request = actions.submit_request(clinic_a, draft, rate_key="k")
    assert request is not None
    assert (request.safe_from, request.may_mention_therapy) == (None, False)


def test_the_request_page_shows_the_window_and_the_wording_chosen(
    client: Client, clinic_a: Clinic, alice: User
) -> None:
    clinic_a.timezone = "Europe/Madrid"
    clinic_a.save()
    given = make_request(clinic_a, safe_from=time(21), safe_until=time(7), may_mention_therapy=True)
    none_given = make_request(clinic_a, name="Sam")
    sign_in(client, alice)
    body = client.get(reverse("inbox_request", args=[given.id])).content.decode()
    assert "21:00 to 07:00, Europe/Madrid time" in body
    assert "Messages may name the clinic and what they are about" in body
    body = client.get(reverse("inbox_request", args=[none_given.id])).content.decode()
    assert "Not given (the clinic's usual 09:00 to 20:00), Europe/Madrid time" in body
    assert "Neutral only: \u201cYour appointment on \u2026\u201d" in body


def test_converting_the_request_puts_its_consultation_on_the_case(
    clinic_a: Clinic, alice: User
) -> None:
    request = make_request(clinic_a)
    session_type = SessionType.objects.create(
        clinic=clinic_a, kind="consultation", name="Free consultation", duration_minutes=30
    )
    soon = request.created_at.replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    times = [
        Appointment.objects.create(
            clinic=clinic_a,
            clinician=alice,
            session_type=session_type,
            kind="consultation",
            starts_at=soon + timedelta(hours=hours),
            ends_at=soon + timedelta(hours=hours, minutes=30),
            status=status,
            request=request,
        )
        for hours, status in ((0, "released"), (1, "scheduled"))
    ]
    couple = actions.convert_request_to_case(
        alice,
        request.id,
        label="Robin & Jo",
        partner_a_name="Robin",
        partner_b_name="Jo",
        primary_clinician=alice,
    )
    released, scheduled = (Appointment.objects.get(pk=a.pk) for a in times)
    assert scheduled.couple == couple
    assert scheduled.request == request
    assert released.couple is None
    assert list(Couple.objects.get(pk=couple.pk).appointments.all()) == [scheduled]
    assert not scheduled.invited.exists()


@pytest.mark.parametrize(
    ("start", "end", "mention"),
    [(time(21), time(7), True), (None, None, False)],
    ids=["overnight-named", "clinic-default-neutral"],
)
def test_converting_carries_the_requesters_window_and_wording_onto_partner_as_channel(
    clinic_a: Clinic, alice: User, start: time | None, end: time | None, mention: bool
) -> None:
    request = make_request(clinic_a, safe_from=start, safe_until=end, may_mention_therapy=mention)
    couple = actions.convert_request_to_case(
        alice,
        request.id,
        label="Robin & Kit",
        partner_a_name="Robin",
        partner_b_name="Kit",
        primary_clinician=alice,
    )
    a, b = couple.partners.order_by("role")
    channel = a.contact_channels.get()
    assert (channel.safe_from, channel.safe_until) == (start, end)
    assert channel.may_mention_therapy is mention
    assert not b.contact_channels.exists()
