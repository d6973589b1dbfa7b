"""Scheduling sessions ahead from a case (issue 18 item 3): once or as a weekly or fortnightly
series, all or nothing, at the clinic's clock time across daylight-saving changes, with one
neutral confirmation queued to the invited partners."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from rebond.accounts.models import User
from rebond.appointments import sessions
from rebond.appointments.models import (
    Appointment,
    AppointmentMessage,
    AppointmentSeries,
    SessionType,
)
from rebond.appointments.tests.session_helpers import schedule, session_types
from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple, Partner
from rebond.lib.errors import ActionError
from rebond.test import make_clinic, make_clinician, make_couple

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
SYDNEY = ZoneInfo("Australia/Sydney")
LINK = "https://video.example.org/room-7f3a"


def madrid_case() -> tuple[User, Couple]:
    clinic = make_clinic("Clinica", timezone="Europe/Madrid")
    therapist = make_clinician(clinic, "Tess Therapist")
    couple = make_couple(therapist, "Case M", partners=("Ana", "Bruno"))
    for partner in couple.partners.all():
        couple_actions.add_contact_channel(
            therapist,
            partner.id,
            couple_actions.ChannelDraft(
                "email", f"{partner.role.lower()}@example.test", safe_to_contact=True
            ),
        )
    return therapist, couple


def partners_of(couple: Couple) -> tuple[Partner, Partner]:
    a, b = couple.partners.order_by("role")
    return a, b


def draft(couple: Couple, therapist: User, **fields: object) -> sessions.ScheduleDraft:
    values: dict[str, object] = {
        "session_type_id": session_types(couple.clinic)[SessionType.Kind.CONJOINT].id,
        "clinician_id": therapist.id,
        "day": date(2027, 3, 16),
        "clock": time(18, 0),
    }
    values.update(fields)
    return sessions.ScheduleDraft(**values)  # type: ignore[arg-type]


NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_it_schedules_a_conjoint_session_for_both_and_queues_one_confirmation_each() -> None:
    therapist, couple = madrid_case()
    a, b = partners_of(couple)
    [appointment] = sessions.schedule_sessions(
        therapist,
        couple.id,
        draft(couple, therapist, mode=Appointment.Mode.VIDEO, video_link=LINK),
        at=NOW,
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SCHEDULED
    assert appointment.kind == SessionType.Kind.CONJOINT
    # 18:00 in Madrid before the spring change is 17:00 UTC; 50 minutes long.
    assert appointment.starts_at == datetime(2027, 3, 16, 17, 0, tzinfo=UTC)
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=50)
    assert appointment.video_link == LINK
    assert set(appointment.invited.all()) == {a, b}
    assert appointment.created_by == therapist
    messages = AppointmentMessage.objects.filter(appointment=appointment)
    assert sorted((m.partner_id, m.purpose) for m in messages) == sorted(
        [(a.id, "confirmation"), (b.id, "confirmation")]
    )
    entry = AuditEntry.objects.get(action="appointments.appointment.schedule")
    assert entry.object_id == str(appointment.id)
    assert "video_link" in entry.fields
    # Names of fields only: never the link, the time or a person (rebond/audit).
    assert LINK not in str(entry.__dict__)


def test_an_individual_session_invites_only_its_partner_and_tells_only_them() -> None:
    therapist, couple = madrid_case()
    a, _ = partners_of(couple)
    kind = SessionType.Kind.INDIVIDUAL
    [appointment] = sessions.schedule_sessions(
        therapist,
        couple.id,
        draft(
            couple,
            therapist,
            session_type_id=session_types(couple.clinic)[kind].id,
            partner_id=a.id,
        ),
        at=NOW,
    )
    assert list(appointment.invited.all()) == [a]
    assert appointment.kind == kind
    recipients = set(
        AppointmentMessage.objects.filter(appointment=appointment).values_list(
            "partner_id", flat=True
        )
    )
    assert recipients == {a.id}


def test_an_individual_session_needs_its_partner() -> None:
    therapist, couple = madrid_case()
    kind = SessionType.Kind.INDIVIDUAL
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(couple, therapist, session_type_id=session_types(couple.clinic)[kind].id),
            at=NOW,
        )
    assert "partner" in refused.value.errors
    assert Appointment.objects.count() == 0


def test_a_fortnightly_series_keeps_the_clinic_clock_time_across_the_spring_change() -> None:
    # Madrid moves from UTC+1 to UTC+2 on Sunday 28 March 2027.
    therapist, couple = madrid_case()
    placed = sessions.schedule_sessions(
        therapist,
        couple.id,
        draft(couple, therapist, day=date(2027, 3, 16), every_weeks=2, count=3),
        at=NOW,
    )
    local = [a.starts_at.astimezone(MADRID) for a in placed]
    assert [(t.date(), t.time()) for t in local] == [
        (date(2027, 3, 16), time(18, 0)),
        (date(2027, 3, 30), time(18, 0)),
        (date(2027, 4, 13), time(18, 0)),
    ]
    assert [a.starts_at.astimezone(UTC).hour for a in placed] == [17, 16, 16]
    assert all(a.ends_at - a.starts_at == timedelta(minutes=50) for a in placed)
    series = AppointmentSeries.objects.get()
    assert (series.every_weeks, series.count, series.couple) == (2, 3, couple)
    assert {a.series_id for a in placed} == {series.id}
    # One confirmation per partner, about the first appointment: not one per occurrence.
    messages = AppointmentMessage.objects.all()
    assert messages.count() == 2
    assert {m.appointment_id for m in messages} == {placed[0].id}


def test_a_weekly_series_keeps_its_clock_time_across_the_autumn_change_in_sydney() -> None:
    # Sydney moves from UTC+11 to UTC+10 on Sunday 4 April 2027.
    clinic = make_clinic("Sydney practice", timezone="Australia/Sydney")
    therapist = make_clinician(clinic, "Syd Therapist")
    couple = make_couple(therapist)
    placed = sessions.schedule_sessions(
        therapist,
        couple.id,
        draft(couple, therapist, day=date(2027, 3, 31), clock=time(9, 30), every_weeks=1, count=2),
        at=NOW,
    )
    assert [a.starts_at.astimezone(SYDNEY).time() for a in placed] == [time(9, 30)] * 2
    assert [a.starts_at for a in placed] == [
        datetime(2027, 3, 30, 22, 30, tzinfo=UTC),
        datetime(2027, 4, 6, 23, 30, tzinfo=UTC),
    ]


def test_a_series_with_colliding_dates_saves_nothing_and_names_each_colliding_date() -> None:
    therapist, couple = madrid_case()
    other = make_couple(therapist, "Other case")
    # The clinician is already busy on the 2nd and 4th Tuesday of the series.
    for busy in (
        datetime(2027, 3, 23, 18, 30, tzinfo=MADRID),
        datetime(2027, 4, 6, 17, 45, tzinfo=MADRID),
    ):
        schedule(therapist, other, busy, at=NOW)
    before = (Appointment.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(couple, therapist, day=date(2027, 3, 16), every_weeks=1, count=6),
            at=NOW,
        )
    assert refused.value.status == 409
    message = refused.value.message
    assert "Tue 23 Mar 2027" in message
    assert "Tue 6 Apr 2027" in message
    assert "16 Mar" not in message
    assert "30 Mar" not in message
    assert "Nothing was scheduled" in message
    assert (Appointment.objects.count(), AuditEntry.objects.count()) == before
    assert not AppointmentSeries.objects.exists()
    assert not Appointment.objects.filter(couple=couple).exists()
    assert not AppointmentMessage.objects.filter(appointment__couple=couple).exists()


def test_one_colliding_appointment_is_refused_with_the_same_clear_message() -> None:
    therapist, couple = madrid_case()
    schedule(therapist, couple, datetime(2027, 3, 16, 18, 0, tzinfo=MADRID), at=NOW)
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist, couple.id, draft(couple, therapist, clock=time(18, 20)), at=NOW
        )
    assert refused.value.status == 409
    assert "Tue 16 Mar 2027" in refused.value.message
    assert Appointment.objects.count() == 1


def test_a_time_the_clocks_skip_is_refused_and_so_is_a_series_that_meets_it() -> None:
    therapist, couple = madrid_case()
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(couple, therapist, day=date(2027, 3, 28), clock=time(2, 30)),
            at=NOW,
        )
    assert "clock" in refused.value.errors
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(
                couple, therapist, day=date(2027, 3, 21), clock=time(2, 30), every_weeks=1, count=3
            ),
            at=NOW,
        )
    assert "Sun 28 Mar 2027 (the clocks change at that time)" in refused.value.message
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    "link",
    [
        "http://video.example.org/room",
        "javascript:alert(1)",
        "video.example.org/room",
        "https://",
        "https://video.example.org/" + "x" * 500,
    ],
)
def test_a_video_session_takes_only_an_https_address(link: str) -> None:
    therapist, couple = madrid_case()
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(couple, therapist, mode=Appointment.Mode.VIDEO, video_link=link),
            at=NOW,
        )
    assert "video_link" in refused.value.errors
    assert Appointment.objects.count() == 0


def test_an_in_person_session_keeps_no_video_link() -> None:
    therapist, couple = madrid_case()
    [appointment] = sessions.schedule_sessions(
        therapist, couple.id, draft(couple, therapist, video_link=LINK), at=NOW
    )
    appointment.refresh_from_db()
    assert appointment.mode == Appointment.Mode.IN_PERSON
    assert appointment.video_link == ""


@pytest.mark.parametrize(("count", "ok"), [(1, False), (2, True), (26, True), (27, False)])
def test_a_series_holds_2_to_26_appointments(count: int, ok: bool) -> None:
    therapist, couple = madrid_case()
    start = date(2027, 3, 16)
    if ok:
        placed = sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(couple, therapist, day=start, every_weeks=1, count=count),
            at=NOW,
        )
        assert len(placed) == count
        return
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(couple, therapist, day=start, every_weeks=1, count=count),
            at=NOW,
        )
    assert "count" in refused.value.errors


def test_a_time_already_past_is_refused() -> None:
    therapist, couple = madrid_case()
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist, couple.id, draft(couple, therapist, day=date(2027, 2, 28)), at=NOW
        )
    assert "day" in refused.value.errors


def test_the_clinician_must_be_on_the_case_and_the_session_type_of_the_clinic() -> None:
    therapist, couple = madrid_case()
    colleague = make_clinician(couple.clinic, "Off the case")
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist, couple.id, draft(couple, therapist, clinician_id=colleague.id), at=NOW
        )
    assert "clinician" in refused.value.errors
    elsewhere = session_types(make_clinic("Elsewhere"))[SessionType.Kind.CONJOINT]
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(couple, therapist, session_type_id=elsewhere.id),
            at=NOW,
        )
    assert "session_type" in refused.value.errors
    consultation = SessionType.objects.create(
        clinic=couple.clinic, kind=SessionType.Kind.CONSULTATION, name="Free", duration_minutes=30
    )
    with pytest.raises(ActionError):
        sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(couple, therapist, session_type_id=consultation.id),
            at=NOW,
        )
    assert Appointment.objects.count() == 0


def test_a_clinician_off_the_case_reaches_nothing_to_schedule() -> None:
    _, couple = madrid_case()
    colleague = make_clinician(couple.clinic, "Colleague")
    outsider = make_clinician(make_clinic("Other clinic"), "Outsider")
    for who in (colleague, outsider):
        with pytest.raises(Http404):
            sessions.schedule_sessions(who, couple.id, draft(couple, who), at=NOW)
    assert Appointment.objects.count() == 0


def test_a_supervisor_schedules_with_the_treating_clinician() -> None:
    therapist, couple = madrid_case()
    supervisor = make_clinician(couple.clinic, "Sue Supervisor", is_supervisor=True)
    Couple.objects.filter(pk=couple.pk).update(supervisor=supervisor)
    [appointment] = sessions.schedule_sessions(
        supervisor, couple.id, draft(couple, therapist), at=NOW
    )
    assert (appointment.clinician, appointment.created_by) == (therapist, supervisor)


def test_no_conjoint_session_is_scheduled_while_paused_for_safety_nor_on_a_closed_case() -> None:
    therapist, couple = madrid_case()
    a, _ = partners_of(couple)
    Couple.objects.filter(pk=couple.pk).update(status=Couple.Status.PAUSED_SAFETY)
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(therapist, couple.id, draft(couple, therapist), at=NOW)
    assert "paused" in refused.value.errors["session_type"][0]
    # An individual session stays possible while paused (e.g. a safety follow-up).
    individual = session_types(couple.clinic)[SessionType.Kind.INDIVIDUAL]
    sessions.schedule_sessions(
        therapist,
        couple.id,
        draft(couple, therapist, session_type_id=individual.id, partner_id=a.id),
        at=NOW,
    )
    Couple.objects.filter(pk=couple.pk).update(status=Couple.Status.CLOSED)
    with pytest.raises(ActionError) as refused:
        sessions.schedule_sessions(
            therapist,
            couple.id,
            draft(
                couple,
                therapist,
                session_type_id=individual.id,
                partner_id=a.id,
                day=date(2027, 3, 17),
            ),
            at=NOW,
        )
    assert "closed" in refused.value.message or "closed" in str(refused.value.errors)
    assert Appointment.objects.count() == 1


def test_a_partner_with_no_safe_channel_gets_an_unsendable_row_the_clinician_sees() -> None:
    therapist, couple = madrid_case()
    a, b = partners_of(couple)
    b.contact_channels.update(safe_to_contact=False)
    sessions.schedule_sessions(therapist, couple.id, draft(couple, therapist), at=NOW)
    statuses = dict(AppointmentMessage.objects.values_list("partner_id", "status"))
    assert statuses == {
        a.id: AppointmentMessage.Status.PENDING,
        b.id: AppointmentMessage.Status.UNSENDABLE,
    }
