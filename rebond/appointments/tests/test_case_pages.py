"""The clinician's pages: the case page's "Appointments" section and its scheduling form, one
appointment's page (time, people, messages, both partners' latest scores) and its actions."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.alerts.tests.helpers import NOT_AT_ALL, answer
from rebond.appointments import sessions
from rebond.appointments.models import Appointment, AppointmentMessage, SessionType
from rebond.appointments.tests.session_helpers import schedule, session_types
from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple, Partner
from rebond.lib.clinic_time import clinic_zone
from rebond.test import load_synthetic_wording, make_clinic, make_clinician, make_couple, sign_in
from rebond.therapy.models import Session

pytestmark = pytest.mark.django_db

LINK = "https://video.example.org/room-CANARY-4b1d"


@pytest.fixture
def case() -> tuple[User, Couple]:
    clinic = make_clinic("Practice", timezone="Europe/Madrid")
    therapist = make_clinician(clinic, "Tess Therapist")
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


def client_for(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def form_data(couple: Couple, therapist: User, **fields: str) -> dict[str, str]:
    local = timezone.localtime(now() + timedelta(days=7), clinic_zone(couple.clinic))
    data = {
        "session_type": str(session_types(couple.clinic)[SessionType.Kind.CONJOINT].id),
        "clinician": str(therapist.id),
        "day": local.date().isoformat(),
        "clock": "17:30",
        "mode": "video",
        "video_link": LINK,
        "repeat": "2",
        "count": "4",
    }
    data.update(fields)
    return {f"appointment-{name}": value for name, value in data.items()}


def test_the_case_page_shows_the_section_and_its_scheduling_form(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    response = client_for(therapist).get(reverse("case", args=[couple.id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="appointments"' in body
    assert "No appointment ahead." in body
    assert reverse("appointment_schedule", args=[couple.id]) in body
    # Only the clinic's conjoint and individual sessions, and the case's clinicians.
    assert "Conjoint session (50 min)" in body
    assert "Individual session (50 min)" in body
    assert f'value="{therapist.id}" selected' in body


def test_a_fortnightly_series_is_scheduled_from_the_case_page(case: tuple[User, Couple]) -> None:
    therapist, couple = case
    client = client_for(therapist)
    response = client.post(
        reverse("appointment_schedule", args=[couple.id]), form_data(couple, therapist)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("case", args=[couple.id]) + "#appointments"
    placed = list(Appointment.objects.filter(couple=couple).order_by("starts_at"))
    assert len(placed) == 4
    assert all(a.video_link == LINK for a in placed)
    zone = clinic_zone(couple.clinic)
    assert {timezone.localtime(a.starts_at, zone).strftime("%H:%M") for a in placed} == {"17:30"}
    assert [(b.starts_at - a.starts_at).days for a, b in itertools.pairwise(placed)] == [14] * 3
    page = client.get(reverse("case", args=[couple.id])).content.decode()
    assert "4 appointments scheduled" in page
    for appointment in placed:
        assert reverse("appointment", args=[couple.id, appointment.id]) in page


def test_with_htmx_the_section_comes_back_with_the_new_appointments(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    response = client_for(therapist).post(
        reverse("appointment_schedule", args=[couple.id]),
        form_data(couple, therapist, repeat="0", count=""),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="appointments"')
    assert body.count("<section") == 1
    assert "Appointment scheduled." in body
    assert Appointment.objects.filter(couple=couple).count() == 1


def test_a_refused_schedule_comes_back_with_what_was_typed_and_saves_nothing(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    data = form_data(couple, therapist, video_link="http://not-secure.example.org/room")
    client = client_for(therapist)
    response = client.post(reverse("appointment_schedule", args=[couple.id]), data)
    body = response.content.decode()
    assert response.status_code == 422
    assert "<title>Error:" in body
    assert "starting with https://" in body
    assert 'value="http://not-secure.example.org/room"' in body
    assert f'value="{data["appointment-day"]}"' in body
    assert 'value="17:30"' in body
    assert not Appointment.objects.exists()
    # With htmx: the section alone, 422, for the case page's script to swap in.
    response = client.post(
        reverse("appointment_schedule", args=[couple.id]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert response.content.decode().lstrip().startswith('<section id="appointments"')


def test_a_colliding_series_is_refused_on_the_form_naming_the_dates(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    data = form_data(couple, therapist)
    first = datetime.fromisoformat(data["appointment-day"] + "T17:40")
    busy = first.replace(tzinfo=clinic_zone(couple.clinic)) + timedelta(weeks=4)
    schedule(therapist, make_couple(therapist, "Other"), busy)
    response = client_for(therapist).post(reverse("appointment_schedule", args=[couple.id]), data)
    assert response.status_code == 422
    assert f"{busy:%a} {busy.day} {busy:%b %Y}" in response.content.decode()
    assert not Appointment.objects.filter(couple=couple).exists()


@pytest.fixture
def answered(case: tuple[User, Couple]) -> tuple[User, Couple, Appointment]:
    """A scheduled video appointment, with both partners' CSI-4, A's PHQ-9 and B's HITS."""
    therapist, couple = case
    a, b = couple.partners.order_by("role")
    [appointment] = schedule(
        therapist, couple, now() + timedelta(days=3), video_link=LINK, at=now()
    )
    answer(therapist, couple, a, {1: 3, 2: 4, 3: 3, 4: 3}, code="CSI-4")
    answer(therapist, couple, b, {1: 5, 2: 5, 3: 5, 4: 5}, code="CSI-4")
    answer(therapist, couple, a, NOT_AT_ALL, code="PHQ-9")
    load_synthetic_wording("HITS")  # scoring-only: the clinic loads its licensed wording
    answer(therapist, couple, b, {1: 1, 2: 1, 3: 1, 4: 1}, code="HITS")
    return therapist, couple, appointment


