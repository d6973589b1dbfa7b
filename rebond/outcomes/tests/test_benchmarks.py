"""The clinic's outcome benchmarks (issue 17 item 4): which scores count, what the page and the
PDF say, and who may see them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from psychometrics import Category
from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.couples import actions
from rebond.couples.models import ConsentDocument, ConsentRecord, Couple
from rebond.outcomes import data
from rebond.outcomes.synthetic import add_scores, closed_case
from rebond.portal.tests.conftest import open_space
from rebond.test import make_clinician, sign_in
from rebond.tests.pdf import pdf_text, structure

pytestmark = pytest.mark.django_db

# The hand-worked example of psychometrics/tests/test_benchmarks.py: five hurt partners' GAD-7,
# first -> last: 10 -> 5, 12 -> 9, 14 -> 8, 16 -> 20, 18 -> 8. There, by hand: mean 14 -> 10,
# SD of the first scores sqrt(10), r = 34 / sqrt(5360) = 0.4644, d = 4 / sqrt(10) = 1.2649,
# J = 0.8, g = 1.0119, v = 2(1 - 0.4644)/5 + 1.024/10 = 0.3166, 95% CI 1.0119 -/+ 1.96 *
# 0.5627 = [-0.091, 2.115]; recovered 1, improved 2, unchanged 1, deteriorated 1 (each from
# fewer than 5 cases, so each shown as "fewer than 5").
EXAMPLE = [(10, 12, 5), (12, 11, 9), (14, 10, 8), (16, 18, 20), (18, 13, 8)]  # first, mid, last


@pytest.fixture
def ada(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)


@pytest.fixture
def cases(alice: User) -> list[Couple]:
    """Five closed cases whose hurt partner (A) consented, with the example's GAD-7 scores,
    and the cases and scores that must not count."""
    ended = now() - timedelta(days=30)
    made = []
    for n, totals in enumerate(EXAMPLE):
        made.append(
            closed_case(
                alice,
                f"Canary label {n}",
                ended_at=ended,
                scores={"A": {"GAD-7": totals, "PHQ-9": (14, 9)}, "B": {"GAD-7": (9, 9)}},
                consenting=("A",),
            )
        )
    # A follow-up six months later (after the case ended): not the end-of-therapy score.
    add_scores(alice, made[0].partners.get(role="A"), "GAD-7", (21,), ended + timedelta(days=60))
    # No consent to service evaluation: its partner's 10 -> 20 must not count.
    closed_case(
        alice, "No consent", ended_at=ended, scores={"A": {"GAD-7": (10, 20)}}, consenting=()
    )
    # Consent to research only: not service evaluation.
    research = closed_case(
        alice, "Research only", ended_at=ended, scores={"A": {"GAD-7": (10, 20)}}, consenting=()
    )
    documents = actions.current_documents()
    a = research.partners.get(role="A")
    actions.record_consent(alice, a.id, documents[ConsentDocument.Kind.RESEARCH].id)
    # Consent withdrawn.
    withdrawn = closed_case(
        alice, "Withdrawn", ended_at=ended, scores={"A": {"GAD-7": (10, 20)}}, consenting=("A",)
    )
    record = ConsentRecord.objects.get(partner__couple=withdrawn)
    actions.withdraw_consent(alice, record.id)
    # A case still in therapy.
    closed_case(
        alice,
        "Still active",
        ended_at=ended,
        scores={"A": {"GAD-7": (10, 20)}},
        consenting=("A",),
        status=Couple.Status.CONJOINT_ACTIVE,
    )
    return made


def test_the_benchmark_is_the_hand_worked_example(cases: list[Couple], clinic_a: Clinic) -> None:
    state = data.load(clinic_a)
    # Risk instruments never appear (the PHQ-9 was answered), nor anything of the partners B
    # who did not consent, of the case without consent, the research-only consent, the
    # withdrawn consent, the active case, or the follow-up score.
    assert [item.code for item in state.instruments] == ["GAD-7"]
    assert state.cases == 5
    [item] = state.instruments
    row = item.result.row("all")
    assert row is not None
    assert (row.n, row.cases) == (5, 5)
    effect = row.effect
    assert effect is not None
    assert (effect.mean_before, effect.mean_after) == (14, 10)
    assert effect.g == pytest.approx(1.01193, abs=1e-5)
    assert effect.low == pytest.approx(-0.09098, abs=1e-4)
    assert effect.high == pytest.approx(2.11483, abs=1e-4)
    assert [cell.count for cell in row.cells] == [None, None, None, None]  # each from < 5
    # The hurt partners are the same five; no hurtful partner consented.
    hurt = item.result.row("hurt")
    assert hurt is not None
    assert hurt.effect == effect
    assert item.result.row("hurtful") is None
    # Unsuppressed, the categories are the example's (recovered 1, improved 2, unchanged 1,
    # deteriorated 1).
    from psychometrics.benchmarks import Pair, benchmark

    pairs = [Pair(str(c.id), t[0], t[-1]) for c, t in zip(cases, EXAMPLE, strict=True)]
    open_row = benchmark(item.instrument, pairs, min_cell=1).rows[0]
    assert [(c.category, c.count) for c in open_row.cells] == [
        (Category.RECOVERED, 1),
        (Category.IMPROVED, 2),
        (Category.UNCHANGED, 1),
        (Category.DETERIORATED, 1),
    ]


def test_a_partner_without_consent_is_not_counted(cases: list[Couple], clinic_a: Clinic) -> None:
    before = data.load(clinic_a).instruments[0].result.rows[0]
    # Partner B of each counted case answered the GAD-7 too (9 -> 9) but never consented;
    # once they do, they count.
    documents = actions.current_documents()
    for couple in cases:
        b = couple.partners.get(role="B")
        actions.record_consent(
            couple.primary_clinician, b.id, documents[ConsentDocument.Kind.SERVICE_EVALUATION].id
        )
    after = data.load(clinic_a).instruments[0].result
    assert (before.n, after.rows[0].n) == (5, 10)
    hurtful = after.row("hurtful")
    assert hurtful is not None
    assert hurtful.n == 5


def test_a_year_counts_the_cases_that_ended_in_it(cases: list[Couple], clinic_a: Clinic) -> None:
    year = (now() - timedelta(days=30)).year
    assert data.load(clinic_a).years[0] == year
    assert data.load(clinic_a, year).cases == 5
    assert data.load(clinic_a, year - 5).instruments == []


def test_the_page_shows_the_figures_and_the_benchmarks_to_an_admin(
    client: Client, cases: list[Couple], ada: User
) -> None:
    sign_in(client, ada)
    response = client.get(reverse("outcomes:benchmarks"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "5 partners of 5 couples" in page
    assert "g 1.01 [-0.09, 2.11]" in page
    assert "fewer than 5" in page
    assert "1.12" in page  # Roddy et al. 2020
    assert "2.09" in page  # Beasley & Ager 2019
    assert "0.58" in page  # Hewison, Casey & Mwamba 2016
    assert "Different designs" in page
    assert "PHQ-9" not in page
    # No name or label of any case or partner.
    for couple in Couple.objects.all():
        assert couple.label not in page
    assert "Partner A" not in page
    chart = client.get(reverse("outcomes:benchmarks_chart"))
    assert chart.status_code == 200
    assert chart["Content-Type"] == "image/svg+xml"
    assert b"1.01" in chart.content


def test_the_pdf_has_the_numbers_as_text_and_is_audited(
    client: Client, cases: list[Couple], ada: User
) -> None:
    sign_in(client, ada)
    response = client.get(reverse("outcomes:benchmarks_report"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "5 partners of 5 couples" in text
    assert "g 1.01 [-0.09, 2.11]" in text
    assert "fewer than 5" in text
    assert "Roddy" in text
    assert "1.12" in text
    # The chart is a tagged figure whose alternative text carries the numbers too.
    alts = [str(e.obj["/Alt"]) for e in structure(response.content).walk() if "/Alt" in e.obj]
    assert any("1.01 [-0.09, 2.11]" in alt for alt in alts)
    entry = AuditEntry.objects.get(action="outcomes.benchmarks_report.download")
    assert entry.actor_id == ada.pk


def test_a_supervisor_sees_the_page(client: Client, cases: list[Couple], clinic_a: Clinic) -> None:
    sue = make_clinician(clinic_a, "Sue Supervisor", is_supervisor=True)
    sign_in(client, sue)
    assert client.get(reverse("outcomes:benchmarks")).status_code == 200


def test_a_therapist_another_clinic_and_a_partner_are_refused(
    client: Client, cases: list[Couple], alice: User, clinic_b: Clinic
) -> None:
    sign_in(client, alice)  # a therapist, neither admin nor supervisor
    for name in ("benchmarks", "benchmarks_chart", "benchmarks_report"):
        assert client.get(reverse(f"outcomes:{name}")).status_code == 404
    other = make_clinician(clinic_b, "Bea Admin", is_therapist=False, is_clinic_admin=True)
    other_client = Client()
    sign_in(other_client, other)
    page = other_client.get(reverse("outcomes:benchmarks"))
    assert page.status_code == 200  # their own clinic's page: none of Clinic A's figures
    assert "5 partners of 5 couples" not in page.content.decode()
    assert "No closed cases to count yet" in page.content.decode()
    partner_client = Client()
    open_space(partner_client, cases[0].partners.get(role="A"), alice)
    response = partner_client.get(reverse("outcomes:benchmarks"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
