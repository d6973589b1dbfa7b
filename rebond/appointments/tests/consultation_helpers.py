"""Builders for free-consultation tests: a clinic that offers them, hours, a fixed clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.appointments import consultation_views, consultations, inbox_views
from rebond.appointments.models import (
    Appointment,
    AppointmentSettings,
    SessionType,
    WeeklyHours,
)
from rebond.intake import receipt
from rebond.intake import views as intake_views
from rebond.intake.models import ConsultationRequest
from rebond.intake.tests.conftest import valid_post

# A Monday; London is on GMT then, so clinic clock times equal UTC.
MONDAY_9 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def offer_consultations(
    clinic: Clinic, *, booking: bool = True, duration: int = 30, **settings: Any
) -> SessionType:
    """Let the clinic's requesters choose a time (or not), with a free-consultation type."""
    AppointmentSettings.objects.update_or_create(
        clinic=clinic, defaults={"consultation_booking": booking, **settings}
    )
    return SessionType.objects.create(
        clinic=clinic,
        kind=SessionType.Kind.CONSULTATION,
        name="Free consultation",
        duration_minutes=duration,
    )


def weekly_hours(
    clinician: User,
    starts: time = time(9),
    ends: time = time(12),
    days: Iterable[int] = range(5),
) -> None:
    """Give the clinician the same hours on these weekdays (Monday is 0)."""
    for day in days:
        WeeklyHours.objects.create(clinician=clinician, weekday=day, starts=starts, ends=ends)


def freeze(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Set the clock of the receipt, the booking pages, the actions and the inbox."""
    for module in (consultations, consultation_views, inbox_views, receipt, intake_views):
        monkeypatch.setattr(module, "now", lambda: moment)


def send_request(client: Client, clinic: Clinic, **fields: Any) -> ConsultationRequest | None:
    """Send the public form from this client's browser; return the request stored, if any."""
    before = set(ConsultationRequest.objects.values_list("id", flat=True))
    response = client.post(
        reverse("consultation_request", args=[clinic.slug]), valid_post(**fields)
    )
    assert response.status_code == 302, response.status_code
    after = ConsultationRequest.objects.exclude(id__in=before)
    return after.first()


def held(clinician: User, request: ConsultationRequest, starts_at: datetime) -> Appointment:
    """Hold a consultation for the request directly, as a requester's choice would."""
    session_type = SessionType.objects.get(
        clinic=request.clinic, kind=SessionType.Kind.CONSULTATION
    )
    return Appointment.objects.create(
        clinic=request.clinic,
        clinician=clinician,
        session_type=session_type,
        kind=Appointment.Kind.CONSULTATION,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=session_type.duration_minutes),
        status=Appointment.Status.REQUESTED,
        request=request,
        held_until=starts_at - timedelta(hours=1),
    )