def test_the_appointment_page_shows_time_people_messages_and_both_partners_scores(
    answered: tuple[User, Couple, Appointment],
) -> None:
    therapist, couple, appointment = answered
    b = couple.partners.get(role=Partner.Role.B)
    AppointmentMessage.objects.filter(partner=b).update(status=AppointmentMessage.Status.UNSENDABLE)
    response = client_for(therapist).get(reverse("appointment", args=[couple.id, appointment.id]))
    body = response.content.decode()
    assert response.status_code == 200
    local = timezone.localtime(appointment.starts_at, clinic_zone(couple.clinic))
    assert f"{local:%H:%M}" in body
    assert "Tess Therapist" in body
    assert "Conjoint" in body
    assert "By video" in body
    assert f'href="{LINK}"' in body
    assert "Dana Rivera and Sam Chen" in body
    assert "Waiting for a safe time" in body
    assert "No safe way to send" in body
    scores = body.split('id="scores-title"', 1)[1].split("</section>", 1)[0]
    assert "CSI-4" in scores
    assert scores.count("answered <time") == 3  # A's and B's CSI-4, A's PHQ-9 total
    assert "Not answered yet" in scores  # B's PHQ-9
    assert ">13<" in scores  # A's CSI-4 total: 3 + 4 + 3 + 3
    assert ">20<" in scores  # B's
    assert "PHQ-9" in scores
    assert "Individual measure" in scores
    # Risk screens stay on the check-ins page, where each view is audited.
    assert "HITS" not in scores
    assert not AuditEntry.objects.filter(action="assessments.risk_results.view").exists()
    assert "Record this session" not in body  # not started yet
    assert "Move the appointment" in body
    assert "Cancel the appointment" in body


@pytest.mark.parametrize("role", ["colleague", "clinic_admin", "outsider"])
def test_the_appointment_page_is_a_404_off_the_case(
    answered: tuple[User, Couple, Appointment], role: str
) -> None:
    _, couple, appointment = answered
    clinic = couple.clinic if role != "outsider" else make_clinic("Elsewhere")
    user = make_clinician(
        clinic, role, is_clinic_admin=role == "clinic_admin", is_therapist=role != "clinic_admin"
    )
    response = client_for(user).get(reverse("appointment", args=[couple.id, appointment.id]))
    assert response.status_code == 404
    assert LINK not in response.content.decode()


