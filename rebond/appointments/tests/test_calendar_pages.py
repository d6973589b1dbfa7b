"""The clinician's week and the clinic calendar: what each shows, to whom (DOMAIN.md 7.5).

A clinician sees their own appointments, titled by case label only on cases they are on; a
consultation hold reads "Consultation (held)" and never names the requester; nothing shows a
partner, a clinical purpose or a video link. A clinic admin sees every clinician's
appointments as metadata only: whose, when, what kind, what status.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now
from pytest_django import DjangoAssertNumQueries

from rebond.accounts.models import Clinic, User
from rebond.appointments.models import Appointment, SessionType, TimeOff
from rebond.appointments.tests.calendar_helpers import at, book, hours
from rebond.couples.models import Couple
from rebond.intake.models import ConsultationRequest
from rebond.lib.clinic_time import clinic_today
from rebond.test import make_clinician, make_couple, sign_in
from rebond.therapy import actions as therapy_actions

pytestmark = pytest.mark.django_db

ZONE = "Europe/Madrid"
WEEK = "2027-03-29"  # Monday, the first week of summer time in Madrid
LABEL = "CANARY-LABEL Okafor & Lindqvist"
OTHER_LABEL = "CANARY-LABEL-OTHER Reyes & Bauer"
PARTNERS = ("CANARY-PARTNER Tobi", "CANARY-PARTNER Saga")
REQUESTER = "CANARY-REQUESTER Priya"
PURPOSE = "CANARY-PURPOSE IPV follow-up"
VIDEO = "https://video.example.test/CANARY-ROOM"
CANARIES = ("CANARY",)


@pytest.fixture
def madrid(clinic_a: Clinic) -> Clinic:
    clinic_a.timezone = ZONE
    clinic_a.save(update_fields=["timezone"])
    return clinic_a


@pytest.fixture
def admin(madrid: Clinic) -> User:
    return make_clinician(madrid, "Ada Admin", is_therapist=False, is_clinic_admin=True)


@pytest.fixture
def week(madrid: Clinic, alice: User, bob: User) -> dict[str, Appointment]:
    """Alice's week: a conjoint session of her case, a consultation hold, a cancelled session,
    an appointment of a case she has handed over, and Bob's session at the same time."""
    hours(alice, 0, "09:00", "12:00")
    hours(alice, 0, "13:00", "17:00")
    hours(alice, 2, "10:00", "16:00")
    couple = make_couple(alice, LABEL, partners=PARTNERS)
    handed_over = make_couple(bob, OTHER_LABEL)
    request = ConsultationRequest.objects.create(
        clinic=madrid,
        name=REQUESTER,
        contact_method=ConsultationRequest.ContactMethod.EMAIL,
        contact_value="requester@example.test",
        may_leave_message=False,
        feels_safe=ConsultationRequest.FeelsSafe.YES,
        consented_at=now(),
    )
    session = therapy_actions.record_session(
        alice,
        couple.id,
        therapy_actions.SessionDraft(
            attendee_ids=tuple(couple.partners.values_list("id", flat=True)),
            clinical_purpose=PURPOSE,
        ),
    )
    conjoint = book(alice, at(WEEK, "09:00", ZONE), couple=couple)
    conjoint.video_link = VIDEO
    conjoint.mode = Appointment.Mode.VIDEO
    conjoint.session = session
    conjoint.save()
    conjoint.invited.set(couple.partners.all())
    TimeOff.objects.create(
        clinician=alice,
        starts_at=at("2027-04-01", "00:00", ZONE),
        ends_at=at("2027-04-03", "00:00", ZONE),
        reason="Leave",
    )
    return {
        "conjoint": conjoint,
        "held": book(
            alice,
            at(WEEK, "13:00", ZONE),
            request=request,
            kind=SessionType.Kind.CONSULTATION,
            status=Appointment.Status.REQUESTED,
        ),
        "cancelled": book(
            alice,
            at("2027-03-31", "10:00", ZONE),
            couple=couple,
            kind=SessionType.Kind.INDIVIDUAL,
            status=Appointment.Status.CANCELLED,
        ),
        # Alice still holds the time, but the case is now Bob's alone: no label for her.
        "not_on_case": book(alice, at("2027-03-31", "14:00", ZONE), couple=handed_over),
        "bobs": book(bob, at(WEEK, "09:00", ZONE), couple=handed_over),
    }


