"""A clinic admin sets the parameters of expected recovery; every couple's signal follows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.measurement.models import CoupleTrack, MeasurementSettings
from rebond.measurement.tests.helpers import submit_csi4_series
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db(transaction=True)  # the recomputation runs on commit

VALID = {
    "outcome_instrument": "CSI-4",
    "planned_sessions": "20",
    "flag_from_session": "3",
    "tolerance": "",
    "divergence": "",
    "local_sd": "",
    "local_reliability": "",
    "local_norms_source": "",
}


@pytest.fixture
def admin(alice: User) -> User:
    alice.is_clinic_admin = True
    alice.save(update_fields=["is_clinic_admin"])
    return alice


def test_the_page_shows_the_defaults_and_what_they_rest_on(client: Client, admin: User) -> None:
    sign_in(client, admin)
    response = client.get(reverse("measurement_settings"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="20"' in body
    assert "practice choice" in body
    assert "PHQ-9" not in body  # a risk instrument can never carry the couple's signal


def test_a_wider_tolerance_recomputes_every_couples_signal(client: Client, admin: User) -> None:
    couple = make_couple(admin)
    submit_csi4_series(admin, couple, [5, 5, 6, 6, 7, 7, 8], [5] * 7)
    assert CoupleTrack.objects.get(couple=couple).signal == "not_on_track"
    sign_in(client, admin)
    response = client.post(
        reverse("measurement_settings"), {**VALID, "tolerance": "5", "divergence": "4"}
    )
    assert response.status_code == 302
    settings = MeasurementSettings.objects.get(clinic=admin.clinic)
    assert (settings.tolerance, settings.divergence) == (5, 4)
    assert CoupleTrack.objects.get(couple=couple).signal == "on_track"
    entry = AuditEntry.objects.get(action="measurement.settings.update")
    assert set(entry.fields) == {"tolerance", "divergence"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"planned_sessions": "30"}, "planned_sessions", "from 8 to 24"),
        ({"flag_from_session": "0"}, "flag_from_session", "from 1 to 20"),
        ({"tolerance": "-1"}, "tolerance", "above 0"),
        ({"local_sd": "4"}, "local_sd", "both the SD and the reliability"),
        (
            {"local_sd": "4", "local_reliability": "1", "local_norms_source": "Ours"},
            "local_reliability",
            "up to (not including) 1",
        ),
        ({"local_sd": "4", "local_reliability": "0.8"}, "local_norms_source", "where"),
        ({"outcome_instrument": "PHQ-9"}, "outcome_instrument", "Select a valid choice"),
    ],
)
def test_unusable_values_are_refused_with_a_specific_message_and_nothing_saved(
    client: Client, admin: User, changes: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, admin)
    response = client.post(reverse("measurement_settings"), {**VALID, **changes})
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not MeasurementSettings.objects.exists()


def test_only_clinic_admins_reach_the_settings(client: Client, bob: User) -> None:
    sign_in(client, bob)
    assert client.get(reverse("measurement_settings")).status_code == 403
    assert client.post(reverse("measurement_settings"), VALID).status_code == 403
