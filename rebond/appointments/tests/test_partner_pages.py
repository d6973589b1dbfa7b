"""What partners see of appointments on their space (/me/) and in the calendar file, for every
state of an appointment and every partner-side role: each partner sees the conjoint sessions
and their own individual ones, with the video link; never the other's individual sessions
(not its time, not its id, not its link: DOMAIN 7.5 rule 4); nothing cancelled, recorded or
past; nothing once the case is closed; nothing at all through a revoked link."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import now

from rebond.appointments import sessions
from rebond.appointments.models import Appointment
from rebond.appointments.tests.helpers import schedule
from rebond.appointments.wording import therapy_words
from rebond.couples.models import Couple, Partner
from rebond.lib.clinic_time import clinic_zone
from rebond.portal.models import PrivateLink
from rebond.portal.tests.conftest import open_space
from rebond.test import make_clinic, make_clinician, make_couple, sign_in
from rebond.therapy import actions as therapy_actions

pytestmark = pytest.mark.django_db


def at_clock(couple: Couple, days: int, hour: int, minute: int) -> datetime:
    """Return a time `days` from now at hour:minute on the clinic's clock."""
    zone = clinic_zone(couple.clinic)
    day = timezone.localtime(now(), zone).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


class World:
    """One couple with one appointment of every state that matters to a partner."""

    def __init__(self) -> None:
        clinic = make_clinic("Practice", timezone="Europe/Madrid")
        self.therapist = make_clinician(clinic, "Tess Therapist")
        self.couple = make_couple(
            self.therapist, "Case", partners=("Dana Rivera", "Sam Chen"), status="conjoint_active"
        )
        self.a = self.couple.partners.get(role=Partner.Role.A)
        self.b = self.couple.partners.get(role=Partner.Role.B)
        c = self.couple
        self.links = {
            "together": "https://video.example.org/CANARY-together-91c",
            "alone_a": "https://video.example.org/CANARY-alone-a-5e2",
            "alone_b": "https://video.example.org/CANARY-alone-b-77d",
        }
        self.made: dict[str, Appointment] = {}
        self.made["together"] = self._one(at_clock(c, 3, 17, 25), link=self.links["together"])
        self.made["in_person"] = self._one(at_clock(c, 4, 10, 40))
        self.made["alone_a"] = self._one(
            at_clock(c, 5, 7, 35), kind="individual", partner=self.a, link=self.links["alone_a"]
        )
        self.made["alone_b"] = self._one(
            at_clock(c, 6, 19, 5), kind="individual", partner=self.b, link=self.links["alone_b"]
        )
        self.made["cancelled"] = self._one(at_clock(c, 7, 11, 55))
        sessions.cancel_appointment(self.therapist, c.id, self.made["cancelled"].id)
        self.made["late"] = self._one(at_clock(c, 1, 8, 50) + timedelta(days=1))
        sessions.cancel_appointment(
            self.therapist,
            c.id,
            self.made["late"].id,
            at=self.made["late"].starts_at - timedelta(hours=2),
        )
        # Started earlier today and recorded; and one that ended without being recorded.
        self.made["attended"] = self._one(now() - timedelta(hours=3), at=now() - timedelta(days=2))
        sessions.record_appointment(
            self.therapist,
            c.id,
            self.made["attended"].id,
            therapy_actions.SessionDraft(
                occurred_at=self.made["attended"].starts_at,
                attendance="held",
                attendee_ids=(self.a.id, self.b.id),
            ),
        )
        self.made["ended"] = self._one(now() - timedelta(days=1), at=now() - timedelta(days=3))
        for appointment in self.made.values():
            appointment.refresh_from_db()

    def _one(
        self,
        starts: datetime,
        *,
        kind: str = "conjoint",
        partner: Partner | None = None,
        link: str = "",
        at: datetime | None = None,
    ) -> Appointment:
        [appointment] = schedule(
            self.therapist,
            self.couple,
            starts.replace(second=0, microsecond=0),
            kind=kind,
            partner=partner,
            video_link=link,
            at=at or now(),
        )
        return appointment


# Which appointments each partner is shown while the case is active.
SHOWN: dict[str, set[str]] = {
    Partner.Role.A: {"together", "in_person", "alone_a"},
    Partner.Role.B: {"together", "in_person", "alone_b"},
}


