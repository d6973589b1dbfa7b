"""Notes: editable by their author for 24 hours, then locked with addenda only; stale edits
are refused (SECURITY RL-06)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.lib.errors import ActionError
from rebond.test import sign_in
from rebond.therapy import actions
from rebond.therapy.models import Note, NoteAddendum
from rebond.therapy.tests.helpers import days_ago, make_case

pytestmark = pytest.mark.django_db


def test_a_note_can_be_changed_by_its_author_within_24_hours(alice: User) -> None:
    couple = make_case(alice)
    written = days_ago(1) + timedelta(minutes=5)
    note = actions.write_note(alice, couple.id, kind="progress", body="First words", at=written)
    changed = actions.edit_note(alice, note.id, body="Better words", expected_version=1)
    assert (changed.body, changed.version) == ("Better words", 2)


def test_after_24_hours_a_note_is_locked_and_only_addenda_follow(alice: User) -> None:
    couple = make_case(alice)
    note = actions.write_note(alice, couple.id, kind="process", body="As written")
    later = note.created_at + timedelta(hours=24)
    with pytest.raises(ActionError, match="locked"):
        actions.edit_note(alice, note.id, body="Rewritten", expected_version=1, at=later)
    note.refresh_from_db()
    assert note.body == "As written"
    addendum = actions.add_addendum(alice, note.id, body="Clarification", at=later)
    assert [a.body for a in note.addenda.all()] == ["Clarification"]
    with pytest.raises(PermissionError):
        addendum.save()


def test_a_stale_edit_is_refused_with_a_clear_message(alice: User) -> None:
    couple = make_case(alice)
    note = actions.write_note(alice, couple.id, kind="progress", body="v1")
    actions.edit_note(alice, note.id, body="v2", expected_version=1)
    with pytest.raises(ActionError, match="Someone saved a change"):
        actions.edit_note(alice, note.id, body="v2 from an old tab", expected_version=1)
    assert Note.objects.get(id=note.id).body == "v2"


def test_only_the_author_changes_a_note(alice: User, bob: User) -> None:
    couple = make_case(alice)
    couple.co_clinicians.add(bob)
    note = actions.write_note(alice, couple.id, kind="progress", body="Alice's words")
    with pytest.raises(ActionError, match="Only the author"):
        actions.edit_note(bob, note.id, body="Bob's words", expected_version=1)
    actions.add_addendum(bob, note.id, body="Bob adds")
    assert NoteAddendum.objects.get().author == bob


def test_an_empty_note_or_unknown_kind_is_refused(alice: User) -> None:
    couple = make_case(alice)
    with pytest.raises(ActionError, match="needs some text"):
        actions.write_note(alice, couple.id, kind="progress", body="   ")
    with pytest.raises(ActionError, match="kind"):
        actions.write_note(alice, couple.id, kind="gossip", body="x")
    assert not Note.objects.exists()


def test_the_notes_page_offers_edits_while_open_and_addenda_once_locked(
    client: Client, alice: User
) -> None:
    couple = make_case(alice)
    fresh = actions.write_note(alice, couple.id, kind="progress", body="Fresh note")
    old = actions.write_note(alice, couple.id, kind="safety", body="Old note", at=days_ago(2))
    sign_in(client, alice)
    url = reverse("therapy_notes", args=[couple.id])
    page = client.get(url).content.decode()
    assert reverse("therapy_note_edit", args=[couple.id, fresh.id]) in page
    assert reverse("therapy_note_edit", args=[couple.id, old.id]) not in page
    assert reverse("therapy_note_addendum", args=[couple.id, old.id]) in page
    # The locked note refuses an edit posted anyway, and keeps its words.
    r = client.post(
        reverse("therapy_note_edit", args=[couple.id, old.id]),
        {f"edit-{old.id}-body": "Sneaky", f"edit-{old.id}-version": "1"},
    )
    assert r.status_code == 422
    assert "locked" in r.content.decode()
    assert Note.objects.get(id=old.id).body == "Old note"
    r = client.post(url, {"kind": "progress", "session": "", "body": ""})
    assert r.status_code == 422
    r = client.post(
        url, {"kind": "disclosure_record", "session": "", "body": "Disclosed in session"}
    )
    assert r.status_code == 302
    assert Note.objects.filter(kind="disclosure_record").count() == 1
