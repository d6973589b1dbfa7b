"""A partner's own summary obeys visibility: canaries in the other partner's data never leak.

Partner B's name, scores, bands and risk flags carry canaries; partner A's own risk screen does
too (risk data is never shown to partners). Partner A's page, charts and the clinician-made
PDF for A are searched for every one of them (DOMAIN.md 7.5; SECURITY.md section 3).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.alerts.tests.helpers import answer
from rebond.assessments.models import Submission
from rebond.couples import actions as couple_actions
from rebond.couples.models import ConsentDocument, Couple, Partner, SafetyConcern
from rebond.measurement import summary
from rebond.measurement.tests.helpers import csi4_answers, submit
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple, sign_in
from rebond.tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

B_NAME = "Canary-B-Name"
B_CANARIES = ("Canary-B", "CANARY-B", "19.73", "13.37")
A_RISK_CANARIES = ("CANARY-A-RISK", "PHQ-9", "Patient Health")
GAD7 = {1: 1, 2: 2, 3: 1, 4: 2, 5: 1, 6: 1, 7: 2}
ITEM9 = dict.fromkeys(range(1, 10), 0) | {9: 1}


def seed(alice: User) -> Couple:
    """Return a couple whose partner B (and A's own risk screen) carry canaries."""
    couple = make_couple(alice, "Canary couple", partners=("Partner Ana", B_NAME))
    ana, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    for total in (5, 7, 9):
        submit(alice, couple, ana, "CSI-4", csi4_answers(total))
    submit(alice, couple, ana, "GAD-7", GAD7)
    b_csi = submit(alice, couple, b, "CSI-4", csi4_answers(17))
    b_gad = submit(alice, couple, b, "GAD-7", GAD7)
    # Canaries written through the model: the columns are encrypted at rest.
    rewrite(b_csi, band="CANARY-B-BAND", total=19.73, scores={"total": 19.73})
    rewrite(b_gad, band="CANARY-B-GAD", total=13.37, scores={"total": 13.37})
    b_risk = answer(alice, couple, b, ITEM9)  # B's PHQ-9 with item 9: a risk flag and an alert
    rewrite(
        b_risk,
        band="CANARY-B-RISK",
        flags=[{"code": "phq9_item9", "risk": True, "message": "CANARY-B-F"}],
    )
    a_risk = answer(alice, couple, ana, ITEM9)
    rewrite(a_risk, band="CANARY-A-RISK")
    return couple


def rewrite(submission: Submission, **fields: object) -> None:
    """Overwrite stored values of a submission (tests only: no action edits a submission)."""
    stored = Submission.objects.get(pk=submission.pk)
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.save(update_fields=list(fields))


def consent_to_feedback(alice: User, couple: Couple) -> None:
    document = couple_actions.current_documents()[ConsentDocument.Kind.MEASUREMENT_FEEDBACK]
    for partner in couple.partners.all():
        couple_actions.record_consent(alice, partner.id, document.id)


def assert_clean(text: str, canaries: tuple[str, ...]) -> None:
    for canary in canaries:
        assert canary not in text, canary


def test_a_partners_page_and_charts_hold_only_their_own_non_risk_scores(
    client: Client, alice: User
) -> None:
    couple = seed(alice)
    ana = couple.partners.get(role="A")
    open_space(client, ana, alice)
    response = client.get(reverse("my_progress"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Couples Satisfaction Index, 4 items" in page
    assert "Generalized Anxiety Disorder" in page
    assert_clean(page, B_CANARIES + A_RISK_CANARIES)
    assert "shown only when both of you have agreed" in page
    for code in ("CSI-4", "GAD-7"):
        svg = client.get(reverse("my_progress_chart", args=[code]))
        assert svg.status_code == 200
        assert_clean(svg.content.decode(), ("Canary-B", "CANARY", "PHQ"))
    for code in ("PHQ-9", "couple"):
        assert client.get(reverse("my_progress_chart", args=[code])).status_code == 404
    state = summary.client_summary(ana)
    assert_clean(repr(state), B_CANARIES + A_RISK_CANARIES)


def test_the_clinician_made_client_report_holds_only_that_partners_data(
    client: Client, alice: User
) -> None:
    couple = seed(alice)
    ana = couple.partners.get(role="A")
    sign_in(client, alice)
    response = client.get(reverse("client_report", args=[couple.id, ana.id]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Your check-ins: Partner Ana" in text
    assert "Couples Satisfaction Index, 4 items" in text
    assert "5, 7, 9" in text
    assert_clean(text, B_CANARIES + A_RISK_CANARIES)


def test_the_couple_chart_appears_only_when_both_consented_and_no_concern_is_open(
    client: Client, alice: User
) -> None:
    couple = seed(alice)
    ana = couple.partners.get(role="A")
    consent_to_feedback(alice, couple)
    state = summary.client_summary(ana)
    assert state.couple_chart is not None
    assert [line.name for line in state.couple_chart.partners] == ["You", B_NAME]
    # Only the outcome instrument is shared: never B's other questionnaires or risk screens.
    assert_clean(repr(state), ("CANARY-B", "13.37", *A_RISK_CANARIES))
    open_space(client, ana, alice)
    assert client.get(reverse("my_progress_chart", args=["couple"])).status_code == 200
    sign_in(client, alice)
    text = pdf_text(client.get(reverse("client_report", args=[couple.id, ana.id])).content)
    assert_clean(text, ("CANARY-B", "13.37", *A_RISK_CANARIES))

    SafetyConcern.objects.create(
        couple=couple,
        subject_partner=ana,
        type=SafetyConcern.Type.values[0],
        created_by=alice,
    )
    assert summary.client_summary(ana).couple_chart is None


def test_a_partner_without_a_session_sees_the_calm_not_valid_page(client: Client) -> None:
    assert client.get(reverse("my_progress")).status_code == 404


def test_one_consent_is_not_enough(alice: User) -> None:
    couple = seed(alice)
    ana = couple.partners.get(role="A")
    document = couple_actions.current_documents()[ConsentDocument.Kind.MEASUREMENT_FEEDBACK]
    couple_actions.record_consent(alice, ana.id, document.id)
    assert summary.client_summary(ana).couple_chart is None
    b = Partner.objects.get(couple=couple, role="B")
    assert summary.client_summary(b).couple_chart is None
