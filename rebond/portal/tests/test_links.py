"""Private links (SECURITY.md LK-01..03, AC-09, SE-03): hashed, expiring, revocable, one
partner only, swapped for a session and a clean address on first use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.portal import actions
from rebond.portal.models import PrivateLink, hash_token
from rebond.portal.session import SESSION_KEY
from rebond.portal.tests.conftest import World, make_link, open_space
from rebond.test import sign_in

pytestmark = pytest.mark.django_db

NOT_VALID = "This link has expired or is not valid"


def test_a_valid_link_becomes_a_session_and_a_clean_address(client: Client, world: World) -> None:
    link, token = make_link(world.a.partner, world.clinician)
    before = client.cookies.get("rebond-session")
    r = client.get(f"/p/{token}/", follow=True)
    assert r.status_code == 200
    assert r.redirect_chain == [("/me/", 302)]
    assert token not in r.request["PATH_INFO"]
    assert token.encode() not in r.content
    assert r["Cache-Control"] == "no-store"
    assert r["Referrer-Policy"] == "same-origin"
    assert client.session[SESSION_KEY]["partner"] == str(world.a.partner.id)
    assert client.cookies["rebond-session"] != before
    link.refresh_from_db()
    assert link.first_used_at is not None
    entry = AuditEntry.objects.get(action="portal.link.use")
    assert token not in str(entry.__dict__)


def test_the_database_holds_only_the_hash_of_a_token(world: World) -> None:
    link, token = make_link(world.a.partner, world.clinician)
    assert len(token) >= 43  # 32 random bytes, URL-safe: 256 bits.
    assert link.token_hash == hash_token(token) != token
    assert not PrivateLink.objects.filter(token_hash__contains=token).exists()


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown", "too_long", "unsent"])
def test_an_invalid_link_shows_the_same_calm_page(client: Client, world: World, state: str) -> None:
    link, token = make_link(world.a.partner, world.clinician)
    if state == "expired":
        PrivateLink.objects.filter(id=link.id).update(expires_at=now() - timedelta(seconds=1))
    elif state == "revoked":
        actions.revoke_link(world.clinician, link.id)
    elif state == "unknown":
        token = token[:-2] + "xx"
    elif state == "too_long":
        token = token * 3
    elif state == "unsent":
        PrivateLink.objects.filter(id=link.id).update(token_hash=None)
    r = client.get(f"/p/{token}/")
    assert r.status_code == 404
    assert NOT_VALID in r.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get("/me/").status_code == 404


def test_invalid_links_are_indistinguishable(client: Client, world: World) -> None:
    link, token = make_link(world.a.partner, world.clinician)
    actions.revoke_link(world.clinician, link.id)
    revoked = client.get(f"/p/{token}/").content
    unknown = client.get("/p/not-a-token-we-ever-issued/").content

    def normal(body: bytes) -> bytes:
        import re

        return re.sub(rb'nonce="[^"]+"', b"", body)

    assert normal(revoked) == normal(unknown)


def test_revoking_a_link_ends_its_session_on_the_next_request(client: Client, world: World) -> None:
    link = open_space(client, world.a.partner, world.clinician)
    assert client.get("/me/").status_code == 200
    actions.revoke_link(world.clinician, link.id)
    r = client.get("/me/")
    assert r.status_code == 404
    assert NOT_VALID in r.content.decode()


def test_a_session_expires_with_its_link(client: Client, world: World) -> None:
    link = open_space(client, world.a.partner, world.clinician)
    PrivateLink.objects.filter(id=link.id).update(expires_at=now() - timedelta(seconds=1))
    assert client.get("/me/").status_code == 404


def test_a_clinician_login_does_not_open_a_partners_space(client: Client, world: World) -> None:
    sign_in(client, world.clinician)
    assert client.get("/me/").status_code == 404


def test_a_partners_session_does_not_open_clinician_pages(client: Client, world: World) -> None:
    open_space(client, world.a.partner, world.clinician)
    for url in (reverse("caseload"), reverse("case", kwargs={"couple_id": world.couple.id})):
        r = client.get(url)
        assert r.status_code == 302
        assert r["Location"].startswith(reverse("login"))


def test_opening_a_link_while_logged_in_as_a_clinician_logs_the_clinician_out(
    client: Client, world: World
) -> None:
    sign_in(client, world.clinician)
    open_space(client, world.a.partner, world.clinician)
    assert client.get("/me/").status_code == 200
    assert client.get(reverse("caseload")).status_code == 302


def test_a_clinician_login_after_a_partner_session_does_not_keep_the_space(
    client: Client, world: World, alice: User
) -> None:
    open_space(client, world.a.partner, world.clinician)
    sign_in(client, alice)
    assert client.get("/me/").status_code == 404


def test_leaving_clears_the_session_and_the_browser(client: Client, world: World) -> None:
    open_space(client, world.a.partner, world.clinician)
    r = client.post("/me/leave/")
    assert r.status_code == 302
    assert r["Location"] == reverse("portal:left")
    assert r["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/me/").status_code == 404
    assert client.get(r["Location"]).status_code == 200


def test_leaving_needs_a_post(client: Client, world: World) -> None:
    open_space(client, world.a.partner, world.clinician)
    assert client.get("/me/leave/").status_code == 405
    assert client.get("/me/").status_code == 200


def test_a_session_lasts_no_more_than_its_absolute_limit(client: Client, world: World) -> None:
    open_space(client, world.a.partner, world.clinician)
    session = client.session
    data = session[SESSION_KEY]
    data["started"] = (now() - timedelta(hours=5)).isoformat()
    session[SESSION_KEY] = data
    session.save()
    assert client.get("/me/").status_code == 404


def test_the_session_idles_out_after_thirty_minutes(client: Client, world: World) -> None:
    open_space(client, world.a.partner, world.clinician)
    assert client.session.get_expiry_age() == 30 * 60