def traces(world: World, name: str) -> list[str]:
    """Return what of one appointment may appear on a page: its id, its time, its link."""
    appointment = world.made[name]
    local = timezone.localtime(appointment.starts_at, clinic_zone(world.couple.clinic))
    found = [str(appointment.id), f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"]
    if name in world.links:
        found.append(world.links[name])
    return found


def ics_url(appointment: Appointment) -> str:
    return reverse("appointment_calendar_file", args=[appointment.id])


@pytest.fixture
def world() -> World:
    return World()


def partner_client(world: World, partner: Partner) -> Client:
    client = Client()
    open_space(client, partner, world.therapist)
    return client


@pytest.mark.parametrize("role", [Partner.Role.A, Partner.Role.B])
def test_each_partner_sees_the_shared_and_their_own_appointments_and_nothing_else(
    world: World, role: str
) -> None:
    partner = world.a if role == Partner.Role.A else world.b
    client = partner_client(world, partner)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Your appointments" in page
    for name, appointment in world.made.items():
        if name in SHOWN[role]:
            for trace in traces(world, name):
                assert trace in page, (name, trace)
            response = client.get(ics_url(appointment))
            assert response.status_code == 200, name
            assert response["Content-Type"].startswith("text/calendar")
        else:
            for trace in traces(world, name):
                assert trace not in page, (name, trace)
            assert client.get(ics_url(appointment)).status_code == 404, name
    # In person: said so, and no link.
    assert "In person" in page
    assert "By video" in page


def test_partner_b_never_learns_of_partner_as_individual_session(world: World) -> None:
    client = partner_client(world, world.b)
    alone_a = world.made["alone_a"]
    page = client.get(reverse("portal:home")).content.decode()
    local = timezone.localtime(alone_a.starts_at, clinic_zone(world.couple.clinic))
    assert str(alone_a.id) not in page
    assert f"{local:%H:%M}" not in page  # 07:35: no appointment of B's is at that time
    assert world.links["alone_a"] not in page
    refused = client.get(ics_url(alone_a))
    assert refused.status_code == 404
    # The same answer as an appointment that never existed: nothing to tell them apart.
    missing = client.get(reverse("appointment_calendar_file", args=[Appointment().id]))
    assert (refused.status_code, refused.content) == (missing.status_code, missing.content)


def test_the_calendar_file_holds_a_neutral_title_and_the_time_only(world: World) -> None:
    client = partner_client(world, world.a)
    for name in ("together", "alone_a"):
        appointment = world.made[name]
        body = client.get(ics_url(appointment)).content.decode()
        assert "SUMMARY:Appointment" in body
        assert f"UID:{appointment.id}@rebond" in body
        assert appointment.starts_at.strftime("DTSTART:%Y%m%dT%H%M%SZ") in body
        assert therapy_words(body) == []
        for secret in (*world.links.values(), "Dana", "Sam", "Tess", "Practice", "Case"):
            assert secret not in body


def test_a_closed_case_shows_no_appointment_and_serves_no_calendar_file(world: World) -> None:
    Couple.objects.filter(pk=world.couple.pk).update(status=Couple.Status.CLOSED)
    for partner in (world.a, world.b):
        client = partner_client(world, partner)
        page = client.get(reverse("portal:home")).content.decode()
        assert "Your appointments" not in page
        for name, appointment in world.made.items():
            for trace in traces(world, name):
                assert trace not in page
            assert client.get(ics_url(appointment)).status_code == 404


def test_a_revoked_link_sees_nothing(world: World) -> None:
    client = Client()
    link = open_space(client, world.a, world.therapist)
    PrivateLink.objects.filter(pk=link.pk).update(revoked_at=now())
    page = client.get(reverse("portal:home"))
    assert page.status_code == 404
    for name, appointment in world.made.items():
        for trace in traces(world, name):
            assert trace not in page.content.decode()
        assert client.get(ics_url(appointment)).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "therapist"])
def test_the_calendar_file_answers_only_a_partners_session(world: World, who: str) -> None:
    client = Client()
    if who == "therapist":
        sign_in(client, world.therapist)
    response = client.get(ics_url(world.made["together"]))
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content


def test_a_moved_appointment_shows_its_new_time(world: World) -> None:
    together = world.made["together"]
    zone = clinic_zone(world.couple.clinic)
    day = timezone.localtime(together.starts_at, zone).date() + timedelta(days=1)
    sessions.move_appointment(
        world.therapist,
        world.couple.id,
        together.id,
        day,
        datetime(2000, 1, 1, 12, 20).time(),  # noqa: DTZ001 - a clock time only
    )
    page = partner_client(world, world.b).get(reverse("portal:home")).content.decode()
    assert f"{day:%A} {day.day} {day:%B %Y} at 12:20" in page
    old = timezone.localtime(together.starts_at, zone)
    assert f"{old:%A} {old.day} {old:%B %Y} at 17:25" not in page


def test_a_partner_of_another_couple_reaches_none_of_them(world: World) -> None:
    other = make_couple(world.therapist, "Other", status="conjoint_active")
    stranger = other.partners.get(role=Partner.Role.A)
    client = partner_client(world, stranger)
    page = client.get(reverse("portal:home")).content.decode()
    assert "Your appointments" not in page
    for appointment in world.made.values():
        assert str(appointment.id) not in page
        assert client.get(ics_url(appointment)).status_code == 404