def page(client: Client, name: str = "calendar", week: str = WEEK) -> str:
    response = client.get(reverse(name), {"week": week})
    assert response.status_code == 200
    return response.content.decode()


def day_section(body: str, day: str) -> str:
    """Return the HTML of one day's item of the week (day as YYYY-MM-DD)."""
    found = re.search(
        rf'<li class="day[^"]*">\s*<h2 class="day__name" id="day-{day}"'
        r'.*?</li>\s*(?=<li class="day|</ol>)',
        body,
        re.S,
    )
    assert found, day
    return found.group(0)


def week_list(body: str) -> str:
    """Return the HTML of the week's days (without the page's header and menu)."""
    return body.split('<ol class="week"', 1)[1].split("</ol>", 1)[0]


def test_the_week_shows_hours_time_off_and_appointments_by_clinic_day(
    client: Client, alice: User, week: dict[str, Appointment]
) -> None:
    sign_in(client, alice)
    body = page(client)
    assert "Week of 29 March 2027 to 4 April 2027" in body
    monday = day_section(body, "2027-03-29")
    hours_line = re.sub(r"<[^>]+>", "", monday.split('class="day__hours">', 1)[1].split("</p>")[0])
    assert hours_line == "Hours 09:00&ndash;12:00, 13:00&ndash;17:00"
    # 09:00 on the clinic's clocks (07:00 UTC in summer time), titled by the case label.
    assert "09:00</time>&ndash;<time" in monday
    assert "Okafor &amp; Lindqvist" in monday
    assert "Consultation (held)" in monday
    wednesday = day_section(body, "2027-03-31")
    cancelled = wednesday.split("entry--cancelled", 1)[1].split("</li>", 1)[0]
    assert "Individual session · Cancelled" in cancelled
    # The handed-over case: its time is shown, its label is not.
    assert OTHER_LABEL.replace("&", "&amp;") not in body
    assert "14:00</time>" in wednesday
    thursday = day_section(body, "2027-04-01")
    assert "Time off: Leave, all day" in thursday
    assert "No hours" in day_section(body, "2027-04-03")


def test_the_week_never_shows_a_partner_a_requester_a_purpose_or_a_video_link(
    client: Client, alice: User, week: dict[str, Appointment]
) -> None:
    sign_in(client, alice)
    body = page(client)
    for secret in (*PARTNERS, REQUESTER, PURPOSE, VIDEO):
        assert secret not in body
    # The only canary on the page is the label of Alice's own case.
    assert body.count("CANARY") == body.count("CANARY-LABEL Okafor")


def test_the_week_holds_only_the_clinicians_own_appointments(
    client: Client, bob: User, week: dict[str, Appointment]
) -> None:
    sign_in(client, bob)
    body = page(client)
    monday = day_section(body, "2027-03-29")
    assert monday.count('class="entry ') == 1  # Bob's own session, not Alice's two
    assert "Reyes &amp; Bauer" in monday
    assert LABEL.replace("&", "&amp;") not in body
    assert "Consultation (held)" not in body


def test_days_are_the_clinics_days_not_utcs(client: Client, alice: User, madrid: Clinic) -> None:
    couple = make_couple(alice, "Late couple")
    # 00:30 on Tuesday in Madrid is 22:30 UTC on Monday: it belongs to Tuesday.
    book(alice, at("2027-03-30", "00:30", ZONE), couple=couple, minutes=30)
    sign_in(client, alice)
    body = page(client)
    assert "Late couple" not in day_section(body, "2027-03-29")
    assert "Late couple" in day_section(body, "2027-03-30")
    assert "00:30</time>" in day_section(body, "2027-03-30")


def test_the_week_moves_by_weeks_and_any_day_finds_its_week(
    client: Client, alice: User, madrid: Clinic
) -> None:
    sign_in(client, alice)
    body = page(client, week="2027-04-01")  # a Thursday
    assert "Week of 29 March 2027" in body
    assert "?week=2027-03-22" in body
    assert "?week=2027-04-05" in body
    assert 'href="/calendar/">This week</a>' in body
    this_week = page(client, week="not-a-date")
    today = clinic_today(madrid)
    monday = today - timedelta(days=today.weekday())
    assert f"Week of {monday.day} {monday:%B %Y}" in this_week
    assert "This week</a>" not in this_week
    assert "Week of" in page(client, week="0001-01-01")  # far out of range: this week too


