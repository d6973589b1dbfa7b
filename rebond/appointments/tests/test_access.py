"""The gateway's rules for a case's appointments (rebond/access/appointments.py), checked
against an oracle written from the who-sees-what table: every kind x invited x status x time
x case state, for each partner, and every clinician role."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.http import Http404

from rebond import access
from rebond.accounts.models import User
from rebond.appointments import booking
from rebond.appointments.models import Appointment, SessionType
from rebond.appointments.tests.session_helpers import session_types
from rebond.couples.models import Couple, Partner
from rebond.emergency import actions as emergency_actions
from rebond.test import make_clinic, make_clinician, make_couple

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
KINDS = ("conjoint", "individual_a", "individual_b", "consultation")
TIMES = {
    "ahead": timedelta(days=2),
    "under way": timedelta(minutes=-20),  # started, not ended: a partner may still join
    "ended": timedelta(days=-20),
}
ACTIVE_STATUSES = ("conjoint_active", "assessment", "paused_safety")
INACTIVE_STATUSES = tuple(sorted(Couple.INACTIVE_STATUSES))


@dataclass(frozen=True)
class State:
    kind: str
    status: str
    time: str


def invited_roles(kind: str) -> set[str]:
    return {
        "conjoint": {"A", "B"},
        "individual_a": {"A"},
        "individual_b": {"B"},
        "consultation": {"A", "B"},  # even invited, a consultation is never a partner's to see
    }[kind]


def partner_may_see(state: State, role: str, case_status: str) -> bool:
    """The table in rebond/access/appointments.py, written out again as the test's oracle."""
    return (
        state.kind != "consultation"
        and role in invited_roles(state.kind)
        and state.status == Appointment.Status.SCHEDULED
        and state.time != "ended"
        and case_status not in Couple.INACTIVE_STATUSES
    )


def make_appointment(clinician: User, couple: Couple, state: State, slot: int) -> Appointment:
    types = session_types(couple.clinic)
    if state.kind == "consultation":
        session_type, _ = SessionType.objects.get_or_create(
            clinic=couple.clinic,
            name="Free consultation",
            defaults={"kind": SessionType.Kind.CONSULTATION, "duration_minutes": 30},
        )
    else:
        session_type = types["conjoint" if state.kind == "conjoint" else "individual"]
    # Ahead or ended: each in its own two hours, so none overlaps another. Under way: all at
    # once, each in the calendar of a clinician of its own.
    if state.time == "under way":
        starts = NOW + TIMES[state.time]
        clinician = User.objects.create_user(
            email=f"slot-{slot}-{couple.pk}@example.test",
            password=None,
            display_name=f"Clinician {slot}",
            clinic=couple.clinic,
        )
    else:
        starts = NOW + TIMES[state.time] + timedelta(hours=slot * 2)
    appointment = booking.place(
        Appointment(
            clinic=couple.clinic,
            clinician=clinician,
            session_type=session_type,
            kind=session_type.kind,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=50),
            status=state.status,
            mode=Appointment.Mode.VIDEO,
            video_link=f"https://video.example.org/{state.kind}-{slot}",
            couple=couple,
        )
    )
    roles = invited_roles(state.kind)
    appointment.invited.set([p for p in couple.partners.all() if p.role in roles])
    return appointment


STATES = [
    State(kind, status, time)
    for kind, status, time in itertools.product(KINDS, Appointment.Status.values, TIMES)
]


@pytest.mark.parametrize("case_status", [*ACTIVE_STATUSES, *INACTIVE_STATUSES])
def test_each_partner_sees_exactly_what_the_table_allows(case_status: str) -> None:
    clinic = make_clinic()
    therapist = make_clinician(clinic, "Therapist")
    couple = make_couple(therapist, status=case_status)
    made = {state: make_appointment(therapist, couple, state, n) for n, state in enumerate(STATES)}
    for partner in couple.partners.all():
        expected = {
            made[state].id for state in STATES if partner_may_see(state, partner.role, case_status)
        }
        shown = access.appointments_for_partner(partner, at=NOW)
        assert {row.id for row in shown} == expected, partner.role
        assert [row.starts_at for row in shown] == sorted(row.starts_at for row in shown)
        for appointment in made.values():
            if appointment.id in expected:
                assert access.get_appointment_for_partner(partner, appointment.id, at=NOW)
            else:
                with pytest.raises(Http404):
                    access.get_appointment_for_partner(partner, appointment.id, at=NOW)


def test_a_partner_sees_the_video_link_only_of_their_own_appointments() -> None:
    clinic = make_clinic()
    therapist = make_clinician(clinic, "Therapist")
    couple = make_couple(therapist, status="conjoint_active")
    together = make_appointment(therapist, couple, State("conjoint", "scheduled", "ahead"), 0)
    alone_a = make_appointment(therapist, couple, State("individual_a", "scheduled", "ahead"), 1)
    a, b = couple.partners.order_by("role")
    seen_a = {row.id: row for row in access.appointments_for_partner(a, at=NOW)}
    seen_b = {row.id: row for row in access.appointments_for_partner(b, at=NOW)}
    assert seen_a[together.id].video_link == together.video_link
    assert seen_b[together.id].video_link == together.video_link
    assert seen_a[alone_a.id].video_link == alone_a.video_link
    assert alone_a.id not in seen_b
    assert all(alone_a.video_link not in row.video_link for row in seen_b.values())
    # In person: no link, even one typed earlier.
    Appointment.objects.filter(pk=together.pk).update(mode=Appointment.Mode.IN_PERSON)
    row = access.get_appointment_for_partner(a, together.id, at=NOW)
    assert (row.is_video, row.video_link) == (False, "")


