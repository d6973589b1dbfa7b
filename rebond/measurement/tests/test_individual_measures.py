"""PHQ-9 totals are an individual measure, for the clinician only (issue 15 B8).

The clinician's progress page and PDF show each partner's PHQ-9 total in a section marked
"Individual measures, clinician only", never item 9 (thoughts of death or self-harm). The
partner's own page and charts, the summary PDF made for a partner, the couple chart both
partners share and the research export never show them. Partner A's PHQ-9 totals carry a
canary score (25.75, impossible on a 0-27 whole-number scale) written through the model.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.assessments import actions as assessments
from rebond.couples.models import Couple
from rebond.interop import exports
from rebond.measurement import progress, summary
from rebond.measurement.tests.helpers import csi4_answers, submit
from rebond.measurement.tests.test_client_summary import (
    consent_to_feedback,
    rewrite,
)
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple, sign_in
from rebond.tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

CANARY = "25.75"
SECTION = "Individual measures, clinician only"
# PHQ-9 scored values 0-3 (Kroenke, Spitzer & Williams 2001); item 9 last, here "several days".
PHQ9_WITH_ITEM9 = {1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 0, 9: 1}  # total 10


@pytest.fixture
def couple(alice: User) -> Couple:
    couple = make_couple(alice, "Individual couple", partners=("Ines", "Jon"))
    a, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    for total in (8, 10, 12):
        submit(alice, couple, a, "CSI-4", csi4_answers(total))
        submit(alice, couple, b, "CSI-4", csi4_answers(total + 1))
        # A risk instrument is always given to both partners at once.
        for administration in assessments.schedule_instrument(alice, couple.id, "PHQ-9"):
            partner = a if administration.partner_id == a.id else b
            phq = assessments.submit_administration(
                partner, administration.id, administration.submission_key, PHQ9_WITH_ITEM9
            ).submission
            if partner == a and total == 12:
                rewrite(phq, total=float(CANARY), scores={"total": float(CANARY)})
    return couple


def test_the_clinicians_progress_page_shows_phq9_totals_per_partner_never_item_9(
    client: Client, alice: User, couple: Couple
) -> None:
    sign_in(client, alice)
    response = client.get(reverse("couple_progress", args=[couple.id]))
    body = response.content.decode()
    section = body.split(SECTION, 1)[1]
    assert "PHQ-9" in section
    assert CANARY in section  # Ines's latest total, in the values table
    assert "Jon" in section
    state = response.context["progress"]
    assert [i.instrument.code for i in state.instruments] == ["CSI-4"]  # couple-level: no PHQ-9
    (phq,) = state.individual
    assert phq.instrument.code == "PHQ-9"
    assert phq.items == []  # no item-level view: item 9 never reaches a chart or table
    assert [len(line.points) for line in phq.chart.partners] == [3, 3]
    assert phq.discrepancy is None
    svg = client.get(reverse("progress_chart", args=[couple.id, "PHQ-9"]))
    assert svg.status_code == 200
    assert "Ines" in svg.content.decode()
    # Neither item 9's wording, nor its topic, nor any answer label reaches the section.
    for word in ("better off dead", "hurting yourself", "Item by item", "Several days"):
        assert word not in section
        assert word not in svg.content.decode()


def test_the_clinicians_pdf_has_the_individual_measures_section(
    client: Client,
    alice: User,
    couple: Couple,
) -> None:
    sign_in(client, alice)
    text = pdf_text(client.get(reverse("progress_report", args=[couple.id])).content)
    assert SECTION in text
    assert "PHQ-9" in text
    assert CANARY in text


def test_phq9_totals_stay_off_partner_couple_shared_and_research_views(
    client: Client,
    alice: User,
    couple: Couple,
) -> None:
    ines = couple.partners.get(role="A")
    consent_to_feedback(alice, couple)  # the couple chart is shared with both partners
    state = summary.client_summary(ines)
    assert state.couple_chart is not None
    assert CANARY not in repr(state)
    assert "PHQ" not in repr(state)
    open_space(client, ines, alice)
    page = client.get(reverse("my_progress")).content.decode()
    assert CANARY not in page
    assert "PHQ" not in page
    for chart in ("CSI-4", "couple"):
        svg = client.get(reverse("my_progress_chart", args=[chart])).content.decode()
        assert CANARY not in svg
        assert "PHQ" not in svg
    assert client.get(reverse("my_progress_chart", args=["PHQ-9"])).status_code == 404
    sign_in(client, alice)
    report = pdf_text(client.get(reverse("client_report", args=[couple.id, ines.id])).content)
    assert "Your check-ins" in report
    assert CANARY not in report
    assert "PHQ" not in report
    # Research export: risk instruments only with the partner's research consent (none here).
    research = exports.research_csv(alice)
    assert "CSI-4" in research
    assert "PHQ-9" not in research
    assert CANARY not in research
    # The couple-level list the partners' shared chart is drawn from never holds PHQ-9.
    assert "PHQ-9" not in [i.instrument.code for i in progress.load(couple).instruments]
