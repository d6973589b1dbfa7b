"""Who may see the therapy pages: the clinicians on the case and its assigned supervisor only.
Anyone else, in the clinic or outside it, meets a 404 (DOMAIN 7.5; docs/architecture.md)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.test import make_clinician, sign_in
from rebond.therapy import actions
from rebond.therapy.models import Note, StageTransition
from rebond.therapy.tests.helpers import affair, held_session, make_case

pytestmark = pytest.mark.django_db


def _pages(couple: Couple, alice: User) -> tuple[list[str], Note]:
    session = held_session(alice, couple)
    note = actions.write_note(alice, couple.id, kind="process", body="Process words")
    return [
        reverse("therapy", args=[couple.id]),
        reverse("therapy_sessions", args=[couple.id]),
        reverse("therapy_session", args=[couple.id, session.id]),
        reverse("therapy_cycle", args=[couple.id]),
        reverse("therapy_notes", args=[couple.id]),
        reverse("therapy_timeline", args=[couple.id]),
    ], note


def test_the_clinicians_on_the_case_and_its_supervisor_see_every_page(
    client: Client, alice: User, bob: User
) -> None:
    couple = make_case(alice)
    supervisor = make_clinician(alice.clinic, "Sue Supervisor", is_supervisor=True)
    Couple.objects.filter(id=couple.id).update(supervisor=supervisor)
    couple.co_clinicians.add(bob)
    urls, _ = _pages(couple, alice)
    for user in (alice, bob, supervisor):
        sign_in(client, user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)


def test_a_colleague_off_the_case_and_another_clinic_get_404_everywhere(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    pages, note = _pages(couple, alice)
    note_id = note.id
    posts = {
        reverse("therapy_stage_move", args=[couple.id]): {"to_position": "S2", "version": "1"},
        reverse("therapy_airm_move", args=[couple.id, injury.id]): {
            "to_state": "a1",
            "version": "1",
        },
        reverse("therapy_session_record", args=[couple.id]): {"kind": "conjoint"},
        reverse("therapy_cycle", args=[couple.id]): {"pattern": "attack_attack", "version": "1"},
        reverse("therapy_notes", args=[couple.id]): {"kind": "progress", "body": "Intruder"},
        reverse("therapy_note_edit", args=[couple.id, note_id]): {"body": "x", "version": "1"},
        reverse("therapy_note_addendum", args=[couple.id, note_id]): {"body": "Intruder"},
    }
    for outsider in (bob, charlie):
        sign_in(client, outsider)
        for url in pages:
            assert client.get(url).status_code == 404, (outsider, url)
        for url, data in posts.items():
            assert client.post(url, data).status_code == 404, (outsider, url)
    assert not StageTransition.objects.exists()
    assert [n.body for n in Note.objects.all()] == ["Process words"]


def test_a_session_of_another_case_is_not_reachable_through_this_case(
    client: Client, alice: User
) -> None:
    mine, other = make_case(alice, "Mine"), make_case(alice, "Other")
    session = held_session(alice, other)
    sign_in(client, alice)
    assert client.get(reverse("therapy_session", args=[mine.id, session.id])).status_code == 404


def test_the_case_page_links_to_the_therapy_pages(client: Client, alice: User) -> None:
    couple = make_case(alice)
    sign_in(client, alice)
    body = client.get(reverse("case", args=[couple.id])).content.decode()
    assert f'href="{reverse("therapy", args=[couple.id])}"' in body
