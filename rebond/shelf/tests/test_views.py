"""The shelf's pages: the clinic's list, one page, writing and changing with a preview, publish
and unpublish, the starter button; the case page's "Reading" section and its forms; the
partner's reading list, page and the link on their space. Every answer is checked for the
canaries of pages its reader may not see."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from rebond.portal.tests.conftest import open_space
from rebond.shelf.models import PageAssignment, ShelfPage
from rebond.shelf.tests.helpers import ShelfWorld, build
from rebond.test import sign_in

pytestmark = pytest.mark.django_db

CANARIES = {
    key: (f"CANARY-{tag}", f"CANARY-{tag}-BODY")
    for key, tag in (
        ("A", "ALPHA"),
        ("B", "BRAVO"),
        ("both", "DUO"),
        ("withdrawn", "WITHDRAWN"),
        ("unpublished", "UNPUB"),
        ("draft", "DRAFT"),
    )
}


@pytest.fixture
def world() -> ShelfWorld:
    return build()


def clinician(user: object) -> Client:
    client = Client()
    sign_in(client, user)  # type: ignore[arg-type]
    return client


def partner_client(world: ShelfWorld, who: str) -> Client:
    client = Client()
    open_space(client, getattr(world, who), world.therapist)
    return client


def shown(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse)
    return response.content.decode()


# --- Partners -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "sees"), [("a", {"A", "both"}), ("b", {"B", "both"})])
def test_a_partner_reads_only_their_pages(world: ShelfWorld, who: str, sees: set[str]) -> None:
    client = partner_client(world, who)
    home = shown(client.get(reverse("portal:home")))
    assert reverse("my_reading") in home
    assert "chose 2 pages" in home
    listing = shown(client.get(reverse("my_reading")))
    for key, (title, body) in CANARIES.items():
        assert (title in listing) == (key in sees), key
        assert body not in listing
    for key, assignment in world.given.items():
        response = client.get(reverse("my_reading_page", args=[assignment.id]))
        if key in sees:
            assert response.status_code == 200
            assert CANARIES[key][1] in shown(response)
            assert "<title>Your space" in shown(response)  # a neutral tab title
        else:
            assert response.status_code == 404, key
        others = [t for k, pair in CANARIES.items() if k != key for t in pair]
        assert not any(text in shown(response) for text in others), key


def test_opening_a_page_tells_the_clinicians_not_the_other_partner(world: ShelfWorld) -> None:
    a = partner_client(world, "a")
    a.get(reverse("my_reading_page", args=[world.given["A"].id]))
    world.given["A"].refresh_from_db()
    assert world.given["A"].first_read_at is not None
    case = shown(clinician(world.therapist).get(reverse("case", args=[world.couple.id])))
    assert "Opened" in case
    b_listing = shown(partner_client(world, "b").get(reverse("my_reading")))
    assert "Opened" not in b_listing
    assert "CANARY-ALPHA" not in b_listing


def test_the_home_link_shows_only_with_something_to_read(world: ShelfWorld) -> None:
    PageAssignment.objects.update(withdrawn_at="2026-01-01T00:00:00Z")
    home = shown(partner_client(world, "a").get(reverse("portal:home")))
    assert reverse("my_reading") not in home


def test_a_clinician_session_is_no_partner(world: ShelfWorld) -> None:
    client = clinician(world.therapist)
    assert client.get(reverse("my_reading")).status_code == 404
    assert client.get(reverse("my_reading_page", args=[world.given["A"].id])).status_code == 404


# --- Clinicians: the shelf -----------------------------------------------------------------------


def test_every_clinician_of_the_clinic_reads_the_shelf(world: ShelfWorld) -> None:
    for user in (world.therapist, world.colleague, world.admin):
        client = clinician(user)
        listing = shown(client.get(reverse("shelf")))
        for title, _ in CANARIES.values():
            assert title in listing
        one = client.get(reverse("shelf_page", args=[world.pages["A"].id]))
        assert one.status_code == 200
        assert "CANARY-ALPHA-BODY" in shown(one)
        assert ("Write a page" in listing) == (user == world.admin)
    outsider = clinician(world.outsider)
    assert "CANARY" not in shown(outsider.get(reverse("shelf")))
    assert outsider.get(reverse("shelf_page", args=[world.pages["A"].id])).status_code == 404


def test_the_admin_writes_previews_changes_and_unpublishes_a_page(world: ShelfWorld) -> None:
    client = clinician(world.admin)
    data = {"title": "Slow healing", "body": "# Why\n\n<script>x()</script> **slow**"}
    preview = client.post(reverse("shelf_page_new"), {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "<h2>Why</h2>" in shown(preview)
    assert "<strong>slow</strong>" in shown(preview)
    assert "<script>x()" not in shown(preview)
    assert not ShelfPage.objects.filter(title="Slow healing").exists()
    saved = client.post(reverse("shelf_page_new"), {**data, "published": "on"})
    made = ShelfPage.objects.get(title="Slow healing")
    assert saved["Location"] == reverse("shelf_page", args=[made.pk])
    assert made.published
    edit = reverse("shelf_page_edit", args=[made.pk])
    assert "<h2>Why</h2>" in shown(client.get(edit))
    assert client.post(edit, {"title": "", "body": "x"}).status_code == 422
    client.post(edit, {"title": "Slower", "body": "Still", "published": "on"})
    made.refresh_from_db()
    assert (made.title, made.body) == ("Slower", "Still")
    client.post(reverse("shelf_page_publish", args=[made.pk]), {"published": "no"})
    made.refresh_from_db()
    assert not made.published


def test_only_the_admin_changes_the_shelf(world: ShelfWorld) -> None:
    client = clinician(world.therapist)
    page_id = world.pages["A"].id
    assert client.get(reverse("shelf_page_new")).status_code == 403
    assert client.get(reverse("shelf_page_edit", args=[page_id])).status_code == 403
    assert client.post(reverse("shelf_page_publish", args=[page_id]), {}).status_code == 403
    assert client.post(reverse("shelf_starter")).status_code == 403
    world.pages["A"].refresh_from_db()
    assert world.pages["A"].published


def test_the_starter_button_adds_the_missing_pages(world: ShelfWorld) -> None:
    client = clinician(world.admin)
    assert "Add Rebond" in shown(client.get(reverse("shelf")))
    client.post(reverse("shelf_starter"))
    assert ShelfPage.objects.filter(clinic=world.clinic).exclude(starter_key="").count() == 4
    assert "Add Rebond" not in shown(client.get(reverse("shelf")))


# --- Clinicians: the case page -------------------------------------------------------------------


def test_the_case_page_lists_and_gives_pages(world: ShelfWorld) -> None:
    client = clinician(world.therapist)
    case_url = reverse("case", args=[world.couple.id])
    case = shown(client.get(case_url))
    assert 'id="reading"' in case
    assert "For Dana Rivera only" in case
    assert "For Sam Chen only" in case
    assert "Not opened yet" in case
    fresh = ShelfPage.objects.create(clinic=world.clinic, title="Fresh", body="x", published=True)
    assign = reverse("case_reading_assign", args=[world.couple.id])
    response = client.post(assign, {"page": fresh.id, "to": "both"})
    assert response["Location"] == case_url + "#reading"
    assert PageAssignment.objects.filter(page=fresh, partner=None).exists()
    again = client.post(assign, {"page": fresh.id, "to": "A"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409
    assert "already given" in shown(again)
    bad = client.post(assign, {"page": world.pages["draft"].id, "to": "A"})
    assert bad.status_code == 422
    withdrawn = client.post(
        reverse("case_reading_withdraw", args=[world.couple.id, world.given["A"].id]),
        HTTP_HX_REQUEST="true",
    )
    assert withdrawn.status_code == 200
    assert "Withdrawn: For A only" in shown(withdrawn)
    again_withdrawn = client.post(
        reverse("case_reading_withdraw", args=[world.couple.id, world.given["A"].id])
    )
    assert again_withdrawn.status_code == 409
    assert "already withdrawn" in shown(again_withdrawn)


def test_a_clinician_off_the_case_cannot_give_or_withdraw(world: ShelfWorld) -> None:
    for user in (world.colleague, world.admin, world.outsider):
        client = clinician(user)
        assign = reverse("case_reading_assign", args=[world.couple.id])
        assert client.post(assign, {"page": world.pages["draft"].id, "to": "A"}).status_code == 404
        withdraw = reverse("case_reading_withdraw", args=[world.couple.id, world.given["A"].id])
        assert client.post(withdraw).status_code == 404
    world.given["A"].refresh_from_db()
    assert world.given["A"].withdrawn_at is None
