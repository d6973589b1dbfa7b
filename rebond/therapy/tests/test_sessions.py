"""Sessions and marker ratings, through the action and the page (no JavaScript needed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.lib.errors import ActionError
from rebond.test import sign_in
from rebond.therapy import actions, catalogue
from rebond.therapy.actions import RatingDraft, SessionDraft
from rebond.therapy.models import MarkerDefinition, MarkerObservation, Session
from rebond.therapy.tests.helpers import affair, days_ago, held_session, make_case, partners_of

pytestmark = pytest.mark.django_db


def test_the_catalogue_holds_exactly_the_markers_of_domain_1_4_and_2_2() -> None:
    actions.ensure_marker_catalogue()
    codes = list(MarkerDefinition.objects.values_list("code", flat=True))
    assert codes == [m.code for m in catalogue.MARKERS]
    assert len(codes) == 9 + 9 + 8  # 9 de-escalation markers, 9 step markers, 8 AIRM steps
    by_code = {m.code: m for m in MarkerDefinition.objects.all()}
    # Evidence as DOMAIN-VERIFICATION rules: markers 1-4 verified, 5-9 unverified and not
    # attributed to Brubacher; AIRM 1-4 from the handout, 5-8 unverified.
    assert [by_code[f"EFT.DEESC.{n}"].evidence for n in range(1, 10)] == ["S"] * 4 + ["K"] * 5
    assert all("Brubacher's 12" not in by_code[f"EFT.DEESC.{n}"].source for n in range(5, 10))
    assert [by_code[f"AIRM.{n}"].evidence for n in range(1, 9)] == ["S"] * 4 + ["K"] * 4
    assert all(by_code[f"EFT.STEP.{n}"].evidence == "P" for n in range(1, 10))


def test_conjoint_sessions_are_numbered_and_individual_ones_are_not(alice: User) -> None:
    couple = make_case(alice)
    a, _ = partners_of(couple)
    first = held_session(alice, couple, at=days_ago(14))
    alone = actions.record_session(
        alice,
        couple.id,
        SessionDraft(kind="individual", attendee_ids=[a.id], occurred_at=days_ago(10)),
    )
    second = held_session(alice, couple, at=days_ago(7))
    assert (first.number, alone.number, second.number) == (1, None, 2)


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (SessionDraft(kind="individual"), "attendees"),
        (SessionDraft(kind="conjoint", attendance="held"), "attendees"),
        (SessionDraft(shared_label="  "), "shared_label"),
        (SessionDraft(kind="group"), "kind"),
    ],
)
def test_a_session_that_does_not_add_up_is_refused_with_the_field_named(
    alice: User, draft: SessionDraft, field: str
) -> None:
    couple = make_case(alice)
    with pytest.raises(ActionError) as refused:
        actions.record_session(alice, couple.id, draft)
    assert field in refused.value.errors
    assert not Session.objects.exists()


def test_a_session_in_the_future_is_refused(alice: User) -> None:
    couple = make_case(alice)
    draft = SessionDraft(
        occurred_at=now() + timedelta(days=2),
        attendee_ids=[p.id for p in couple.partners.all()],
    )
    with pytest.raises(ActionError) as refused:
        actions.record_session(alice, couple.id, draft)
    assert "ahead" in refused.value.errors["occurred_at"][0]


@pytest.mark.parametrize(
    "rating",
    [
        RatingDraft("EFT.NOT.A.MARKER", 1),
        RatingDraft("EFT.STEP.7", 3),
        RatingDraft("EFT.DEESC.1", 1),  # per partner, but no partner given
        RatingDraft("AIRM.1", 1),  # an AIRM marker needs the injury
    ],
)
def test_a_bad_rating_is_refused_and_nothing_is_saved(alice: User, rating: RatingDraft) -> None:
    couple = make_case(alice)
    with pytest.raises(ActionError) as refused:
        held_session(alice, couple, [rating])
    assert refused.value.errors["ratings"]
    assert not Session.objects.exists()
    assert not MarkerObservation.objects.exists()


def test_the_page_records_a_session_with_ratings_without_javascript(
    client: Client, alice: User
) -> None:
    couple = make_case(alice)
    a, b = partners_of(couple)
    injury = affair(alice, couple)
    actions.move_airm(alice, injury.id, "a1")
    sign_in(client, alice)
    page = client.get(reverse("therapy_sessions", args=[couple.id])).content.decode()
    deesc_a = f"r|EFT.DEESC.1|{a.id}|"
    airm = f"r|AIRM.1|{a.id}|{injury.id}"  # rated for the hurt partner
    assert f'name="{deesc_a}"' in page
    assert f'name="{airm}"' in page
    form = {
        "kind": "conjoint",
        "occurred_at": days_ago(1).strftime("%Y-%m-%dT%H:%M"),
        "attendance": "held",
        "attendees": [str(a.id), str(b.id)],
        "shared_label": "Session",
        "clinical_purpose": "AIRM: the hurt partner's account",
        deesc_a: "1",
        f"r|EFT.DEESC.1|{b.id}|": "",
        airm: "2",
    }
    r = client.post(reverse("therapy_session_record", args=[couple.id]), form)
    assert r.status_code == 302
    session = Session.objects.get()
    assert r["Location"] == reverse("therapy_session", args=[couple.id, session.id])
    ratings = {(o.marker.code, o.partner_id, o.rating) for o in session.observations.all()}
    assert ratings == {("EFT.DEESC.1", a.id, 1), ("AIRM.1", a.id, 2)}
    assert list(session.airm_injuries.all()) == [injury]
    detail = client.get(r["Location"]).content.decode()
    assert "AIRM: the hurt partner&#x27;s account" in detail


def test_the_page_keeps_what_was_typed_when_it_refuses(client: Client, alice: User) -> None:
    couple = make_case(alice)
    a, _ = partners_of(couple)
    sign_in(client, alice)
    name = f"r|EFT.DEESC.2|{a.id}|"
    r = client.post(
        reverse("therapy_session_record", args=[couple.id]),
        {
            "kind": "conjoint",
            "occurred_at": days_ago(1).strftime("%Y-%m-%dT%H:%M"),
            "attendance": "held",
            "attendees": [str(a.id)],
            "shared_label": "Session",
            "clinical_purpose": "Kept purpose",
            name: "2",
        },
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "Tick both partners" in body
    assert 'value="Kept purpose"' in body
    assert '<option value="2" selected>' in body
    assert not Session.objects.exists()
