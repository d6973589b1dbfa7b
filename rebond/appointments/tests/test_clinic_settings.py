"""A clinic admin's appointment settings and session types: checked, audited, nothing lost."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.appointments import clinic_settings
from rebond.appointments.models import (
    DEFAULT_NEUTRAL_WORDING,
    AppointmentSettings,
    SessionType,
)
from rebond.audit.models import AuditEntry
from rebond.lib.errors import ActionError
from rebond.test import make_clinician, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)


def form_data(**changes: Any) -> dict[str, Any]:
    data = {
        "consultation_booking": "on",
        "slots_offered": "5",
        "booking_horizon_days": "14",
        "booking_notice_hours": "48",
        "hold_hours": "24",
        "neutral_wording": "See you on {when}.",
        "open_wording": "Your appointment with {clinic} on {when}.",
        "reminder_lead_hours": "24",
        "checkin_lead_hours": "24",
        "late_cancel_hours": "24",
        "default_window_start": "09:00",
        "default_window_end": "20:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_saves_the_settings_and_the_change_is_audited_by_field_names(
    client: Client, admin: User, clinic_a: Clinic
) -> None:
    sign_in(client, admin)
    page = client.get(reverse("appointment_settings"))
    assert page.status_code == 200
    assert f'value="{DEFAULT_NEUTRAL_WORDING}"' in page.content.decode()
    response = client.post(reverse("appointment_settings"), form_data())
    assert response.status_code == 302
    saved = AppointmentSettings.objects.get(clinic=clinic_a)
    assert saved.consultation_booking is True
    assert (saved.slots_offered, saved.booking_notice_hours, saved.checkin_lead_hours) == (
        5,
        48,
        24,
    )
    assert saved.neutral_wording == "See you on {when}."
    entry = AuditEntry.objects.get(action="appointments.settings.update")
    assert entry.actor_id == admin.pk
    assert "neutral_wording" in entry.fields
    assert "See you" not in str(entry.fields) + entry.reason
    # The clinic gets the usual session types with its first settings.
    assert SessionType.objects.filter(clinic=clinic_a).count() == 3
    # The page shows how a reminder now reads, with each wording.
    body = client.get(reverse("appointment_settings")).content.decode()
    assert re.search(r"<dd>Reminder\. See you on Monday \d+ \w+ \d{4} at 14:00\.</dd>", body)
    assert re.search(r"<dd>Reminder\. Your appointment with Clinic A on Monday .*</dd>", body)


def test_check_ins_before_sessions_may_be_turned_off(
    client: Client, admin: User, clinic_a: Clinic
) -> None:
    sign_in(client, admin)
    client.post(reverse("appointment_settings"), form_data(checkin_lead_hours=""))
    assert AppointmentSettings.objects.get(clinic=clinic_a).checkin_lead_hours is None


def test_a_neutral_wording_with_therapy_words_is_refused_and_nothing_typed_is_lost(
    client: Client, admin: User, clinic_a: Clinic
) -> None:
    sign_in(client, admin)
    wording = "Reminder of your couples therapy session on {when}."
    response = client.post(
        reverse("appointment_settings"), form_data(neutral_wording=wording, slots_offered="7")
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: Appointment settings" in body
    assert (
        "Keep this wording neutral: someone else may read the message. Remove "
        "\u201ccouples\u201d, \u201ctherapy\u201d, \u201csession\u201d."
    ) in body.replace("&ldquo;", "\u201c").replace("&rdquo;", "\u201d")
    assert f'value="{wording}"' in body
    assert 'value="7"' in body
    assert not AppointmentSettings.objects.filter(clinic=clinic_a).exists()
    assert not AuditEntry.objects.filter(action="appointments.settings.update").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("neutral_wording", "Your appointment soon.", "Include {when}"),
        ("neutral_wording", "On {when} at {clinic}.", "{clinic} cannot be used here"),
        ("open_wording", "With {clinic} on {when} for {name}.", "{name} cannot be used here"),
        ("open_wording", "Broken {when", "Use braces only around {when} or {clinic}."),
        ("slots_offered", "0", "Ensure this value is greater than or equal to 1."),
        ("hold_hours", "999", "Ensure this value is less than or equal to 336."),
        ("default_window_end", "", "This field is required."),
    ],
)
def test_each_setting_is_checked_with_a_message_of_its_own(
    client: Client, admin: User, field: str, value: str, message: str
) -> None:
    sign_in(client, admin)
    response = client.post(reverse("appointment_settings"), form_data(**{field: value}))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not AppointmentSettings.objects.exists()


def test_the_action_refuses_what_the_form_refuses(admin: User) -> None:
    values = {
        name: getattr(AppointmentSettings(), name) for name in clinic_settings.SETTINGS_FIELDS
    }
    with pytest.raises(ActionError) as refused:
        clinic_settings.set_appointment_settings(
            admin, {**values, "neutral_wording": "Your therapy on {when}.", "slots_offered": 0}
        )
    assert set(refused.value.errors) == {"neutral_wording", "slots_offered"}
    assert refused.value.status == 422
    saved = clinic_settings.set_appointment_settings(admin, {**values, "hold_hours": 12})
    assert saved.hold_hours == 12
    assert saved.default_window_start == time(9)


def test_only_clinic_admins_reach_the_settings(client: Client, alice: User) -> None:
    sign_in(client, alice)
    assert client.get(reverse("appointment_settings")).status_code == 403
    assert client.post(reverse("appointment_settings"), form_data()).status_code == 403
    assert not AppointmentSettings.objects.exists()


def test_the_settings_are_in_the_admins_menu(client: Client, admin: User) -> None:
    sign_in(client, admin)
    body = client.get(reverse("caseload")).content.decode()
    assert f'<a href="{reverse("appointment_settings")}">Appointment settings</a>' in body


# --- Session types ----------------------------------------------------------------------


def test_the_usual_session_types_are_seeded_once_per_clinic(
    clinic_a: Clinic, clinic_b: Clinic, admin: User
) -> None:
    seeded = clinic_settings.ensure_session_types(clinic_a, by=admin)
    assert sorted((t.kind, t.name, t.duration_minutes) for t in seeded) == [
        ("conjoint", "Conjoint session", 80),
        ("consultation", "Free consultation", 30),
        ("individual", "Individual session", 50),
    ]
    # A clinic that changed them keeps its own: they are never seeded again.
    conjoint = SessionType.objects.get(clinic=clinic_a, kind="conjoint")
    clinic_settings.change_session_type(
        admin, conjoint.id, clinic_settings.SessionTypeDraft("Joint session", 90)
    )
    clinic_settings.set_session_type_active(admin, conjoint.id, is_active=False)
    again = clinic_settings.ensure_session_types(clinic_a)
    assert len(again) == 3
    assert SessionType.objects.filter(clinic=clinic_a, name="Conjoint session").count() == 0
    assert SessionType.objects.filter(clinic=clinic_b).count() == 0
    assert AuditEntry.objects.filter(action="appointments.session_type.seed").count() == 3


def test_an_admin_starts_with_the_usual_types_then_adds_renames_and_deactivates(
    client: Client, admin: User, clinic_a: Clinic
) -> None:
    sign_in(client, admin)
    empty = client.get(reverse("session_types")).content.decode()
    assert "Free consultation, 30 minutes" in empty
    assert client.post(reverse("session_types_defaults")).status_code == 302
    assert SessionType.objects.filter(clinic=clinic_a).count() == 3

    added = client.post(
        reverse("session_types"),
        {
            "new-kind": "individual",
            "new-name": "Individual assessment",
            "new-duration_minutes": "75",
        },
    )
    assert added.status_code == 302
    assessment = SessionType.objects.get(clinic=clinic_a, name="Individual assessment")
    assert (assessment.kind, assessment.duration_minutes) == ("individual", 75)

    renamed = client.post(
        reverse("session_type_edit", args=[assessment.id]),
        {"name": "Individual safety assessment", "duration_minutes": "90"},
    )
    assert renamed.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.name, assessment.duration_minutes) == ("Individual safety assessment", 90)

    stopped = client.post(reverse("session_type_active", args=[assessment.id]), {"is_active": "no"})
    assert stopped.status_code == 302
    assessment.refresh_from_db()
    assert assessment.is_active is False
    listing = client.get(reverse("session_types")).content.decode()
    assert "Not offered" in listing
    assert "Offer again" in listing
    actions = list(
        AuditEntry.objects.filter(object_id=str(assessment.id)).values_list("action", flat=True)
    )
    assert actions == [
        "appointments.session_type.add",
        "appointments.session_type.update",
        "appointments.session_type.update",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"new-kind": "conjoint", "new-name": "conjoint SESSION", "new-duration_minutes": "80"},
            "already has a session type of that name",
        ),
        (
            {"new-kind": "", "new-name": "Walk and talk", "new-duration_minutes": "60"},
            "This field is required.",
        ),
        (
            {"new-kind": "group", "new-name": "Group", "new-duration_minutes": "60"},
            "Select a valid choice",
        ),
        (
            {"new-kind": "conjoint", "new-name": "Marathon", "new-duration_minutes": "480"},
            "less than or equal to 240",
        ),
        (
            {"new-kind": "conjoint", "new-name": "Blink", "new-duration_minutes": "5"},
            "greater than or equal to 10",
        ),
    ],
)
def test_a_session_type_that_breaks_a_rule_is_refused_and_kept_in_the_form(
    client: Client, admin: User, clinic_a: Clinic, data: dict[str, str], message: str
) -> None:
    clinic_settings.ensure_session_types(clinic_a)
    sign_in(client, admin)
    response = client.post(reverse("session_types"), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert f'value="{data["new-name"]}"' in body
    assert SessionType.objects.filter(clinic=clinic_a).count() == 3


def test_a_rename_onto_another_types_name_is_refused(admin: User, clinic_a: Clinic) -> None:
    clinic_settings.ensure_session_types(clinic_a)
    individual = SessionType.objects.get(clinic=clinic_a, kind="individual")
    with pytest.raises(ActionError, match="already has a session type of that name"):
        clinic_settings.change_session_type(
            admin, individual.id, clinic_settings.SessionTypeDraft("Free Consultation", 50)
        )


def test_another_clinics_session_type_is_not_found(
    client: Client, admin: User, clinic_b: Clinic
) -> None:
    theirs = clinic_settings.ensure_session_types(clinic_b)[0]
    sign_in(client, admin)
    assert client.get(reverse("session_type_edit", args=[theirs.id])).status_code == 404
    response = client.post(reverse("session_type_active", args=[theirs.id]), {"is_active": "no"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active is True


def test_a_clinician_who_is_no_admin_cannot_change_session_types(
    client: Client, alice: User, clinic_a: Clinic
) -> None:
    ours = clinic_settings.ensure_session_types(clinic_a)[0]
    sign_in(client, alice)
    assert client.get(reverse("session_types")).status_code == 403
    assert client.post(reverse("session_types_defaults")).status_code == 403
    response = client.post(reverse("session_type_active", args=[ours.id]), {"is_active": "no"})
    assert response.status_code == 403
    ours.refresh_from_db()
    assert ours.is_active is True
