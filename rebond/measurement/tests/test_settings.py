"""A clinic admin sets the progress-signal settings; every couple's signal follows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.measurement.models import CoupleTrack, MeasurementSettings
from rebond.measurement.tests.helpers import clinic_of, gad7_answers, submit_series
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db(transaction=True)  # the recomputation runs on commit

VALID = {
    "outcome_instrument": "CSI-4",
    "review_session": "6",
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
    assert 'name="review_session" value="6"' in body
    assert "A practice choice of your clinic, not a norm (default 6; 3 to 24)" in body
    assert "no published reliable-change figure" in body
    # The straight line's settings are gone (the menu may link the clinic's own fitted curve).
    main = body.split("<main", 1)[1].split("</main>", 1)[0]
    for withdrawn in ("planned", "tolerance", "Expected recovery"):
        assert withdrawn not in main
    assert "PHQ-9" not in body  # a risk instrument can never carry the couple's signal
    assert "RDAS" not in body.split("<select")[1].split("</select>")[0]  # not offered yet


def test_a_later_review_session_recomputes_every_couples_signal(
    client: Client, admin: User
) -> None:
    couple = make_couple(admin)
    MeasurementSettings.objects.create(clinic=clinic_of(admin), outcome_instrument="GAD-7")
    submit_series(
        admin,
        couple,
        "GAD-7",
        gad7_answers,
        [14, 13, 12, 11, 10, 9, 8],
        [14, 14, 13, 13, 13, 13, 13],
    )
    assert CoupleTrack.objects.get(couple=couple).signal == "review"
    sign_in(client, admin)
    response = client.post(
        reverse("measurement_settings"),
        {**VALID, "outcome_instrument": "GAD-7", "review_session": "8"},
    )
    assert response.status_code == 302
    settings = MeasurementSettings.objects.get(clinic=admin.clinic)
    assert settings.review_session == 8
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.signal, track.b_signal) == ("not_yet", "no_reliable_change")
    entry = AuditEntry.objects.get(action="measurement.settings.update")
    assert set(entry.fields) == {"review_session"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"review_session": "30"}, "review_session", "Use a session from 3 to 24"),
        ({"review_session": "2"}, "review_session", "Use a session from 3 to 24"),
        ({"review_session": ""}, "review_session", "This field is required"),
        ({"divergence": "-1"}, "divergence", "above 0"),
        ({"local_sd": "4"}, "local_sd", "both the SD and the reliability"),
        (
            {"local_sd": "4", "local_reliability": "1", "local_norms_source": "Ours"},
            "local_reliability",
            "up to (not including) 1",
        ),
        ({"local_sd": "4", "local_reliability": "0.8"}, "local_norms_source", "where"),
        ({"outcome_instrument": "PHQ-9"}, "outcome_instrument", "Select a valid choice"),
        ({"outcome_instrument": "RDAS"}, "outcome_instrument", "Select a valid choice"),
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