def test_a_partner_never_reaches_another_couples_appointment() -> None:
    clinic = make_clinic()
    therapist = make_clinician(clinic, "Therapist")
    ours = make_couple(therapist, status="conjoint_active")
    theirs = make_couple(therapist, "Other", status="conjoint_active")
    appointment = make_appointment(therapist, theirs, State("conjoint", "scheduled", "ahead"), 0)
    # Even invited by a bug, the other couple's row stays out of reach.
    appointment.invited.add(ours.partners.get(role=Partner.Role.A))
    for partner in ours.partners.all():
        assert access.appointments_for_partner(partner, at=NOW) == []
        with pytest.raises(Http404):
            access.get_appointment_for_partner(partner, appointment.id, at=NOW)


# --- Clinicians --------------------------------------------------------------------------------


@pytest.fixture
def team() -> dict[str, object]:
    clinic = make_clinic("Clinic A")
    therapist = make_clinician(clinic, "Therapist")
    couple = make_couple(therapist, status="conjoint_active")
    co_therapist = make_clinician(clinic, "Co Therapist")
    couple.co_clinicians.add(co_therapist)
    supervisor = make_clinician(clinic, "Supervisor", is_supervisor=True)
    couple.supervisor = supervisor
    couple.save(update_fields=["supervisor"])
    admin = make_clinician(clinic, "Admin", is_therapist=False, is_clinic_admin=True)
    grantee = make_clinician(clinic, "Stand-in")
    emergency_actions.grant_emergency_access(
        admin,
        emergency_actions.GrantDraft(
            couple.id, grantee.id, "Stand-in while the therapist is away.", 4
        ),
    )
    deactivated = make_clinician(clinic, "Gone")
    couple.co_clinicians.add(deactivated)
    User.objects.filter(pk=deactivated.pk).update(is_active=False)
    return {
        "couple": couple,
        "therapist": therapist,
        "co_therapist": co_therapist,
        "supervisor": supervisor,
        "emergency": grantee,
        "colleague": make_clinician(clinic, "Colleague"),
        "clinic_admin": admin,
        "outsider": make_clinician(make_clinic("Clinic B"), "Outsider"),
        "deactivated": User.objects.get(pk=deactivated.pk),
    }


SEES = {"therapist", "co_therapist", "supervisor", "emergency"}
NOT = {"colleague", "clinic_admin", "outsider", "deactivated"}


@pytest.mark.parametrize("role", sorted(SEES | NOT))
def test_clinicians_on_the_case_see_every_appointment_and_nobody_else_any(
    team: dict[str, object], role: str
) -> None:
    couple = team["couple"]
    therapist = team["therapist"]
    assert isinstance(couple, Couple)
    assert isinstance(therapist, User)
    made = [make_appointment(therapist, couple, s, n) for n, s in enumerate(STATES)]
    user = team[role]
    assert isinstance(user, User)
    listed = set(access.appointments_of_case(user, couple).values_list("id", flat=True))
    if role in SEES:
        assert listed == {a.id for a in made}
        for appointment in made:
            fetched = access.get_appointment_of_case(user, couple.id, appointment.id)
            assert fetched.video_link == appointment.video_link
    else:
        assert listed == set()
        for appointment in made:
            with pytest.raises(Http404):
                access.get_appointment_of_case(user, couple.id, appointment.id)


def test_an_appointment_is_fetched_only_under_its_own_case(team: dict[str, object]) -> None:
    couple, therapist = team["couple"], team["therapist"]
    assert isinstance(couple, Couple)
    assert isinstance(therapist, User)
    other = make_couple(therapist, "Other case")
    appointment = make_appointment(therapist, couple, State("conjoint", "scheduled", "ahead"), 0)
    with pytest.raises(Http404):
        access.get_appointment_of_case(therapist, other.id, appointment.id)
    with pytest.raises(Http404):
        access.get_appointment_of_case(therapist, couple.id, "not-a-uuid")


def test_the_session_types_and_clinicians_offered_are_the_cases_own(
    team: dict[str, object],
) -> None:
    couple = team["couple"]
    assert isinstance(couple, Couple)
    ours = session_types(couple.clinic)
    session_types(make_clinic("Elsewhere"))
    SessionType.objects.create(
        clinic=couple.clinic, kind="consultation", name="Free", duration_minutes=30
    )
    SessionType.objects.create(
        clinic=couple.clinic, kind="conjoint", name="Retired", duration_minutes=50, is_active=False
    )
    offered = set(access.session_types_for_case(couple))
    assert offered == set(ours.values())
    people = set(access.appointment_clinicians(couple))
    assert people == {team["therapist"], team["co_therapist"], team["supervisor"]}
