"""The couple's progress page, its SVG charts and the clinician's PDF report."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.alerts.tests.helpers import answer
from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple
from rebond.measurement import charts, progress
from rebond.measurement.tests.helpers import gad7_answers, submit_csi4_series, submit_series
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db

ALL_ITEMS_3 = dict.fromkeys(range(1, 10), 1)  # PHQ-9 with item 9 answered: a risk flag


@pytest.fixture
def couple(alice: User) -> Couple:
    couple = make_couple(alice, "Rivera & Chen", partners=("Sam", "Alex"))
    submit_csi4_series(alice, couple, [5, 5, 6, 6, 7, 7, 8], [5] * 7)
    return couple


def test_the_page_says_the_csi4_has_no_published_figure_and_draws_no_band(
    client: Client, alice: User, couple: Couple
) -> None:
    sign_in(client, alice)
    response = client.get(reverse("couple_progress", args=[couple.id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not judged" in body
    assert "CSI-4 has no published reliable-change figure: no band is drawn" in body
    assert "none: no published reliable-change figure" in body  # each partner's band
    # No expected line or expected score anywhere (only the sentence saying why there is none).
    assert "expected recovery" not in body.lower()
    assert ": expected" not in body
    assert reverse("progress_chart", args=[couple.id, "CSI-4"]) in body
    state = response.context["progress"]
    outcome = state.outcome
    assert [t.signal for t in outcome.tracks] == ["not_judged", "not_judged"]
    assert [t.band for t in outcome.tracks] == [None, None]
    assert [line.reliable_band for line in outcome.chart.partners] == [None, None]
    assert outcome.discrepancy.latest_gap == 3
    assert outcome.discrepancy.threshold is None  # no figure, no divergence judged
    # The text alternative: one row per session with each partner's score and change.
    assert outcome.table_head == (
        "Sam",
        "Sam: change since intake",
        "Alex",
        "Alex: change since intake",
    )
    assert outcome.table[6].values == ("8", "+3", "5", "0")
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    svg = client.get(reverse("progress_chart", args=[couple.id, "CSI-4"])).content.decode()
    assert "reliable change" not in svg


def test_an_instrument_with_a_published_figure_draws_each_partners_band(
    client: Client, alice: User
) -> None:
    couple = make_couple(alice, "Banded", partners=("Sam", "Alex"))
    submit_series(alice, couple, "GAD-7", gad7_answers, [12, 10, 7], [12, 13, 14])
    sign_in(client, alice)
    response = client.get(reverse("couple_progress", args=[couple.id]))
    body = response.content.decode()
    assert "Band: intake ± 4 points (NHS Talking Therapies" in body
    gad7 = response.context["progress"].instrument("GAD-7")
    assert [line.reliable_band for line in gad7.chart.partners] == [(8, 16), (8, 16)]
    assert [t.signal for t in gad7.tracks] == ["improved", "no_reliable_change"]
    svg = client.get(reverse("progress_chart", args=[couple.id, "GAD-7"])).content.decode()
    assert "Sam: intake ± reliable change" in svg


def test_the_item_view_shows_each_partners_intake_and_latest_answer(
    client: Client, alice: User, couple: Couple
) -> None:
    sign_in(client, alice)
    state = client.get(reverse("couple_progress", args=[couple.id])).context["progress"]
    first_item = state.outcome.items[0]
    assert first_item.topic == "happiness"
    assert first_item.answers[0] == ("Extremely happy", "Perfect")  # 5 -> 6 on item 1 for Sam


def test_risk_instruments_never_reach_the_couple_level_view(
    client: Client, alice: User, couple: Couple
) -> None:
    answer(alice, couple, couple.partners.get(role="B"), ALL_ITEMS_3)  # scheduled for both
    sign_in(client, alice)
    response = client.get(reverse("couple_progress", args=[couple.id]))
    state = response.context["progress"]
    assert [i.instrument.code for i in state.instruments] == ["CSI-4"]
    # PHQ-9 totals only as an individual measure, for the clinician (issue 15 B8).
    assert [i.instrument.code for i in state.individual] == ["PHQ-9"]
    assert client.get(reverse("progress_chart", args=[couple.id, "ASQ"])).status_code == 404


def test_case_transitions_are_marked_on_the_time_axis(alice: User, couple: Couple) -> None:
    couple_actions.transition_case(
        alice, couple.id, Couple.Status.INTAKE_SCHEDULED, reason="Booked.", override=True
    )
    state = progress.load(couple)
    assert [e.label for e in state.events] == ["Intake scheduled"]
    # After all seven sessions so far: between session 6 and the next.
    assert state.outcome is not None
    assert [(e.x, e.label) for e in state.outcome.chart.events] == [(6.5, "Intake scheduled")]


def test_the_chart_is_an_svg_in_the_colour_blind_safe_palette(
    client: Client, alice: User, couple: Couple
) -> None:
    sign_in(client, alice)
    response = client.get(reverse("progress_chart", args=[couple.id, "CSI-4"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<?xml")
    assert "<script" not in svg
    for colour in charts.PARTNER_COLOURS:
        assert colour.lower() in svg.lower()
    assert "Sam" in svg
    assert "Alex" in svg  # text stays text (svg.fonttype none)
    again = client.get(reverse("progress_chart", args=[couple.id, "CSI-4"])).content
    assert again == response.content  # same data, same drawing


def test_the_report_is_a_vector_pdf_and_its_download_is_audited(
    client: Client, alice: User, couple: Couple
) -> None:
    sign_in(client, alice)
    response = client.get(reverse("progress_report", args=[couple.id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/Subtype /Image" not in response.content  # charts are vector paths, not images
    assert AuditEntry.objects.filter(
        action="measurement.progress_report.download", object_id=str(couple.id)
    ).exists()


def test_another_clinicians_couple_is_a_404_everywhere(
    client: Client, charlie: User, bob: User, couple: Couple
) -> None:
    for user in (charlie, bob):
        sign_in(client, user)
        for name, args in (
            ("couple_progress", [couple.id]),
            ("progress_chart", [couple.id, "CSI-4"]),
            ("progress_report", [couple.id]),
            ("client_report", [couple.id, couple.partners.get(role="A").id]),
        ):
            assert client.get(reverse(name, args=args)).status_code == 404, (user, name)


def test_a_couple_without_scores_shows_an_empty_state(client: Client, alice: User) -> None:
    couple = make_couple(alice)
    sign_in(client, alice)
    response = client.get(reverse("couple_progress", args=[couple.id]))
    assert "No scored check-ins yet" in response.content.decode()
    assert client.get(reverse("progress_report", args=[couple.id])).status_code == 200