def test_a_clinician_with_no_hours_is_told_how_to_set_them(client: Client, bob: User) -> None:
    sign_in(client, bob)
    body = page(client)
    assert "You have no weekly hours yet." in body
    assert reverse("calendar_availability") in body


@pytest.mark.urls("rebond.appointments.tests.urls_with_appointment_page")
def test_an_appointment_of_a_case_links_to_its_page_and_a_hold_does_not(
    client: Client, alice: User, week: dict[str, Appointment]
) -> None:
    sign_in(client, alice)
    body = page(client)
    conjoint = week["conjoint"]
    link = f"/cases/{conjoint.couple_id}/appointments/{conjoint.id}/"
    assert f'<a href="{link}">{LABEL.replace("&", "&amp;")}</a>' in body
    held = week["held"]
    assert str(held.id) not in body
    assert ">Consultation (held)</span>" in body
    # Not on the case: no link either.
    assert str(week["not_on_case"].id) not in body


def test_the_week_costs_a_fixed_number_of_queries(
    client: Client,
    alice: User,
    week: dict[str, Appointment],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    sign_in(client, alice)
    couple = Couple.objects.get(primary_clinician=alice)
    for offset in range(6):  # more appointments do not mean more queries
        book(alice, at("2027-04-02", f"{8 + 2 * offset:02d}:00", ZONE), couple=couple)
    with django_assert_max_num_queries(16):
        page(client)


# --- The clinic calendar (clinic admins) ----------------------------------------------------


def test_the_clinic_calendar_shows_every_clinicians_appointments_as_metadata_only(
    client: Client, admin: User, alice: User, bob: User, week: dict[str, Appointment]
) -> None:
    sign_in(client, admin)
    body = page(client, "clinic_calendar")
    monday = day_section(body, "2027-03-29")
    # Both 09:00 appointments (Alice's and Bob's) and Alice's hold, with names and kinds.
    assert monday.count('class="entry ') == 3
    assert monday.count("Alice Therapist") == 2
    assert "Bob Colleague" in monday
    assert "Conjoint session · Scheduled" in monday
    assert "Free consultation · Held, waiting for the clinician" in monday
    assert "Individual session · Cancelled" in day_section(body, "2027-03-31")
    # Nothing about the cases or the people in them, no link to any of them.
    assert "CANARY" not in body
    for appointment in week.values():
        assert str(appointment.id) not in body
        assert str(appointment.couple_id) not in body
    assert "/cases/" not in week_list(body)
    assert "Time off" not in body  # the clinicians' own reasons stay on their own pages


def test_a_clinician_who_is_no_admin_is_told_who_can_see_the_clinic_calendar(
    client: Client, alice: User, week: dict[str, Appointment]
) -> None:
    sign_in(client, alice)
    response = client.get(reverse("clinic_calendar"), {"week": WEEK})
    assert response.status_code == 403
    assert "CANARY" not in response.content.decode()


def test_another_clinics_admin_sees_none_of_this_clinic(
    client: Client, clinic_b: Clinic, week: dict[str, Appointment]
) -> None:
    other_admin = make_clinician(clinic_b, "Bea Admin", is_therapist=False, is_clinic_admin=True)
    sign_in(client, other_admin)
    body = page(client, "clinic_calendar")
    assert "0 appointments this week." in body
    assert "Alice Therapist" not in body


def test_a_clinic_admin_who_also_treats_sees_their_own_labels_on_their_own_week(
    client: Client, madrid: Clinic, week: dict[str, Appointment]
) -> None:
    treating_admin = make_clinician(madrid, "Ilse Marchetti", is_clinic_admin=True)
    couple = make_couple(treating_admin, "CANARY-OWN Haddad & Moreau")
    book(treating_admin, at(WEEK, "15:00", ZONE), couple=couple)
    sign_in(client, treating_admin)
    assert "CANARY-OWN Haddad" in page(client)
    clinic_view = page(client, "clinic_calendar")
    assert "CANARY" not in clinic_view
    assert week_list(clinic_view).count("Ilse Marchetti") == 1


def test_the_calendar_is_in_the_clinicians_menu(client: Client, alice: User) -> None:
    sign_in(client, alice)
    body = client.get(reverse("caseload")).content.decode()
    assert f'<a href="{reverse("calendar")}">Calendar</a>' in body
    assert reverse("appointment_settings") not in body
