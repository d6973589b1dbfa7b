"""The RDAS as the couple outcome questionnaire: a published reliable-change figure and band.

Cut-off 47.31 and reliable change 11.58 points (a change of 12 or more): Anderson et al. 2014,
JMFT 40(4):525-534 (psychometrics/instruments/rdas.py). Its item key is unverified, so a clinic
must load its licensed wording and choose to offer it first (docs/measurement.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.measurement.actions import outcome_choices
from rebond.measurement.models import CoupleTrack, MeasurementSettings
from rebond.measurement.tests.helpers import (
    clinic_of,
    offer_rdas,
    rdas_answers,
    submit_series,
    use_outcome,
)
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(alice: User, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> User:
    directory = tmp_path / "wording"
    settings.WORDING_DIR = directory
    monkeypatch.setenv("REBOND_WORDING_DIR", str(directory))
    alice.is_clinic_admin = True
    alice.save(update_fields=["is_clinic_admin"])
    return alice


def test_the_rdas_is_an_outcome_choice_only_once_the_clinic_offers_it(
    admin: User, tmp_path: Path
) -> None:
    clinic = clinic_of(admin).id
    assert "RDAS" not in outcome_choices(clinic)
    assert "CSI-4" in outcome_choices(clinic)
    offer_rdas(admin, tmp_path)
    assert "RDAS" in outcome_choices(clinic)
    assert "RDAS" not in outcome_choices(None)  # never in the default catalogue


def test_a_clinic_admin_chooses_the_rdas_on_the_settings_page(
    client: Client, admin: User, tmp_path: Path
) -> None:
    offer_rdas(admin, tmp_path)
    sign_in(client, admin)
    assert (
        '<option value="RDAS">RDAS</option>'
        in client.get(reverse("measurement_settings")).content.decode()
    )
    response = client.post(
        reverse("measurement_settings"),
        {"outcome_instrument": "RDAS", "review_session": "6"},
    )
    assert response.status_code == 302
    assert MeasurementSettings.objects.get(clinic=clinic_of(admin)).outcome_instrument == "RDAS"


def test_less_than_the_reliable_change_is_no_reliable_change_and_a_larger_drop_deteriorated(
    client: Client, admin: User, tmp_path: Path
) -> None:
    offer_rdas(admin, tmp_path)
    use_outcome(admin, "RDAS")
    couple = make_couple(admin, "Banded couple", partners=("Sam", "Alex"))
    # Sam: 11 points better (< 11.58). Alex: 12 points worse (> 11.58).
    submit_series(admin, couple, "RDAS", rdas_answers, [30, 35, 41], [30, 24, 18])
    track = CoupleTrack.objects.get(couple=couple)
    assert (track.signal, track.a_signal, track.b_signal) == (
        "worse",
        "no_reliable_change",
        "deteriorated",
    )
    assert (track.a_category, track.b_category) == ("unchanged", "deteriorated")

    sign_in(client, admin)
    response = client.get(reverse("couple_progress", args=[couple.id]))
    body = response.content.decode()
    assert "Reliably worse" in body
    assert "No reliable change" in body
    assert "Band: intake ± 11.58 points (Anderson, Tambling, Huff" in body
    assert "18.42 to 41.58" in body  # each partner's band: intake 30 -/+ 11.58
    assert "47.31" in body  # the cut-off
    assert "Scoring key not verified by Rebond" in body
    outcome = response.context["progress"].outcome
    assert [line.reliable_band for line in outcome.chart.partners] == [
        (pytest.approx(18.42), pytest.approx(41.58)),
        (pytest.approx(18.42), pytest.approx(41.58)),
    ]
    svg = client.get(reverse("progress_chart", args=[couple.id, "RDAS"])).content.decode()
    assert "Sam: intake ± reliable change" in svg