def test_a_supervisor_on_the_case_sees_the_appointment_page(
    answered: tuple[User, Couple, Appointment],
) -> None:
    _, couple, appointment = answered
    supervisor = make_clinician(couple.clinic, "Sue Supervisor", is_supervisor=True)
    Couple.objects.filter(pk=couple.pk).update(supervisor=supervisor)
    response = client_for(supervisor).get(reverse("appointment", args=[couple.id, appointment.id]))
    assert response.status_code == 200
    assert LINK in response.content.decode()


def started(therapist: User, couple: Couple, **fields: object) -> Appointment:
    """An appointment that started 10 minutes ago (scheduled two days ago)."""
    starts = now() - timedelta(minutes=10)
    [appointment] = schedule(
        therapist,
        couple,
        starts.replace(second=0, microsecond=0),
        at=starts - timedelta(days=2),
        **fields,  # type: ignore[arg-type]
    )
    return appointment


def test_record_this_session_opens_the_session_form_filled_from_the_appointment(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    a = couple.partners.get(role=Partner.Role.A)
    appointment = started(therapist, couple, kind="individual", partner=a)
    client = client_for(therapist)
    page = client.get(reverse("appointment", args=[couple.id, appointment.id])).content.decode()
    assert "Record this session" in page
    assert "Mark as a no-show" in page
    assert "Cancel the appointment" not in page
    form = client.get(reverse("appointment_record", args=[couple.id, appointment.id]))
    body = form.content.decode()
    assert form.status_code == 200
    assert f'action="{reverse("appointment_record", args=[couple.id, appointment.id])}"' in body
    local = timezone.localtime(appointment.starts_at, clinic_zone(couple.clinic))
    assert f'value="{local:%Y-%m-%dT%H:%M}"' in body
    assert re.search(r'value="individual"[^>]*checked', body)
    assert re.search(rf'value="{a.id}"[^>]*checked', body)
    b = couple.partners.get(role=Partner.Role.B)
    assert not re.search(rf'value="{b.id}"[^>]*checked', body)
    # Attendance is never filled in: one click must not record what nobody described.
    assert re.search(r'<option value="" selected>Choose what happened', body)


def test_recording_from_the_appointment_writes_one_session_and_links_it(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    a, b = couple.partners.order_by("role")
    appointment = started(therapist, couple)
    client = client_for(therapist)
    url = reverse("appointment_record", args=[couple.id, appointment.id])
    local = timezone.localtime(appointment.starts_at, clinic_zone(couple.clinic))
    data = {
        "kind": "conjoint",
        "occurred_at": f"{local:%Y-%m-%dT%H:%M}",
        "attendance": "held",
        "attendees": [str(a.id), str(b.id)],
        "shared_label": "Session",
        "clinical_purpose": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("appointment", args=[couple.id, appointment.id])
    appointment.refresh_from_db()
    session = Session.objects.get(couple=couple)
    assert appointment.session == session
    assert appointment.status == Appointment.Status.ATTENDED
    # The same form again (a second tab, a double click): refused, no second session.
    again = client.post(url, data)
    assert again.status_code == 409
    assert Session.objects.filter(couple=couple).count() == 1
    page = client.get(reverse("appointment", args=[couple.id, appointment.id])).content.decode()
    assert reverse("therapy_session", args=[couple.id, session.id]) in page
    assert "Record this session" not in page
    # Its GET now leads back to the appointment.
    assert client.get(url).status_code == 302


def test_a_refused_record_comes_back_with_what_was_typed(case: tuple[User, Couple]) -> None:
    therapist, couple = case
    appointment = started(therapist, couple)
    response = client_for(therapist).post(
        reverse("appointment_record", args=[couple.id, appointment.id]),
        {"kind": "conjoint", "occurred_at": "", "attendance": "held", "shared_label": "Met up"},
    )
    assert response.status_code == 422
    assert 'value="Met up"' in response.content.decode()
    assert not Session.objects.exists()


def test_no_show_cancel_and_move_from_the_appointment_page(case: tuple[User, Couple]) -> None:
    therapist, couple = case
    client = client_for(therapist)
    gone = started(therapist, couple)
    response = client.post(reverse("appointment_no_show", args=[couple.id, gone.id]))
    assert response.status_code == 302
    gone.refresh_from_db()
    assert gone.status == Appointment.Status.NO_SHOW
    assert gone.session is not None

    [ahead] = schedule(therapist, couple, now() + timedelta(days=5), at=now())
    # A no-show before the start is refused, and said so on the page.
    refused = client.post(reverse("appointment_no_show", args=[couple.id, ahead.id]))
    assert refused.status_code == 409
    assert "only once the appointment has started" in refused.content.decode()

    day = timezone.localtime(ahead.starts_at, clinic_zone(couple.clinic)).date() + timedelta(1)
    moved = client.post(
        reverse("appointment_move", args=[couple.id, ahead.id]),
        {"move-day": day.isoformat(), "move-clock": "09:10"},
    )
    assert moved.status_code == 302
    ahead.refresh_from_db()
    assert (
        timezone.localtime(ahead.starts_at, clinic_zone(couple.clinic)).strftime("%Y-%m-%d %H:%M")
        == f"{day.isoformat()} 09:10"
    )
    bad = client.post(
        reverse("appointment_move", args=[couple.id, ahead.id]),
        {"move-day": "2020-01-01", "move-clock": "09:10"},
    )
    assert bad.status_code == 422
    assert 'value="2020-01-01"' in bad.content.decode()

    cancelled = client.post(reverse("appointment_cancel", args=[couple.id, ahead.id]))
    assert cancelled.status_code == 302
    ahead.refresh_from_db()
    assert ahead.status == Appointment.Status.CANCELLED


def test_the_case_page_query_count_does_not_grow_with_appointments(
    case: tuple[User, Couple], django_assert_max_num_queries: object
) -> None:
    therapist, couple = case
    client = client_for(therapist)
    schedule(therapist, couple, now() + timedelta(days=1), at=now())
    url = reverse("case", args=[couple.id])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    schedule(therapist, couple, now() + timedelta(days=2), every_weeks=1, count=20, at=now())
    a = couple.partners.get(role=Partner.Role.A)
    sessions.schedule_sessions(
        therapist,
        couple.id,
        sessions.ScheduleDraft(
            session_type_id=session_types(couple.clinic)["individual"].id,
            clinician_id=therapist.id,
            day=(now() + timedelta(days=1)).date(),
            clock=time(7, 5),
            partner_id=a.id,
        ),
    )
    with django_assert_max_num_queries(len(one.captured_queries)):  # type: ignore[operator]
        response = client.get(url)
    assert response.content.decode().count('class="appointment-row ') > 20


def test_the_case_page_says_which_past_appointments_are_not_recorded_yet(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    [past] = schedule(therapist, couple, now() - timedelta(days=2), at=now() - timedelta(days=5))
    [recorded] = schedule(
        therapist, couple, now() - timedelta(days=4), at=now() - timedelta(days=5)
    )
    sessions.mark_no_show(therapist, couple.id, recorded.id)
    body = client_for(therapist).get(reverse("case", args=[couple.id])).content.decode()
    recent = body.split('id="appointments-recent"', 1)[1].split("</ul>", 1)[0]
    rows = recent.split("<li")[1:]
    assert len(rows) == 2
    [row_past] = [r for r in rows if str(past.id) in r]
    [row_recorded] = [r for r in rows if str(recorded.id) in r]
    assert "Not recorded yet" in row_past
    assert "No-show" in row_recorded
    assert "Not recorded yet" not in row_recorded
