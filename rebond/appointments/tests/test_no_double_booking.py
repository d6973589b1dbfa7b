"""The database itself refuses two appointments of one clinician at overlapping times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from rebond.accounts.models import User
from rebond.appointments.booking import TAKEN, is_overlap_error, place
from rebond.appointments.models import Appointment, SessionType
from rebond.couples.models import Couple
from rebond.lib.errors import ActionError
from rebond.test import make_clinic, make_clinician, make_couple

pytestmark = [pytest.mark.django_db]

NINE = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _appointment(
    clinician: User,
    couple: Couple,
    starts_at: datetime,
    minutes: int = 50,
    status: str = Appointment.Status.SCHEDULED,
) -> Appointment:
    kind = SessionType.Kind.CONJOINT
    session_type, _ = SessionType.objects.get_or_create(
        clinic=clinician.clinic, name="Conjoint", defaults={"kind": kind, "duration_minutes": 50}
    )
    return Appointment(
        clinic=clinician.clinic,
        clinician=clinician,
        session_type=session_type,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        couple=couple,
        status=status,
    )


@pytest.fixture
def case() -> tuple[User, Couple]:
    clinic = make_clinic()
    clinician = make_clinician(clinic, "Therapist")
    return clinician, make_couple(clinician)


def test_an_overlapping_insert_is_refused_by_the_database_itself(case: tuple[User, Couple]) -> None:
    clinician, couple = case
    _appointment(clinician, couple, NINE).save()
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        # Straight to the database, past booking.place()'s own check.
        _appointment(clinician, couple, NINE + timedelta(minutes=30)).save()
    assert is_overlap_error(refused.value)


def test_place_answers_an_overlap_with_a_clear_conflict(case: tuple[User, Couple]) -> None:
    clinician, couple = case
    place(_appointment(clinician, couple, NINE))
    with pytest.raises(ActionError) as refused:
        place(_appointment(clinician, couple, NINE + timedelta(minutes=49)))
    assert refused.value.status == 409
    assert refused.value.errors == {"starts_at": [TAKEN]}
    assert Appointment.objects.count() == 1


def test_back_to_back_and_cancelled_times_do_not_count(case: tuple[User, Couple]) -> None:
    clinician, couple = case
    place(_appointment(clinician, couple, NINE, status=Appointment.Status.CANCELLED))
    place(_appointment(clinician, couple, NINE))
    place(_appointment(clinician, couple, NINE + timedelta(minutes=50)))
    assert Appointment.objects.count() == 3


def test_another_clinician_may_hold_the_same_time(case: tuple[User, Couple]) -> None:
    clinician, couple = case
    colleague = make_clinician(clinician.clinic, "Colleague")
    place(_appointment(clinician, couple, NINE))
    place(_appointment(colleague, make_couple(colleague), NINE))
    assert Appointment.objects.count() == 2


def test_moving_an_appointment_onto_another_is_refused(case: tuple[User, Couple]) -> None:
    clinician, couple = case
    place(_appointment(clinician, couple, NINE))
    later = place(_appointment(clinician, couple, NINE + timedelta(hours=2)))
    later.starts_at, later.ends_at = NINE + timedelta(minutes=10), NINE + timedelta(minutes=60)
    with pytest.raises(ActionError):
        place(later)
