"""What happens to a scheduled appointment (issue 18 items 3 and 6): it is moved, cancelled
(late within the clinic's hours), marked a no-show after its start, or recorded: the session
record is the same object, written once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from rebond.accounts.models import User
from rebond.appointments import sessions
from rebond.appointments.models import Appointment, AppointmentMessage, AppointmentSettings
from rebond.appointments.tests.session_helpers import schedule
from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple, Partner
from rebond.lib.errors import ActionError
from rebond.test import make_clinic, make_clinician, make_couple
from rebond.therapy import actions as therapy_actions
from rebond.therapy.models import Session
from rebond.therapy.timeline import case_timeline

pytestmark = pytest.mark.django_db

START = datetime(2027, 5, 10, 16, 0, tzinfo=UTC)


@pytest.fixture
def case() -> tuple[User, Couple]:
    clinic = make_clinic("Practice", timezone="Europe/Madrid")
    therapist = make_clinician(clinic, "Tess Therapist")
    couple = make_couple(therapist, partners=("Ana", "Bruno"))
    for partner in couple.partners.all():
        couple_actions.add_contact_channel(
            therapist,
            partner.id,
            couple_actions.ChannelDraft(
                "email", f"{partner.role.lower()}@example.test", safe_to_contact=True
            ),
        )
    return therapist, couple


def one(therapist: User, couple: Couple, **fields: object) -> Appointment:
    [appointment] = schedule(therapist, couple, START, **fields)  # type: ignore[arg-type]
    return appointment


def purposes(appointment: Appointment) -> list[str]:
    return sorted(
        AppointmentMessage.objects.filter(appointment=appointment).values_list("purpose", flat=True)
    )


# --- Move ------------------------------------------------------------------------------------


def test_moving_keeps_the_length_and_tells_the_invited_partners(case: tuple[User, Couple]) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    moved = sessions.move_appointment(
        therapist,
        couple.id,
        appointment.id,
        date(2027, 5, 12),
        time(10, 15),
        at=START - timedelta(days=3),
    )
    moved.refresh_from_db()
    # 10:15 in Madrid in May is 08:15 UTC (summer time).
    assert moved.starts_at == datetime(2027, 5, 12, 8, 15, tzinfo=UTC)
    assert moved.ends_at - moved.starts_at == timedelta(minutes=50)
    assert purposes(moved) == ["change", "change", "confirmation", "confirmation"]
    entry = AuditEntry.objects.get(action="appointments.appointment.move")
    assert sorted(entry.fields) == ["ends_at", "starts_at"]


def test_moving_onto_a_taken_time_changes_nothing(case: tuple[User, Couple]) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    schedule(therapist, make_couple(therapist), START + timedelta(hours=2))
    with pytest.raises(ActionError) as refused:
        sessions.move_appointment(
            therapist,
            couple.id,
            appointment.id,
            date(2027, 5, 10),
            time(20, 30),
            at=START - timedelta(days=1),
        )
    assert refused.value.status == 409
    appointment.refresh_from_db()
    assert appointment.starts_at == START
    assert "change" not in purposes(appointment)


# --- Cancel: on time or late, by the clinic's hours ------------------------------------------


def test_a_cancellation_before_the_late_hours_is_a_plain_cancellation(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    # The default: late within 24 hours. Exactly 24 hours ahead is not late.
    sessions.cancel_appointment(
        therapist, couple.id, appointment.id, at=START - timedelta(hours=24)
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancelled_at == START - timedelta(hours=24)
    assert appointment.session is None
    assert not Session.objects.filter(couple=couple).exists()
    assert purposes(appointment).count("cancellation") == 2
    # Its time is free again.
    schedule(therapist, couple, START)


def test_a_cancellation_within_the_late_hours_is_recorded_on_the_session(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    at = START - timedelta(hours=23, minutes=59)
    sessions.cancel_appointment(therapist, couple.id, appointment.id, at=at)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.LATE_CANCELLED
    session = Session.objects.get(couple=couple)
    assert appointment.session == session
    assert (session.attendance, session.kind) == (Session.Attendance.CANCELLED, "conjoint")
    # Dated when it was cancelled: a record is never dated ahead.
    assert session.occurred_at == at
    assert purposes(appointment).count("cancellation") == 2
    # On the case's timeline, exactly as a cancelled session recorded by hand.
    by_hand = therapy_actions.record_session(
        therapist,
        couple.id,
        therapy_actions.SessionDraft(attendance=Session.Attendance.CANCELLED),
        at=at,
    )
    titles = [e.title for e in case_timeline(couple, {"session"})]
    assert titles == [f"{session} · Cancelled", f"{by_hand} · Cancelled"]


@pytest.mark.parametrize(("hours_ahead", "late"), [(49, False), (48, False), (47, True)])
def test_the_late_hours_are_the_clinics_own(
    case: tuple[User, Couple], hours_ahead: int, late: bool
) -> None:
    therapist, couple = case
    AppointmentSettings.objects.create(clinic=couple.clinic, late_cancel_hours=48)
    appointment = one(therapist, couple)
    sessions.cancel_appointment(
        therapist, couple.id, appointment.id, at=START - timedelta(hours=hours_ahead)
    )
    appointment.refresh_from_db()
    expected = Appointment.Status.LATE_CANCELLED if late else Appointment.Status.CANCELLED
    assert appointment.status == expected
    assert Session.objects.filter(couple=couple).exists() == late


def test_a_clinic_without_late_hours_never_counts_a_late_cancellation(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    AppointmentSettings.objects.create(clinic=couple.clinic, late_cancel_hours=0)
    appointment = one(therapist, couple)
    sessions.cancel_appointment(
        therapist, couple.id, appointment.id, at=START - timedelta(minutes=1)
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_an_appointment_that_has_started_is_not_cancelled(case: tuple[User, Couple]) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    with pytest.raises(ActionError) as refused:
        sessions.cancel_appointment(therapist, couple.id, appointment.id, at=START)
    assert refused.value.status == 409
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SCHEDULED


def test_a_cancelled_appointment_is_not_cancelled_twice(case: tuple[User, Couple]) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    sessions.cancel_appointment(therapist, couple.id, appointment.id, at=START - timedelta(hours=2))
    with pytest.raises(ActionError):
        sessions.cancel_appointment(
            therapist, couple.id, appointment.id, at=START - timedelta(hours=1)
        )
    assert Session.objects.filter(couple=couple).count() == 1
    assert purposes(appointment).count("cancellation") == 2


# --- No-show -----------------------------------------------------------------------------------


def test_a_no_show_is_refused_before_the_start(case: tuple[User, Couple]) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    with pytest.raises(ActionError):
        sessions.mark_no_show(therapist, couple.id, appointment.id, at=START - timedelta(minutes=1))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SCHEDULED
    assert not Session.objects.exists()


def test_a_no_show_after_the_start_is_recorded_on_the_session_at_its_time(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    sessions.mark_no_show(therapist, couple.id, appointment.id, at=START + timedelta(minutes=20))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW
    session = Session.objects.get(couple=couple)
    assert appointment.session == session
    assert (session.attendance, session.occurred_at) == (Session.Attendance.MISSED, START)
    assert session.number == 1  # Numbered as a conjoint session recorded by hand would be.
    entry = AuditEntry.objects.get(action="appointments.appointment.no_show")
    assert sorted(entry.fields) == ["session", "status"]
    # No message goes out about a no-show.
    assert purposes(appointment) == ["confirmation", "confirmation"]


# --- Record this session -----------------------------------------------------------------------


def attended(couple: Couple) -> therapy_actions.SessionDraft:
    a, b = couple.partners.order_by("role")
    return therapy_actions.SessionDraft(
        occurred_at=START, attendance=Session.Attendance.HELD, attendee_ids=(a.id, b.id)
    )


def test_recording_links_the_one_session_record_and_marks_it_attended(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    session = sessions.record_appointment(
        therapist, couple.id, appointment.id, attended(couple), at=START + timedelta(hours=1)
    )
    appointment.refresh_from_db()
    assert appointment.session == session
    assert appointment.status == Appointment.Status.ATTENDED
    assert session.was_held
    assert Session.objects.filter(couple=couple).count() == 1
    assert AuditEntry.objects.filter(action="therapy.session.record").count() == 1
    assert AuditEntry.objects.filter(action="appointments.appointment.record").count() == 1
    # A second recording of the same appointment is refused: no second session.
    with pytest.raises(ActionError) as refused:
        sessions.record_appointment(
            therapist, couple.id, appointment.id, attended(couple), at=START + timedelta(hours=2)
        )
    assert refused.value.status == 409
    assert Session.objects.filter(couple=couple).count() == 1


def test_recording_before_the_start_is_refused_and_writes_nothing(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    with pytest.raises(ActionError):
        sessions.record_appointment(
            therapist, couple.id, appointment.id, attended(couple), at=START - timedelta(hours=1)
        )
    assert not Session.objects.exists()


def test_a_refused_session_record_leaves_the_appointment_scheduled(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    appointment = one(therapist, couple)
    draft = therapy_actions.SessionDraft(
        occurred_at=START, attendance=Session.Attendance.HELD, attendee_ids=()
    )
    with pytest.raises(ActionError) as refused:
        sessions.record_appointment(
            therapist, couple.id, appointment.id, draft, at=START + timedelta(hours=1)
        )
    assert "attendees" in refused.value.errors
    appointment.refresh_from_db()
    assert (appointment.status, appointment.session) == (Appointment.Status.SCHEDULED, None)
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("attendance", "status"),
    [
        (Session.Attendance.PARTLY, Appointment.Status.ATTENDED),
        (Session.Attendance.MISSED, Appointment.Status.NO_SHOW),
        (Session.Attendance.CANCELLED, Appointment.Status.LATE_CANCELLED),
    ],
)
def test_the_status_follows_the_attendance_recorded(
    case: tuple[User, Couple], attendance: str, status: str
) -> None:
    therapist, couple = case
    a = couple.partners.get(role=Partner.Role.A)
    appointment = one(therapist, couple)
    attendees = (a.id,) if attendance == Session.Attendance.PARTLY else ()
    sessions.record_appointment(
        therapist,
        couple.id,
        appointment.id,
        therapy_actions.SessionDraft(
            occurred_at=START, attendance=attendance, attendee_ids=attendees
        ),
        at=START + timedelta(hours=1),
    )
    appointment.refresh_from_db()
    assert appointment.status == status


def test_an_individual_appointment_is_recorded_as_an_individual_session(
    case: tuple[User, Couple],
) -> None:
    therapist, couple = case
    a = couple.partners.get(role=Partner.Role.A)
    appointment = one(therapist, couple, kind="individual", partner=a)
    session = sessions.record_appointment(
        therapist,
        couple.id,
        appointment.id,
        therapy_actions.SessionDraft(
            kind="individual", occurred_at=START, attendance="held", attendee_ids=(a.id,)
        ),
        at=START + timedelta(hours=1),
    )
    assert (session.kind, session.number, list(session.attendees.all())) == (
        "individual",
        None,
        [a],
    )


def test_a_colleague_off_the_case_changes_nothing(case: tuple[User, Couple]) -> None:
    from django.http import Http404

    therapist, couple = case
    appointment = one(therapist, couple)
    colleague = make_clinician(couple.clinic, "Colleague")
    later = START + timedelta(hours=1)
    for attempt in (
        lambda: sessions.cancel_appointment(
            colleague, couple.id, appointment.id, at=START - timedelta(days=2)
        ),
        lambda: sessions.mark_no_show(colleague, couple.id, appointment.id, at=later),
        lambda: sessions.record_appointment(
            colleague, couple.id, appointment.id, attended(couple), at=later
        ),
        lambda: sessions.move_appointment(
            colleague,
            couple.id,
            appointment.id,
            date(2027, 6, 1),
            time(9, 0),
            at=START - timedelta(days=2),
        ),
    ):
        with pytest.raises(Http404):
            attempt()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SCHEDULED
    assert not Session.objects.exists()


def test_an_appointment_is_reached_only_under_its_own_case(case: tuple[User, Couple]) -> None:
    from django.http import Http404

    therapist, couple = case
    appointment = one(therapist, couple)
    other = make_couple(therapist, "Other case")
    with pytest.raises(Http404):
        sessions.cancel_appointment(
            therapist, other.id, appointment.id, at=START - timedelta(days=2)
        )
