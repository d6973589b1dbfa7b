"""The clinician's check-ins page: schedule, cancel, and read each partner's results."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from rebond.accounts.models import User
from rebond.assessments import actions
from rebond.assessments.case_views import NO_THRESHOLD
from rebond.assessments.models import Administration
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple, Partner
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db

# PHQ-9 scored values 0-3 (Kroenke, Spitzer & Williams 2001); 6 points is its published
# reliable-change threshold (McMillan, Gilbody & Richards 2010), as the instrument records.
PHQ9_INTAKE = {1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 1, 9: 1}  # total 16, item 9 positive
PHQ9_LATER = {1: 1, 2: 0, 3: 1, 4: 1, 5: 0, 6: 0, 7: 1, 8: 0, 9: 0}  # total 4


def partners(couple: Couple) -> tuple[Partner, Partner]:
    return couple.partners.get(role="A"), couple.partners.get(role="B")


def url(couple: Couple, name: str = "case_checkins", **kwargs: object) -> str:
    return reverse(name, kwargs={"couple_id": couple.id, **kwargs})


def submit(partner: Partner, administration: Administration, answers: dict[int, int]) -> None:
    actions.submit_administration(
        partner, administration.id, administration.submission_key, dict(answers)
    )


@pytest.fixture
def couple(alice: User) -> Couple:
    return make_couple(alice, "Results couple", partners=("Ana Example", "Ben Example"))


@pytest.fixture
def clinician(client: Client, alice: User) -> Client:
    sign_in(client, alice)
    return client


def test_the_page_offers_only_instruments_with_wording(clinician: Client, couple: Couple) -> None:
    html = clinician.get(url(couple)).content.decode()
    assert '<option value="PHQ-9">' in html
    assert '<option value="CSI-4">' in html
    for hidden in ("HITS", "MSI", "CSI-16", "RDAS"):
        assert f'<option value="{hidden}">' not in html, hidden


def test_a_clinician_schedules_for_both_partners(clinician: Client, couple: Couple) -> None:
    r = clinician.post(url(couple, "schedule_checkin"), {"instrument": "GAD-7", "who": "both"})
    assert r.status_code == 302
    assert Administration.objects.filter(couple=couple, instrument_code="GAD-7").count() == 2


def test_one_partner_scheduling_of_a_risk_instrument_is_refused_with_its_reason(
    clinician: Client, couple: Couple
) -> None:
    a, _ = partners(couple)
    r = clinician.post(url(couple, "schedule_checkin"), {"instrument": "PHQ-9", "who": str(a.id)})
    assert r.status_code == 400
    assert "always given to both partners" in r.content.decode()
    assert not Administration.objects.exists()


def test_a_non_risk_instrument_goes_to_one_partner(clinician: Client, couple: Couple) -> None:
    a, _ = partners(couple)
    r = clinician.post(url(couple, "schedule_checkin"), {"instrument": "CSI-4", "who": str(a.id)})
    assert r.status_code == 302
    assert list(Administration.objects.values_list("partner_id", flat=True)) == [a.id]


def test_an_instrument_without_wording_cannot_be_scheduled_here(
    clinician: Client, couple: Couple
) -> None:
    r = clinician.post(url(couple, "schedule_checkin"), {"instrument": "HITS", "who": "both"})
    assert r.status_code == 400
    assert not Administration.objects.exists()


def test_cancel_cancels_an_open_check_in(clinician: Client, couple: Couple, alice: User) -> None:
    (only,) = actions.schedule_instrument(
        alice, couple.id, "CSI-4", partner_ids=[partners(couple)[0].id]
    )
    r = clinician.post(url(couple, "cancel_checkin", administration_id=only.id))
    assert r.status_code == 302
    only.refresh_from_db()
    assert only.status == Administration.Status.CANCELLED


def test_cancel_through_another_cases_address_is_404(
    clinician: Client, couple: Couple, alice: User
) -> None:
    other = make_couple(alice, "Other couple")
    (only,) = actions.schedule_instrument(
        alice, other.id, "CSI-4", partner_ids=[partners(other)[0].id]
    )
    r = clinician.post(url(couple, "cancel_checkin", administration_id=only.id))
    assert r.status_code == 404
    only.refresh_from_db()
    assert only.is_open


def test_results_show_answers_total_band_risk_flag_and_reliable_change(
    clinician: Client, couple: Couple, alice: User
) -> None:
    a, _ = partners(couple)
    first = {x.partner_id: x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9")}
    submit(a, first[a.id], PHQ9_INTAKE)
    later = {x.partner_id: x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9")}
    submit(a, later[a.id], PHQ9_LATER)
    html = clinician.get(url(couple)).content.decode()
    assert "Ana Example" in html
    assert "Ben Example" in html
    assert "Risk flag:" in html
    assert "More than half the days" in html  # the label of value 2, not the number alone
    assert "moderately severe" in html
    assert "Recovered" in html or "Improved" in html
    assert "published reliable-change threshold 6" in html
    assert html.count("Not started") == 2  # Ben's two, with nothing of Ana's answers
    viewed = AuditEntry.objects.get(action="assessments.risk_results.view")
    assert viewed.object_id == str(couple.id)
    assert viewed.actor == alice


def test_change_without_a_published_threshold_asks_for_local_norms(
    clinician: Client, couple: Couple, alice: User
) -> None:
    a, _ = partners(couple)
    for answers in ({1: 2, 2: 2, 3: 2, 4: 2}, {1: 4, 2: 4, 3: 4, 4: 4}):
        (adm,) = actions.schedule_instrument(alice, couple.id, "CSI-4", partner_ids=[a.id])
        submit(a, adm, answers)
    assert NO_THRESHOLD in clinician.get(url(couple)).content.decode()


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_other_clinicians_get_404(
    client: Client, couple: Couple, alice: User, who: str, request: pytest.FixtureRequest
) -> None:
    (adm, _) = actions.schedule_instrument(alice, couple.id, "PHQ-9")
    sign_in(client, request.getfixturevalue(who))
    assert client.get(url(couple)).status_code == 404
    assert client.post(url(couple, "schedule_checkin"), {"instrument": "GAD-7"}).status_code == 404
    r = client.post(url(couple, "cancel_checkin", administration_id=adm.id))
    assert r.status_code == 404
    assert Administration.objects.filter(status=Administration.Status.SCHEDULED).count() == 2


def test_the_page_needs_a_fixed_number_of_queries(
    clinician: Client,
    couple: Couple,
    alice: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    a, b = partners(couple)
    for _ in range(4):
        group = {x.partner_id: x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9")}
        submit(a, group[a.id], PHQ9_LATER)
        submit(b, group[b.id], PHQ9_LATER)
    # 12, + the schedule rules and the PINs, + 2 for the audit chain head (lock, move), + 3 for
    # the clinic's approved instruments (schedule, and each of the two forms).
    # + up to 8 for the audit entry of the read (SECURITY.md LG-01).
    with django_assert_max_num_queries(27):
        assert clinician.get(url(couple)).status_code == 200


def test_a_complete_negative_asq_reads_negative_not_incomplete(
    clinician: Client, couple: Couple, alice: User
) -> None:
    # Issue 15 B7. NIMH ASQ: four "no" answers are a negative screen; question 5 is not asked.
    a, _ = partners(couple)
    administration = next(
        x for x in actions.schedule_instrument(alice, couple.id, "ASQ") if x.partner_id == a.id
    )
    submit(a, administration, {1: 0, 2: 0, 3: 0, 4: 0})
    html = clinician.get(url(couple)).content.decode()
    title = 'ASQ <span class="muted">· Ask Suicide-Screening Questions</span>'
    result = html.split(title, 1)[1].split("</dl>", 1)[0]
    assert "<dt>Result</dt><dd>negative screen</dd>" in result
    assert "Incomplete" not in result
    assert "yes_answers" not in result
    assert "missing" not in result
    assert "<dt>Screening questions answered yes</dt><dd>0</dd>" in result
