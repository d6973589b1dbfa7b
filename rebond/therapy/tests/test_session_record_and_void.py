"""Recording a session needs an explicit attendance; a wrong one is voided, never deleted
(issue 15, D16). Through the real pages, on the real database."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.test import sign_in
from rebond.tests.security.forms import forms_on
from rebond.therapy import selectors
from rebond.therapy.actions import RatingDraft
from rebond.therapy.models import Session
from rebond.therapy.tests.helpers import days_ago, held_session, make_case

pytestmark = pytest.mark.django_db


def _record_form(client: Client, couple_id: object) -> dict[str, str | list[str]]:
    path = reverse("therapy_sessions", args=[couple_id])
    page = client.get(path)
    action = reverse("therapy_session_record", args=[couple_id])
    form = next(f for f in forms_on(path, page.content.decode()) if f.action == action)
    return form.data()


def test_the_session_form_pre_fills_no_attendance_and_no_partner(
    client: Client, alice: User
) -> None:
    couple = make_case(alice)
    sign_in(client, alice)
    page = client.get(reverse("therapy_sessions", args=[couple.id])).content.decode()
    assert _record_form(client, couple.id)["attendance"] == ""
    ticks = re.findall(r'<input[^>]*name="attendees"[^>]*>', page)
    assert len(ticks) == 2
    assert not [tick for tick in ticks if "checked" in tick]


def test_one_click_on_the_untouched_form_records_nothing(client: Client, alice: User) -> None:
    couple = make_case(alice)
    sign_in(client, alice)
    data = _record_form(client, couple.id)
    response = client.post(reverse("therapy_session_record", args=[couple.id]), data)
    assert response.status_code == 422
    assert b"Choose what happened" in response.content
    assert not Session.objects.filter(couple=couple).exists()


def test_a_session_with_attendance_chosen_is_recorded(client: Client, alice: User) -> None:
    couple = make_case(alice)
    sign_in(client, alice)
    data = {
        **_record_form(client, couple.id),
        "attendance": "held",
        "attendees": [str(p.id) for p in couple.partners.all()],
    }
    response = client.post(reverse("therapy_session_record", args=[couple.id]), data)
    assert response.status_code == 302
    assert Session.objects.get(couple=couple).attendance == "held"


def test_voiding_needs_a_reason_and_keeps_the_session(client: Client, alice: User) -> None:
    couple = make_case(alice)
    session = held_session(alice, couple, at=days_ago(3))
    sign_in(client, alice)
    path = reverse("therapy_session_void", args=[couple.id, session.id])
    refused = client.post(path, {"reason": "  "})
    assert refused.status_code == 422
    session.refresh_from_db()
    assert not session.is_voided
    done = client.post(path, {"reason": "Recorded on the wrong case"})
    assert done.status_code == 302
    session.refresh_from_db()
    assert session.is_voided
    assert session.voided_by == alice
    assert session.void_reason == "Recorded on the wrong case"
    entry = AuditEntry.objects.get(action="therapy.session.void")
    assert entry.object_id == str(session.id)
    assert sorted(entry.fields) == ["void_reason", "voided_at"]
    assert "wrong case" not in str(entry.__dict__)  # the reason is not in the audit payload
    again = client.post(path, {"reason": "twice"})
    assert again.status_code == 422
    detail = client.get(reverse("therapy_session", args=[couple.id, session.id]))
    assert b"Voided" in detail.content
    assert b"Recorded on the wrong case" in detail.content
    listing = client.get(reverse("therapy_sessions", args=[couple.id]))
    assert b"Voided" in listing.content


def test_a_voided_session_leaves_the_timeline_the_numbering_and_the_ratings(
    client: Client, alice: User
) -> None:
    couple = make_case(alice)
    partner = couple.partners.first()
    assert partner is not None
    first = held_session(alice, couple, at=days_ago(10), purpose="first purpose")
    wrong = held_session(
        alice,
        couple,
        [RatingDraft("EFT.DEESC.1", 2, partner_id=partner.id)],
        at=days_ago(3),
        purpose="wrong purpose",
    )
    assert selectors.observations_for_couple(couple).count() == 1
    sign_in(client, alice)
    client.post(
        reverse("therapy_session_void", args=[couple.id, wrong.id]), {"reason": "Entered twice"}
    )
    timeline = client.get(reverse("therapy_timeline", args=[couple.id]))
    assert b"first purpose" in timeline.content
    assert b"wrong purpose" not in timeline.content
    assert not selectors.observations_for_couple(couple).exists()
    notes = client.get(reverse("therapy_notes", args=[couple.id]))
    assert str(first.id).encode() in notes.content
    assert str(wrong.id).encode() not in notes.content
    replacement = held_session(alice, couple, at=days_ago(2))
    assert (first.number, wrong.number, replacement.number) == (1, 2, 2)


def test_a_clinician_off_the_case_and_a_partner_cannot_void(
    client: Client, alice: User, bob: User
) -> None:
    couple = make_case(alice)
    session = held_session(alice, couple, at=days_ago(3))
    path = reverse("therapy_session_void", args=[couple.id, session.id])
    sign_in(client, bob)
    assert client.post(path, {"reason": "not mine"}).status_code == 404
    client.logout()
    assert client.post(path, {"reason": "anonymous"}).status_code in (302, 403, 404)
    session.refresh_from_db()
    assert not session.is_voided
