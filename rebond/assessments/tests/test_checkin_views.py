"""The partner's check-in pages: neutral, private, resumable, idempotent, and never a 500."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.accounts.models import CrisisResource, User
from rebond.assessments import actions
from rebond.assessments.models import Administration, DraftAnswer, Submission
from rebond.couples.models import Couple, Partner
from rebond.lib.errors import ActionError
from rebond.portal.tests.conftest import open_space
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db

# PHQ-9: scored values 0-3 per item (Kroenke, Spitzer & Williams 2001); item 9 >= 1 is a risk flag.
PHQ9_NO_RISK = {1: 1, 2: 0, 3: 2, 4: 1, 5: 0, 6: 0, 7: 1, 8: 0, 9: 0}
PHQ9_RISK = {**PHQ9_NO_RISK, 9: 2}
CLINICAL_WORDS = ("PHQ", "depress", "suicid", "abuse", "Patient Health", "CSI", "satisfaction")


@dataclass
class Setup:
    couple: Couple
    a: Partner
    b: Partner
    phq_a: Administration
    phq_b: Administration
    client_a: Client


@pytest.fixture
def setup(alice: User) -> Setup:
    couple = make_couple(alice)
    a, b = couple.partners.get(role="A"), couple.partners.get(role="B")
    by_partner = {x.partner_id: x for x in actions.schedule_instrument(alice, couple.id, "PHQ-9")}
    client = Client()
    open_space(client, a, alice)
    return Setup(couple, a, b, by_partner[a.id], by_partner[b.id], client)


def page_url(name: str, administration: Administration) -> str:
    return reverse(name, kwargs={"administration_id": administration.id})


def form_data(administration: Administration, answers: dict[int, int]) -> dict[str, str]:
    data = {f"item-{n}": str(v) for n, v in answers.items()}
    data["submission_key"] = str(administration.submission_key)
    return data


def title_and_headings(html: str) -> str:
    return " ".join(re.findall(r"<(?:title|h1|h2)[^>]*>(.*?)</(?:title|h1|h2)>", html, re.S))


def test_the_list_names_check_ins_neutrally_and_only_the_partners_own(
    alice: User, setup: Setup
) -> None:
    actions.schedule_instrument(alice, setup.couple.id, "CSI-4")
    r = setup.client_a.get(reverse("checkin_list"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Check-in 1 of 2" in html
    assert "Check-in 2 of 2" in html
    assert str(setup.phq_a.id) in html
    assert str(setup.phq_b.id) not in html
    for word in CLINICAL_WORDS:
        assert word.lower() not in html.lower(), word


def test_the_space_lists_the_partners_check_ins(setup: Setup) -> None:
    r = setup.client_a.get(reverse("portal:home"))
    html = r.content.decode()
    assert "Your check-ins" in html
    assert page_url("checkin", setup.phq_a) in html
    assert str(setup.phq_b.id) not in html


def test_a_check_in_shows_its_wording_options_by_value_and_a_neutral_title(setup: Setup) -> None:
    r = setup.client_a.get(page_url("checkin", setup.phq_a))
    html = r.content.decode()
    assert r.status_code == 200
    assert "Little interest or pleasure in doing things" in html
    assert "Over the last 2 weeks" in html
    assert "0 of 9 answered" in html
    assert html.count('type="radio"') == 36
    assert 'name="item-1" id="q1-4" value="3"' in html
    assert f'value="{setup.phq_a.submission_key}"' in html
    assert "Check-in" in title_and_headings(html)
    for word in CLINICAL_WORDS:
        assert word.lower() not in title_and_headings(html).lower(), word


def test_a_check_in_resumes_with_the_saved_answers_chosen(setup: Setup) -> None:
    actions.save_draft_answer(setup.a, setup.phq_a.id, 3, 2)
    html = setup.client_a.get(page_url("checkin", setup.phq_a)).content.decode()
    assert re.search(r'name="item-3" id="q3-3" value="2" checked', html)
    assert "1 of 9 answered" in html


def test_autosave_saves_one_answer_to_the_draft(setup: Setup) -> None:
    r = setup.client_a.post(page_url("checkin_autosave", setup.phq_a), {"item": "4", "value": "3"})
    assert r.status_code == 200
    assert r.json() == {"saved": True, "item": 4}
    assert actions.draft_answers(setup.phq_a) == {4: 3}
    r = setup.client_a.post(page_url("checkin_autosave", setup.phq_a), {"item": "4", "value": ""})
    assert r.json() == {"saved": True, "item": 4}
    assert actions.draft_answers(setup.phq_a) == {}
    setup.phq_a.refresh_from_db()
    assert setup.phq_a.status == Administration.Status.IN_PROGRESS


def test_one_autosave_costs_four_queries_whatever_was_saved_before(
    setup: Setup, django_assert_num_queries: Any
) -> None:
    """Pin the autosave's queries (issue 21 item 3; there were 9, and a write of the session).

    1. the session row (SessionMiddleware): which partner and link this browser is;
    2. the private link with its partner and PIN (session.current_partner): the link is still
       valid and the session proved the PIN; revoking a link ends the session at once;
    3. the administration, through access.get_administration_for_partner: the one access
       check, which also gives the instrument the answer is checked against;
    4. the guarded upsert (actions._upsert_while_open): the answer lands only while the
       check-in is open.
    No clinic time zone (the reply shows no time), no count, no audit entry (answers are not
    audited one by one; the submit is), no lock, and no session write within the minute.
    """
    url = page_url("checkin_autosave", setup.phq_a)
    # The first answer also starts the check-in and the session's idle clock.
    assert setup.client_a.post(url, {"item": "1", "value": "2"}).status_code == 200
    for item, value in ((1, 3), (2, 0), (3, 2)):
        with django_assert_num_queries(4) as queries:
            r = setup.client_a.post(url, {"item": str(item), "value": str(value)})
        assert r.status_code == 200
        sql = [q["sql"] for q in queries.captured_queries]
        assert "django_session" in sql[0]
        assert "portal_privatelink" in sql[1]
        assert "assessments_administration" in sql[2]
        assert sql[3].startswith("INSERT INTO")
        assert "ON CONFLICT" in sql[3]
    assert actions.draft_answers(setup.phq_a) == {1: 3, 2: 0, 3: 2}


def test_an_autosave_racing_a_submit_lands_before_it_or_not_at_all(setup: Setup) -> None:
    """The guarded write refuses an administration closed after the access check read it."""
    url = page_url("checkin_autosave", setup.phq_a)
    assert setup.client_a.post(url, {"item": "1", "value": "2"}).status_code == 200
    administration = Administration.objects.get(pk=setup.phq_a.pk)  # read as still open
    actions.submit_administration(setup.a, setup.phq_a.id, setup.phq_a.submission_key)
    with pytest.raises(ActionError) as refused:
        actions.save_draft_answer_to(administration, 2, 1)
    assert refused.value.status == 409
    assert not DraftAnswer.objects.filter(administration=setup.phq_a).exists()
    submission = Submission.objects.get(administration=setup.phq_a)
    assert submission.answers["1"] == 2


@pytest.mark.parametrize(
    ("item", "value"),
    [("10", "1"), ("0", "1"), ("1", "4"), ("1", "-1"), ("x", "1"), ("1", "1.0"), ("1", "٣")],
)
def test_autosave_refuses_bad_input_with_400(setup: Setup, item: str, value: str) -> None:
    r = setup.client_a.post(
        page_url("checkin_autosave", setup.phq_a), {"item": item, "value": value}
    )
    assert r.status_code == 400
    assert "error" in r.json()
    assert not DraftAnswer.objects.exists()


def test_a_plain_form_post_submits_and_shows_a_neutral_receipt(setup: Setup) -> None:
    r = setup.client_a.post(
        page_url("checkin_submit", setup.phq_a), form_data(setup.phq_a, PHQ9_NO_RISK)
    )
    assert r.status_code == 302
    assert r["Location"] == page_url("checkin_receipt", setup.phq_a)
    submission = Submission.objects.get(administration=setup.phq_a)
    assert submission.answers == {str(n): v for n, v in PHQ9_NO_RISK.items()}
    assert submission.total == 5
    receipt = setup.client_a.get(r["Location"]).content.decode()
    assert "Thank you" in receipt
    assert "not safe" not in receipt
    assert "mild" not in receipt.lower()
    assert "minimal" not in receipt.lower()
    assert ">5<" not in receipt


def test_a_risk_answer_shows_the_clinics_crisis_resources_and_no_score(setup: Setup) -> None:
    CrisisResource.objects.create(
        clinic=setup.couple.clinic, name="Night Line", phone="0800 000 111", hours="24 hours"
    )
    r = setup.client_a.post(
        page_url("checkin_submit", setup.phq_a), form_data(setup.phq_a, PHQ9_RISK), follow=True
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "Night Line" in html
    assert 'href="tel:0800000111"' in html
    assert "not watched in real time" in html
    assert "next time they check Rebond" in html
    for hidden in ("item 9", "phq9_item9", "flag", "band", "score", ">7<"):
        assert hidden not in html, hidden


def test_bad_input_answers_400_keeps_the_choices_and_saves_nothing(setup: Setup) -> None:
    data = form_data(setup.phq_a, {1: 2, 2: 1})
    data["item-3"] = "7"
    r = setup.client_a.post(page_url("checkin_submit", setup.phq_a), data)
    html = r.content.decode()
    assert r.status_code == 400
    assert "Nothing was sent" in html
    assert 'href="#q3"' in html
    assert re.search(r'name="item-1" id="q1-3" value="2" checked', html)
    assert re.search(r'name="item-2" id="q2-2" value="1" checked', html)
    assert not DraftAnswer.objects.exists()
    assert not Submission.objects.exists()


def test_unanswered_questions_are_pointed_out_once_then_may_be_left(setup: Setup) -> None:
    url = page_url("checkin_submit", setup.phq_a)
    r = setup.client_a.post(url, form_data(setup.phq_a, {1: 1, 2: 1}))
    assert r.status_code == 200
    assert "7 questions are not answered yet" in r.content.decode()
    assert not Submission.objects.exists()
    data = form_data(setup.phq_a, {1: 1, 2: 1}) | {"finish": "anyway"}
    r = setup.client_a.post(url, data)
    assert r.status_code == 302
    submission = Submission.objects.get()
    assert not submission.complete


def test_the_same_key_twice_stores_one_submission(setup: Setup) -> None:
    url = page_url("checkin_submit", setup.phq_a)
    first = setup.client_a.post(url, form_data(setup.phq_a, PHQ9_NO_RISK))
    second = setup.client_a.post(url, form_data(setup.phq_a, PHQ9_NO_RISK))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Submission.objects.count() == 1


def test_a_different_key_after_submitting_answers_409(setup: Setup) -> None:
    url = page_url("checkin_submit", setup.phq_a)
    setup.client_a.post(url, form_data(setup.phq_a, PHQ9_NO_RISK))
    data = form_data(setup.phq_a, PHQ9_RISK) | {"submission_key": str(uuid.uuid4())}
    r = setup.client_a.post(url, data)
    assert r.status_code == 409
    assert "already completed" in r.content.decode()
    assert Submission.objects.get().total == 5


def test_autosave_after_submitting_answers_409(setup: Setup) -> None:
    setup.client_a.post(
        page_url("checkin_submit", setup.phq_a), form_data(setup.phq_a, PHQ9_NO_RISK)
    )
    r = setup.client_a.post(page_url("checkin_autosave", setup.phq_a), {"item": "1", "value": "3"})
    assert r.status_code == 409
    assert not DraftAnswer.objects.exists()


def test_a_submitted_check_in_opens_its_receipt_and_leaves_the_list(setup: Setup) -> None:
    setup.client_a.post(
        page_url("checkin_submit", setup.phq_a), form_data(setup.phq_a, PHQ9_NO_RISK)
    )
    r = setup.client_a.get(page_url("checkin", setup.phq_a))
    assert r["Location"] == page_url("checkin_receipt", setup.phq_a)
    assert (
        "Nothing to answer right now"
        in setup.client_a.get(reverse("checkin_list")).content.decode()
    )


def test_a_receipt_before_submitting_sends_back_to_the_check_in(setup: Setup) -> None:
    r = setup.client_a.get(page_url("checkin_receipt", setup.phq_a))
    assert r["Location"] == page_url("checkin", setup.phq_a)


def test_an_instrument_without_wording_is_never_offered(alice: User, setup: Setup) -> None:
    # Scheduling refuses it now (test_schedule); a check-in whose wording was withdrawn later
    # (a clinic's loaded file removed) is what is left to guard against.
    with pytest.raises(ActionError, match="HITS has no wording in English"):
        actions.schedule_instrument(alice, setup.couple.id, "HITS")
    own = Administration.objects.create(
        couple=setup.couple, partner=setup.a, instrument_code="HITS", created_by=alice
    )
    assert str(own.id) not in setup.client_a.get(reverse("checkin_list")).content.decode()
    for name in ("checkin", "checkin_receipt"):
        assert setup.client_a.get(page_url(name, own)).status_code == 404
    assert setup.client_a.post(page_url("checkin_autosave", own), {"item": "1"}).status_code == 404


def test_a_cancelled_check_in_is_not_listed_and_does_not_open(alice: User, setup: Setup) -> None:
    actions.cancel_administration(alice, setup.phq_a.id)
    assert str(setup.phq_a.id) not in setup.client_a.get(reverse("checkin_list")).content.decode()
    assert setup.client_a.get(page_url("checkin", setup.phq_a))["Location"] == reverse(
        "checkin_list"
    )


# --- Confidentiality (SECURITY.md LK-03, AC-04) -----------------------------------------------


PARTNER_URLS = [
    ("get", "checkin"),
    ("post", "checkin_autosave"),
    ("post", "checkin_submit"),
    ("get", "checkin_receipt"),
]


@pytest.mark.parametrize("submitted", [False, True])
def test_a_partners_session_gets_404_on_every_url_of_the_other_partner(
    setup: Setup, submitted: bool
) -> None:
    if submitted:
        actions.submit_administration(
            setup.b, setup.phq_b.id, setup.phq_b.submission_key, dict(PHQ9_RISK)
        )
    else:
        actions.save_draft_answer(setup.b, setup.phq_b.id, 1, 3)
    for method, name in PARTNER_URLS:
        data = form_data(setup.phq_b, PHQ9_NO_RISK) | {"item": "1", "value": "0"}
        r = getattr(setup.client_a, method)(page_url(name, setup.phq_b), data)
        assert r.status_code == 404, name
        assert str(setup.phq_b.id) not in r.content.decode()
    assert str(setup.phq_b.id) not in setup.client_a.get(reverse("checkin_list")).content.decode()
    assert Submission.objects.filter(administration=setup.phq_a).count() == 0
    expected = {} if submitted else {1: 3}
    assert actions.draft_answers(setup.phq_b) == expected


def test_without_a_private_link_session_every_check_in_url_shows_the_not_valid_page(
    setup: Setup, alice: User
) -> None:
    anonymous, clinician = Client(), Client()
    sign_in(clinician, alice)
    for client in (anonymous, clinician):
        assert client.get(reverse("checkin_list")).status_code == 404
        for method, name in PARTNER_URLS:
            assert getattr(client, method)(page_url(name, setup.phq_a)).status_code == 404


# --- Bad input never causes a 500 or a half-saved draft ---------------------------------------

TEXT = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.sampled_from(["", "0", "3", "4", "-0", "+1", " 1", "1 ", "1e2", "0x1", "NaN", "\x00"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(item=TEXT, value=TEXT)
def test_autosave_never_fails_on_any_input(setup: Setup, item: str, value: str) -> None:
    DraftAnswer.objects.all().delete()
    r = setup.client_a.post(
        page_url("checkin_autosave", setup.phq_a), {"item": item, "value": value}
    )
    assert r.status_code in (200, 400), r.status_code
    drafts = actions.draft_answers(setup.phq_a)
    if r.status_code == 400:
        assert drafts == {}
    else:
        assert all(1 <= n <= 9 and v in (0, 1, 2, 3) for n, v in drafts.items())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    answers=st.dictionaries(
        st.one_of(st.integers(0, 11).map(lambda n: f"item-{n}"), st.text(max_size=8)),
        TEXT,
        max_size=12,
    ),
    key=st.one_of(st.none(), TEXT),
    finish=st.booleans(),
)
def test_submit_never_fails_and_never_half_saves(
    setup: Setup, answers: dict[str, str], key: str | None, finish: bool
) -> None:
    Submission.objects.all().delete()
    DraftAnswer.objects.all().delete()
    Administration.objects.filter(id=setup.phq_a.id).update(
        status=Administration.Status.SCHEDULED, submitted_at=None
    )
    data = dict(answers)
    data["submission_key"] = str(setup.phq_a.submission_key) if key is None else key
    if finish:
        data["finish"] = "anyway"
    r = setup.client_a.post(page_url("checkin_submit", setup.phq_a), data)
    assert r.status_code in (200, 302, 400, 409), r.status_code
    if r.status_code != 302:
        assert not Submission.objects.exists()
        assert not DraftAnswer.objects.exists()
    else:
        submission = Submission.objects.get()
        assert all(v in (None, 0, 1, 2, 3) for v in submission.answers.values())


def test_the_asq_page_addresses_the_respondent_not_a_clinician(alice: User, setup: Setup) -> None:
    # Issue 15 B7: the NIMH ASQ tool is printed for a clinician ("Ask the patient:"); a partner
    # answering on their own screen is the respondent. The item wording stays the NIMH wording.
    asq = next(
        x
        for x in actions.schedule_instrument(alice, setup.couple.id, "ASQ")
        if x.partner_id == setup.a.id
    )
    html = setup.client_a.get(page_url("checkin", asq)).content.decode()
    assert "patient" not in html.lower()
    assert "Please answer each question for yourself" in html
    assert "In the past few weeks, have you wished you were dead?" in html
