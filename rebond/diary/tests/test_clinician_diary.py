"""The clinician's side of the diary: the plan on the case page, the diary page and its
charts, and the diary in the clinician's PDF (never in a partner's)."""

from __future__ import annotations

import re

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple, Partner
from rebond.diary.models import DiaryPlan
from rebond.diary.plan import CLOSED_CASE, set_diary_plan
from rebond.diary.tests.clinician_helpers import write_entry
from rebond.lib.errors import ActionError
from rebond.test import make_clinician, make_couple, sign_in
from rebond.tests.pdf import pdf_text
from rebond.therapy.tests.helpers import held_session, walk_to

pytestmark = pytest.mark.django_db

LINE_A = "Synthetic line: the car park at work"
LINE_B = "Synthetic line: we walked after dinner"


@pytest.fixture
def couple(alice: User) -> Couple:
    return make_couple(alice, "Rivera & Chen", partners=("Sam", "Alex"))


def _partners(couple: Couple) -> tuple[Partner, Partner]:
    a, b = couple.partners.order_by("role")
    return a, b


def _diary_of(couple: Couple) -> None:
    a, b = _partners(couple)
    write_entry(
        a, safe=3, close=4, trigger=("place", 7), helped="breathing", line=LINE_A, days_ago=2
    )
    write_entry(a, safe=5, close=4, trigger=("message", 5), days_ago=9, shared=True)
    write_entry(a, safe=6, close=5, days_ago=40)  # older than four weeks
    write_entry(b, safe=7, close=6, line=LINE_B, days_ago=1, shared=True)
    write_entry(a, safe=1, close=2, days_ago=0.5, not_safe_now=True)


# --- The plan ----------------------------------------------------------------------------------


def test_a_clinician_on_the_case_offers_the_diary_and_it_is_audited(
    alice: User, couple: Couple
) -> None:
    plan = set_diary_plan(alice, couple.id, True, DiaryPlan.Prompt.TWICE_WEEKLY)
    assert (plan.offered, plan.prompt, plan.updated_by) == (True, "twice_weekly", alice)
    entry = AuditEntry.objects.get(action="diary.plan.set", object_id=str(couple.id))
    assert set(entry.fields) >= {"offered", "prompt"}
    set_diary_plan(alice, couple.id, True, DiaryPlan.Prompt.TWICE_WEEKLY)  # no change: no entry
    assert AuditEntry.objects.filter(action="diary.plan.set").count() == 1
    set_diary_plan(alice, couple.id, False, DiaryPlan.Prompt.NEVER)
    assert not DiaryPlan.objects.get(couple=couple).offered
    assert AuditEntry.objects.filter(action="diary.plan.set").count() == 2


