"""`rebond demo` gives the demo practice calendars that look real, once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import Clinic, User
from rebond.appointments.models import (
    Appointment,
    AppointmentSettings,
    SessionType,
    TimeOff,
    WeeklyHours,
)
from rebond.demo.calendar import NOOR
from rebond.test import sign_in

pytestmark = pytest.mark.django_db


def run_demo() -> None:
    call_command("demo", "--force", stdout=StringIO())


def counts() -> tuple[int, ...]:
    return (
        SessionType.objects.count(),
        AppointmentSettings.objects.count(),
        WeeklyHours.objects.count(),
        TimeOff.objects.count(),
        Appointment.objects.count(),
    )


def test_the_demo_clinic_books_consultations_and_sends_check_ins_before_sessions() -> None:
    run_demo()
    clinic = Clinic.objects.get()
    settings = AppointmentSettings.objects.get(clinic=clinic)
    assert settings.consultation_booking is True
    assert settings.checkin_lead_hours == 24
    assert sorted(SessionType.objects.values_list("name", "duration_minutes")) == [
        ("Conjoint session", 80),
        ("Free consultation", 30),
        ("Individual session", 50),
    ]
    for clinician in User.objects.all():
        assert WeeklyHours.objects.filter(clinician=clinician).exists(), clinician


def test_recent_sessions_are_attended_appointments_and_the_coming_weeks_are_booked() -> None:
    run_demo()
    attended = Appointment.objects.filter(status=Appointment.Status.ATTENDED)
    assert attended.exists()
    assert all(a.session is not None and a.starts_at == a.session.occurred_at for a in attended)
    coming = Appointment.objects.filter(
        starts_at__gt=now(), status__in=Appointment.UPCOMING_STATUSES
    )
    assert coming.count() >= 3
    assert coming.filter(clinician__email=NOOR).exists()
    for appointment in coming.exclude(couple=None):
        assert appointment.invited.exists()
    # Nobody's time is booked twice (the database would have refused it anyway).
    mine = list(Appointment.objects.blocking().filter(clinician__email=NOOR).order_by("starts_at"))
    assert all(a.ends_at <= b.starts_at for a, b in pairwise(mine))


def test_running_the_demo_again_adds_nothing() -> None:
    run_demo()
    before = counts()
    run_demo()
    assert counts() == before


def test_the_demo_therapists_weeks_show_her_appointments(client: Client) -> None:
    run_demo()
    sign_in(client, User.objects.get(email=NOOR))
    next_week = f"{now() + timedelta(days=7):%Y-%m-%d}"
    pages = [
        client.get(reverse("calendar"), query).content.decode()
        for query in ({}, {"week": next_week})
    ]
    # Her two conjoint cases meet every week; next week holds both at least.
    assert pages[1].count('class="entry ') >= 2
    assert "Okafor &amp; Lindqvist" in pages[1]
    assert "Haddad &amp; Moreau" in pages[1]
