"""The caseload and the case page, seen by the clinician, a colleague and an outsider."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db


def login(client: Client, user: User) -> Client:
    sign_in(client, user)
    return client


def test_it_lists_the_clinicians_active_cases(client: Client, alice: User, bob: User) -> None:
    make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))
    make_couple(alice, "Closed case", status=Couple.Status.CLOSED)
    make_couple(bob, "Bob's couple")
    r = login(client, alice).get(reverse("caseload"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "Rivera &amp; Chen" in body
    assert "Sam Rivera" in body
    assert "Alex Chen" in body
    assert "Closed case" not in body
    assert "Bob&#x27;s couple" not in body
    assert "1 active case " in body


def test_it_shows_an_empty_state_to_a_new_clinic(client: Client, charlie: User) -> None:
    r = login(client, charlie).get(reverse("caseload"))
    assert r.status_code == 200
    assert "No couples on your caseload yet" in r.content.decode()


def test_it_names_the_clinicians_role_on_each_case(client: Client, alice: User, bob: User) -> None:
    couple = make_couple(bob, "Shared case")
    couple.co_clinicians.add(alice)
    body = login(client, alice).get(reverse("caseload")).content.decode()
    assert "Co-clinician" in body


def test_the_caseload_query_count_does_not_grow_with_the_caseload(
    client: Client, alice: User, django_assert_max_num_queries: object
) -> None:
    for n in range(30):
        make_couple(alice, f"Couple {n}")
    login(client, alice)
    # + the header's two counts: new consultation requests (intake), open priority alerts;
    # the signals, alerts and overdue counts (rebond/measurement/caseload.py); the EFT stages;
    # + up to 8 for the audit entry of the read (SECURITY.md LG-01).
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        r = client.get(reverse("caseload"))
    assert r.status_code == 200


def test_the_case_page_shows_the_couple_to_its_clinician(client: Client, alice: User) -> None:
    couple = make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))
    r = login(client, alice).get(reverse("case", args=[couple.id]))
    assert r.status_code == 200
    assert "Sam Rivera" in r.content.decode()


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_the_case_page_is_a_404_for_anyone_else(
    client: Client, alice: User, persona: str, request: pytest.FixtureRequest
) -> None:
    couple = make_couple(alice, "Rivera & Chen", partners=("Sam Rivera", "Alex Chen"))
    other: User = request.getfixturevalue(persona)
    r = login(client, other).get(reverse("case", args=[couple.id]))
    assert r.status_code == 404
    assert "Sam Rivera" not in r.content.decode()


def test_an_outsider_sees_nothing_of_another_clinic_on_any_page(
    client: Client, alice: User, charlie: User
) -> None:
    couple = make_couple(alice, "Canary Couple", partners=("Canary Ann", "Canary Ben"))
    login(client, charlie)
    for url in (reverse("caseload"), reverse("case", args=[couple.id])):
        body = client.get(url).content.decode()
        assert "Canary" not in body, url