def test_nobody_off_the_case_sets_the_plan(
    alice: User, bob: User, charlie: User, clinic_a: object, couple: Couple
) -> None:
    admin = make_clinician(couple.clinic, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    for outsider in (bob, charlie, admin):
        with pytest.raises(Http404):
            set_diary_plan(outsider, couple.id, True, DiaryPlan.Prompt.DAILY)
    assert not DiaryPlan.objects.exists()
    assert not AuditEntry.objects.filter(action="diary.plan.set").exists()


def test_reminders_are_never_more_than_daily_and_a_closed_case_is_not_offered(
    alice: User, couple: Couple
) -> None:
    with pytest.raises(ActionError):
        set_diary_plan(alice, couple.id, True, "hourly")
    couple.status = Couple.Status.ARCHIVED
    couple.save(update_fields=["status"])
    with pytest.raises(ActionError, match=CLOSED_CASE):
        set_diary_plan(alice, couple.id, True, DiaryPlan.Prompt.WEEKLY)
    set_diary_plan(alice, couple.id, False, DiaryPlan.Prompt.NEVER)  # stopping is always fine


def test_the_case_page_shows_the_form_and_the_one_line_summary(
    client: Client, alice: User, couple: Couple
) -> None:
    sign_in(client, alice)
    page = client.get(reverse("case", args=[couple.id])).content.decode()
    assert "Not offered on this case." in page
    assert reverse("case_diary_plan", args=[couple.id]) in page
    response = client.post(
        reverse("case_diary_plan", args=[couple.id]), {"offered": "on", "prompt": "weekly"}
    )
    assert response.status_code == 302
    _diary_of(couple)
    page = client.get(reverse("case", args=[couple.id])).content.decode()
    assert "Offered to both partners" in page
    assert "diary, not a validated measure" in page
    # Sam: three entries in four weeks (one "not safe"), two triggers; Alex: one.
    assert "Sam: 3 entries, 2 triggers (mean intensity 6.0), safety 3.0, closeness 3.3" in page
    assert "Alex: 1 entry, no trigger, safety 7.0, closeness 6.0" in page
    assert reverse("case_diary", args=[couple.id]) in page


def test_the_plan_form_refuses_what_it_does_not_offer(
    client: Client, alice: User, couple: Couple
) -> None:
    sign_in(client, alice)
    response = client.post(
        reverse("case_diary_plan", args=[couple.id]),
        {"offered": "on", "prompt": "hourly"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert not DiaryPlan.objects.exists()


# --- The diary page and its charts -------------------------------------------------------------


def test_the_diary_page_shows_every_entry_its_table_and_is_an_audited_read(
    client: Client, alice: User, couple: Couple
) -> None:
    _diary_of(couple)
    held_session(alice, couple, purpose="Mapping the cycle")
    walk_to(alice, couple, "S3")
    sign_in(client, alice)
    response = client.get(reverse("case_diary", args=[couple.id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert LINE_A in page
    assert LINE_B in page
    assert page.count("Not safe right now") == 1
    assert page.count('badge--private">Private<') == 3  # Sam's unshared ones, "not safe" too
    assert page.count('class="badge">Shared<') == 2
    assert "diary, not a validated measure" in page
    assert "Numbers by week" in page
    assert "<table" in page
    assert "Breathing or grounding" in page
    assert "1 session" in page
    assert re.search(r"<li value=\"1\">.*Step 2", page)
    a, _ = _partners(couple)
    assert reverse("case_diary_chart", args=[couple.id, a.id]) in page
    assert AuditEntry.objects.filter(
        action="read:case_diary", object_type="couple", object_id=str(couple.id), actor_id=alice.id
    ).exists()


def test_the_chart_is_an_svg_of_the_partners_weeks(
    client: Client, alice: User, couple: Couple
) -> None:
    _diary_of(couple)
    a, _ = _partners(couple)
    sign_in(client, alice)
    response = client.get(reverse("case_diary_chart", args=[couple.id, a.id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert "Sam: diary, not a validated measure" in svg
    assert "Triggers" in svg
    assert "Weekly mean (0-10)" in svg
    assert LINE_A not in svg  # numbers only, never the partner's words
    again = client.get(reverse("case_diary_chart", args=[couple.id, a.id])).content
    assert again == response.content


def test_the_diary_page_and_charts_are_404_to_everyone_else(
    client: Client, alice: User, bob: User, charlie: User, couple: Couple
) -> None:
    _diary_of(couple)
    a, _ = _partners(couple)
    admin = make_clinician(couple.clinic, "Ada Admin", is_clinic_admin=True, is_therapist=False)
    other = make_couple(alice, "Other case")
    for user in (bob, charlie, admin):
        sign_in(client, user)
        for name, args in (
            ("case_diary", [couple.id]),
            ("case_diary_chart", [couple.id, a.id]),
        ):
            assert client.get(reverse(name, args=args)).status_code == 404, (user, name)
        response = client.post(reverse("case_diary_plan", args=[couple.id]), {"prompt": "daily"})
        assert response.status_code == 404
    sign_in(client, alice)
    # A partner of this case under another case's URL is not found either.
    assert client.get(reverse("case_diary_chart", args=[other.id, a.id])).status_code == 404


# --- The PDF -----------------------------------------------------------------------------------


def test_the_clinicians_pdf_has_the_diary_and_the_partners_pdf_has_none(
    client: Client, alice: User, couple: Couple
) -> None:
    _diary_of(couple)
    a, _ = _partners(couple)
    sign_in(client, alice)
    text = pdf_text(client.get(reverse("progress_report", args=[couple.id])).content)
    assert "diary, not a validated measure" in text
    assert "Sam, last 4 weeks: 3 entries, 2 triggers" in text
    assert "Sam: diary, not a validated measure" in text  # the chart's title
    assert LINE_A not in text
    own = pdf_text(client.get(reverse("client_report", args=[couple.id, a.id])).content)
    assert "diary" not in own.lower()
