"""The optional PIN on private links (SECURITY.md LK-*): hashed, asked after the link is
opened at a clean address, five wrong tries revoke the link; links without a PIN unchanged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.lib.errors import ActionError
from rebond.portal import actions
from rebond.portal.models import LinkPin, PrivateLink
from rebond.portal.session import PENDING_KEY, SESSION_KEY
from rebond.portal.tests.conftest import World, make_link, open_space
from rebond.test import sign_in

pytestmark = pytest.mark.django_db

PIN = "482915"
NOT_VALID = "This link has expired or is not valid"
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def open_with_pin(client: Client, world: World) -> tuple[PrivateLink, str]:
    link, token = make_link(world.a.partner, world.clinician)
    r = client.get(f"/p/{token}/")
    assert r.status_code == 302
    assert r["Location"] == "/me/pin/"
    return link, token


@pytest.fixture
def pinned(world: World) -> World:
    actions.set_link_pin(world.clinician, world.a.partner.id, PIN)
    return world


def test_the_pin_is_stored_only_as_a_password_hash_and_audited(world: World) -> None:
    link_pin = actions.set_link_pin(world.clinician, world.a.partner.id, PIN)
    assert PIN not in link_pin.pin_hash
    assert link_pin.pin_hash.startswith(("md5$", "argon2", "pbkdf2"))
    entry = AuditEntry.objects.get(action="portal.pin.set")
    assert entry.object_id == str(link_pin.pk)
    assert PIN not in str(entry.__dict__)
    for bad in ("123", "123456789", "12a4", " 1234", "", "١٢٣٤"):
        with pytest.raises(ActionError):
            actions.set_link_pin(world.clinician, world.a.partner.id, bad)


def test_colleagues_and_other_clinics_cannot_set_or_clear_a_pin(
    client: Client, world: World, bob: User, charlie: User
) -> None:
    for outsider in (bob, charlie):
        with pytest.raises(Http404):
            actions.set_link_pin(outsider, world.a.partner.id, PIN)
        with pytest.raises(Http404):
            actions.clear_link_pin(outsider, world.a.partner.id)
        sign_in(client, outsider)
        kwargs = {"couple_id": world.couple.id, "partner_id": world.a.partner.id}
        assert (
            client.post(reverse("set_link_pin", kwargs=kwargs), {"pin-A-pin": PIN}).status_code
            == 404
        )
        assert client.post(reverse("clear_link_pin", kwargs=kwargs)).status_code == 404
    assert not LinkPin.objects.exists()


def test_the_clinician_sets_and_removes_a_pin_on_the_case_page(
    client: Client, world: World
) -> None:
    sign_in(client, world.clinician)
    kwargs = {"couple_id": world.couple.id, "partner_id": world.a.partner.id}
    r = client.post(reverse("set_link_pin", kwargs=kwargs), {"pin-A-pin": "12"})
    assert r.status_code == 400
    assert "Use 4 to 8 digits." in r.content.decode()
    assert not LinkPin.objects.exists()
    r = client.post(reverse("set_link_pin", kwargs=kwargs), {"pin-A-pin": PIN})
    assert r.status_code == 302
    assert LinkPin.objects.filter(partner=world.a.partner).exists()
    page = client.get(reverse("case_checkins", args=[world.couple.id])).content.decode()
    assert "PIN set" in page
    assert PIN not in page
    assert client.post(reverse("clear_link_pin", kwargs=kwargs)).status_code == 302
    assert not LinkPin.objects.exists()
    assert AuditEntry.objects.filter(action="portal.pin.clear").count() == 1


def test_the_right_pin_opens_the_space_at_a_clean_address(client: Client, pinned: World) -> None:
    link, token = open_with_pin(client, pinned)
    # Until the PIN is entered, no partner page answers.
    assert SESSION_KEY not in client.session
    assert client.get("/me/").status_code == 404
    assert client.get(reverse("checkin_list")).status_code == 404
    page = client.get("/me/pin/")
    assert page.status_code == 200
    assert token.encode() not in page.content
    r = client.post("/me/pin/", {"pin": PIN}, follow=True)
    assert r.status_code == 200
    assert r.redirect_chain == [("/me/", 302)]
    assert token not in r.request["PATH_INFO"]
    assert token.encode() not in r.content
    assert PENDING_KEY not in client.session
    assert client.session[SESSION_KEY]["partner"] == str(pinned.a.partner.id)
    assert client.get(reverse("checkin_list")).status_code == 200
    assert AuditEntry.objects.filter(action="portal.pin.right").count() == 1
    link.refresh_from_db()
    assert link.first_used_at is not None


def test_a_wrong_pin_says_so_and_five_lock_the_link(client: Client, pinned: World) -> None:
    link, token = open_with_pin(client, pinned)
    for tries_left in (4, 3, 2, 1):
        r = client.post("/me/pin/", {"pin": "000000"})
        assert r.status_code == 400
        assert "That PIN is not right." in r.content.decode()
        assert f"{tries_left} tr" in r.content.decode()
    link.refresh_from_db()
    assert link.pin_failures == 4
    assert link.revoked_at is None
    r = client.post("/me/pin/", {"pin": "000000"})
    assert r.status_code == 403
    assert "This link no longer works" in r.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert AuditEntry.objects.filter(action="portal.link.lock", object_id=str(link.id)).exists()
    assert AuditEntry.objects.filter(action="portal.pin.wrong").count() == 5
    # Locked for good: the right PIN, the PIN page and the token itself all fail now.
    assert client.post("/me/pin/", {"pin": PIN}).status_code == 404
    assert client.get("/me/").status_code == 404
    assert NOT_VALID in client.get(f"/p/{token}/").content.decode()


def test_malformed_input_is_refused_without_counting_a_try(client: Client, pinned: World) -> None:
    link, _ = open_with_pin(client, pinned)
    for bad in ("", "12", "abcd", "123456789", "12 34"):
        assert client.post("/me/pin/", {"pin": bad}).status_code == 400
    link.refresh_from_db()
    assert link.pin_failures == 0


def test_the_pin_page_answers_only_a_freshly_opened_link(client: Client, pinned: World) -> None:
    assert client.get("/me/pin/").status_code == 404
    assert client.post("/me/pin/", {"pin": PIN}).status_code == 404
    open_with_pin(client, pinned)
    session = client.session
    session[PENDING_KEY]["started"] = (now() - timedelta(minutes=16)).isoformat()
    session.save()
    assert client.post("/me/pin/", {"pin": PIN}).status_code == 404


def test_a_pin_set_later_ends_the_open_session_and_links_without_one_are_unchanged(
    client: Client, world: World
) -> None:
    open_space(client, world.a.partner, world.clinician)  # No PIN: straight to /me/.
    assert client.get("/me/").status_code == 200
    actions.set_link_pin(world.clinician, world.a.partner.id, PIN)
    assert client.get("/me/").status_code == 404
    # Partner B has no PIN: their link works as before.
    other = Client()
    open_space(other, world.b.partner, world.clinician)
    assert other.get("/me/").status_code == 200
    # Changing the PIN ends a session that proved the old one.
    open_with_pin(client, world)
    assert client.post("/me/pin/", {"pin": PIN}).status_code == 302
    actions.set_link_pin(world.clinician, world.a.partner.id, "9999")
    assert client.get("/me/").status_code == 404


@FUZZ
@given(
    pin=st.one_of(st.text(max_size=20), st.from_regex(r"\A[0-9]{4,8}\Z")),
    extra=st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
)
def test_bad_input_to_the_pin_form(pinned: World, pin: str, extra: dict[str, str]) -> None:
    client = Client()
    link, _ = open_with_pin(client, pinned)
    r = client.post("/me/pin/", {**extra, "pin": pin})
    if pin.strip() == PIN:
        assert r.status_code == 302
    else:
        assert r.status_code == 400, r.status_code
        assert client.get("/me/").status_code == 404
    link.refresh_from_db()
    assert link.pin_failures <= 1


@FUZZ
@given(
    pin=st.text(max_size=20),
    extra=st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
)
def test_bad_input_to_the_clinicians_pin_form(
    client: Client, world: World, pin: str, extra: Any
) -> None:
    sign_in(client, world.clinician)
    before = list(LinkPin.objects.values())
    kwargs = {"couple_id": world.couple.id, "partner_id": world.b.partner.id}
    r = client.post(reverse("set_link_pin", kwargs=kwargs), {**extra, "pin-B-pin": pin})
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 400:
        assert list(LinkPin.objects.values()) == before
