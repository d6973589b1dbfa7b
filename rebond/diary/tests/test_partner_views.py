"""The partner's diary pages, for the author and for the other partner, in every state an
entry can be in: private, shared, shared then taken back, "not safe", sharing paused, the
diary not offered, the link revoked. The other partner is the likely attacker (CONTRIBUTING)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rebond import access
from rebond.accounts.models import CrisisResource, User
from rebond.alerts.models import Alert
from rebond.couples.models import Couple, SafetyConcern
from rebond.diary import actions
from rebond.diary.models import DiaryEntry, DiaryPlan
from rebond.diary.tests.conftest import Case, draft
from rebond.portal import actions as portal_actions

pytestmark = pytest.mark.django_db

DIARY = "/me/diary/"
CRISIS_LINE = "Night Line 0800 000 111"


def body(client: Client, url: str = DIARY) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def canary(name: str) -> str:
    return f"CANARY-{name}-{uuid.uuid4().hex[:8]}"


def post_entry(client: Client, **fields: str) -> Any:
    data = {"felt_safe": "6", "felt_close": "4", "triggered": "no", **fields}
    return client.post(reverse("diary:write"), data)


def test_the_page_says_what_it_is_and_offers_todays_form(case: Case) -> None:
    html = body(case.client_a)
    assert "It is not a questionnaire and has no score." in html
    assert 'action="/me/diary/write/"' in html
    assert "Right now I don't feel safe" in html or "Right now I don&#x27;t feel safe" in html
    # Ratings are radio buttons 0..10 with visible values; no inline script anywhere.
    assert html.count('name="felt_safe"') == 11
    assert "<script>" not in html
    assert "onclick" not in html


def test_a_written_entry_is_private_to_its_author(case: Case) -> None:
    line = canary("private")
    response = post_entry(
        case.client_a,
        triggered="yes",
        trigger_kind="place",
        trigger_intensity="7",
        helped="time_out",
        line=line,
    )
    assert response.status_code == 302
    assert response["Location"] == DIARY
    entry = DiaryEntry.objects.get()
    assert (entry.trigger_kind, entry.trigger_intensity, entry.helped) == ("place", 7, "time_out")
    mine = body(case.client_a)
    assert line in mine
    assert "Only you and your therapist can read this" in mine
    assert "Share with Sasha" in mine
    assert line not in body(case.client_b)


def test_no_answers_hidden_behind_no_are_kept(case: Case) -> None:
    post_entry(case.client_a, triggered="no", trigger_kind="place", trigger_intensity="7")
    entry = DiaryEntry.objects.get()
    assert not entry.triggered
    assert entry.trigger_kind == ""
    assert entry.trigger_intensity is None


def test_shared_then_taken_back(case: Case) -> None:
    line = canary("shared")
    post_entry(case.client_a, line=line)
    entry = DiaryEntry.objects.get()
    response = case.client_a.post(reverse("diary:share", kwargs={"entry_id": entry.id}))
    assert response.status_code == 302
    assert "Shared with Sasha" in body(case.client_a)
    theirs = body(case.client_b)
    assert line in theirs
    assert "Robin chose to share with you" in theirs
    # The other partner can neither take it back nor share it again.
    for name in ("diary:stop_sharing", "diary:share", "diary:help"):
        assert case.client_b.post(reverse(name, kwargs={"entry_id": entry.id})).status_code in (
            404,
            405,
        )
    assert (
        case.client_b.get(reverse("diary:help", kwargs={"entry_id": entry.id})).status_code == 404
    )
    case.client_a.post(reverse("diary:stop_sharing", kwargs={"entry_id": entry.id}))
    assert line not in body(case.client_b)
    assert "Only you and your therapist can read this" in body(case.client_a)


def test_not_safe_shows_crisis_resources_to_its_author_only(case: Case) -> None:
    CrisisResource.objects.create(
        clinic=case.couple.clinic, name="Night Line", phone="0800 000 111", hours="24 hours"
    )
    line = canary("notsafe")
    response = post_entry(case.client_a, not_safe_now="on", line=line)
    entry = DiaryEntry.objects.get()
    help_url = reverse("diary:help", kwargs={"entry_id": entry.id})
    assert response.status_code == 302
    assert response["Location"] == help_url
    page = body(case.client_a, help_url)
    assert "Night Line" in page
    assert "0800 000 111" in page
    assert "not watched in real time" in page
    assert "Your therapist will see this entry" in page
    assert Alert.objects.get().source_diary_entry == entry
    # The other partner: nothing, ever, on any page they can open.
    assert case.client_b.get(help_url).status_code == 404
    for url in (DIARY, "/me/"):
        theirs = body(case.client_b, url)
        assert line not in theirs
        assert "Night Line" not in theirs
        assert "did not feel safe" not in theirs
        assert access.SHARING_PAUSED not in theirs
    # The author cannot share it, and is told why.
    refused = case.client_a.post(reverse("diary:share", kwargs={"entry_id": entry.id}))
    assert refused.status_code == 400
    assert "cannot be shared" in refused.content.decode()
    entry.refresh_from_db()
    assert entry.shared_at is None
    assert "it cannot be shared" in body(case.client_a)


def test_the_help_page_is_only_for_a_not_safe_entry(case: Case) -> None:
    entry = actions.write_entry(case.a, draft())
    help_url = reverse("diary:help", kwargs={"entry_id": entry.id})
    assert case.client_a.get(help_url).status_code == 404


def test_an_open_safety_concern_holds_shared_entries_back_with_the_same_neutral_words(
    case: Case, alice: User
) -> None:
    line = canary("paused")
    shared = actions.write_entry(case.a, draft(line=line))
    actions.share_entry(case.a, shared.id)
    private = actions.write_entry(case.a, draft())
    SafetyConcern.objects.create(
        couple=case.couple, subject_partner=case.a, type="other", created_by=alice
    )
    theirs = body(case.client_b)
    assert line not in theirs
    assert access.SHARING_PAUSED in theirs
    # The author's page is as before (a pause alone changes no page); a share is refused.
    mine = body(case.client_a)
    assert access.SHARING_PAUSED not in mine
    assert "Share with Sasha" in mine
    refused = case.client_a.post(reverse("diary:share", kwargs={"entry_id": private.id}))
    assert refused.status_code == 400
    assert access.SHARING_PAUSED in refused.content.decode()
    private.refresh_from_db()
    assert private.shared_at is None


def test_a_not_safe_answer_changes_nothing_the_other_partner_is_shown(case: Case) -> None:
    """DOMAIN 4.6 point 3: the pause a "not safe" answer causes changes no shared surface."""
    line = canary("shared-before")
    shared = actions.write_entry(case.a, draft(line=line))
    actions.share_entry(case.a, shared.id)
    assert line in body(case.client_b)
    unsafe_line = canary("not-safe")
    actions.write_entry(case.a, draft(not_safe_now=True, line=unsafe_line))
    case.couple.refresh_from_db()
    assert case.couple.status == Couple.Status.PAUSED_SAFETY
    after = body(case.client_b)
    assert line in after
    assert access.SHARING_PAUSED not in after
    assert unsafe_line not in after


def test_not_offered_keeps_earlier_entries_readable_and_refuses_new_ones(case: Case) -> None:
    line = canary("earlier")
    shared_line = canary("earlier-shared")
    actions.write_entry(case.a, draft(line=line))
    shared = actions.write_entry(case.a, draft(line=shared_line))
    actions.share_entry(case.a, shared.id)
    DiaryPlan.objects.filter(couple=case.couple).update(offered=False)
    mine = body(case.client_a)
    assert "Your therapist has not offered the diary" in mine
    assert line in mine
    assert 'action="/me/diary/write/"' not in mine
    refused = post_entry(case.client_a)
    assert refused.status_code == 400
    assert DiaryEntry.objects.count() == 2
    # The home page keeps the link while they have entries to read.
    assert 'href="/me/diary/"' in body(case.client_a, "/me/")
    theirs = body(case.client_b)
    assert line not in theirs
    assert shared_line in theirs


def test_the_home_link_appears_only_when_offered_or_with_entries(case: Case) -> None:
    assert 'href="/me/diary/"' in body(case.client_a, "/me/")
    DiaryPlan.objects.filter(couple=case.couple).update(offered=False)
    assert 'href="/me/diary/"' not in body(case.client_a, "/me/")
    assert 'href="/me/diary/"' not in body(case.client_b, "/me/")


def test_a_revoked_link_ends_the_diary_for_that_partner_only(case: Case, alice: User) -> None:
    line = canary("revoked")
    entry = actions.write_entry(case.a, draft(line=line))
    actions.share_entry(case.a, entry.id)
    portal_actions.revoke_link(alice, case.link_b.id)
    for url in (DIARY, reverse("diary:help", kwargs={"entry_id": entry.id})):
        response = case.client_b.get(url)
        assert response.status_code == 404
        assert line not in response.content.decode()
    assert case.client_b.post(reverse("diary:write"), {"felt_safe": "1"}).status_code == 404
    assert line in body(case.client_a)


def test_bad_input_gets_specific_errors_and_keeps_every_answer(case: Case) -> None:
    line = canary("kept")
    response = case.client_a.post(
        reverse("diary:write"),
        {"felt_close": "3", "triggered": "yes", "trigger_intensity": "5", "line": line},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose how safe you feel today, 0 to 10." in html
    assert "Choose what the trigger was" in html
    assert line in html
    assert 'value="3" autocomplete="off" checked' in html
    assert 'value="yes" autocomplete="off" checked' in html
    assert not DiaryEntry.objects.exists()
    too_long = case.client_a.post(
        reverse("diary:write"), {"felt_safe": "2", "felt_close": "3", "line": "z" * 281}
    )
    assert too_long.status_code == 400
    assert "Keep it to 280 characters" in too_long.content.decode()
    out_of_range = post_entry(case.client_a, felt_safe="11")
    assert out_of_range.status_code == 400
    assert "Choose a number from 0 to 10." in out_of_range.content.decode()


def test_a_clinician_session_reaches_no_diary_page(case: Case, alice: User) -> None:
    from rebond.test import sign_in

    entry = actions.write_entry(case.a, draft())
    client = Client()
    sign_in(client, alice)
    assert client.get(DIARY).status_code == 404
    assert client.get(reverse("diary:help", kwargs={"entry_id": entry.id})).status_code == 404


def test_the_ten_newest_entries_come_first_and_earlier_ones_fold_away(case: Case) -> None:
    lines = [canary(f"entry-{n}") for n in range(12)]
    for line in lines:
        actions.write_entry(case.a, draft(line=line))
    html = body(case.client_a)
    folded = html.index("Earlier entries (2)")
    # Newest first: the two oldest are inside the fold, nothing is lost.
    assert all(html.index(line) > folded for line in lines[:2])
    assert all(html.index(line) < folded for line in lines[2:])
