"""The clinician's page of a partner's private links: what was sent, and a Revoke button."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.couples.models import Partner
from rebond.portal.models import PrivateLink
from rebond.portal.tests.conftest import make_link
from rebond.test import make_couple, sign_in

pytestmark = pytest.mark.django_db


def partner_of(alice: User) -> Partner:
    return make_couple(alice, "Links couple").partners.get(role=Partner.Role.A)


def test_the_therapist_sees_and_revokes_a_link(client: Client, alice: User) -> None:
    partner = partner_of(alice)
    link, token = make_link(partner, alice)
    sign_in(client, alice)
    page = client.get(reverse("partner_links", kwargs={"partner_id": partner.id}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Not opened yet" in body
    assert reverse("revoke_link", kwargs={"link_id": link.id}) in body
    assert token not in body
    assert link.token_hash is not None
    assert link.token_hash not in body

    response = client.post(reverse("revoke_link", kwargs={"link_id": link.id}), follow=True)
    assert response.status_code == 200
    assert "The link was revoked" in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert AuditEntry.objects.filter(action="portal.link.revoke", object_id=str(link.id)).exists()
    # The revoked token opens nothing, and the page offers no second revoke.
    assert Client().get(f"/p/{token}/").status_code == 404
    assert reverse("revoke_link", kwargs={"link_id": link.id}) not in response.content.decode()


def test_a_colleague_not_on_the_case_reaches_neither_page_nor_link(
    client: Client, alice: User, bob: User, charlie: User
) -> None:
    partner = partner_of(alice)
    link, _ = make_link(partner, alice)
    for outsider in (bob, charlie):
        sign_in(client, outsider)
        assert (
            client.get(reverse("partner_links", kwargs={"partner_id": partner.id})).status_code
            == 404
        )
        assert client.post(reverse("revoke_link", kwargs={"link_id": link.id})).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_revoking_needs_a_post(client: Client, alice: User) -> None:
    link, _ = make_link(partner_of(alice), alice)
    sign_in(client, alice)
    assert client.get(reverse("revoke_link", kwargs={"link_id": link.id})).status_code == 405
    assert PrivateLink.objects.get(id=link.id).revoked_at is None
