"""Inviting a partner: only through an e-mail address marked safe, a neutral message, and
never the other partner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import User
from rebond.audit.models import AuditEntry
from rebond.couples.models import ContactChannel
from rebond.portal import actions
from rebond.portal.models import PrivateLink, hash_token
from rebond.portal.tasks import SUBJECT
from rebond.portal.tests.conftest import World, tokens_in_outbox
from rebond.test import sign_in

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
SPECIALTY_WORDS = ("couple", "therapy", "betrayal", "affair", "abuse", "infidel", "trust")


def test_an_invitation_goes_only_to_the_partners_safe_email(
    world: World, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = actions.invite_partner(world.clinician, world.a.partner.id)
    assert result.is_sent
    assert "Phone calls and text messages cannot be sent automatically yet" in result.message
    assert world.a.email is not None
    assert [m.to for m in mail.outbox] == [[world.a.email.value]]
    message = mail.outbox[0]
    assert message.subject == SUBJECT == "A message from your practice"
    [token] = tokens_in_outbox(world.a.email.value)
    assert (
        message.body
        == f"Your practice has sent you a private link:\n\nhttp://127.0.0.1:8000/p/{token}/\n"
    )
    text = (str(message.subject) + str(message.body)).lower()
    assert not [word for word in SPECIALTY_WORDS if word in text]
    for value in world.a.canaries + world.b.canaries:
        assert value not in message.body
    link = PrivateLink.objects.get(partner=world.a.partner)
    assert link.token_hash == hash_token(token)
    assert link.sent_at is not None
    assert not PrivateLink.objects.filter(partner=world.b.partner).exists()
    entry = AuditEntry.objects.get(action="portal.invitation.create")
    assert entry.object_id == str(link.id)
    assert token not in repr(entry.__dict__)


def test_a_partner_with_no_safe_email_receives_nothing(
    world: World, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    ContactChannel.objects.filter(partner=world.a.partner, kind="email").update(
        safe_to_contact=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = actions.invite_partner(world.clinician, world.a.partner.id)
    assert not result.is_sent
    assert result.message.startswith(
        f"Nothing was sent: {world.a.partner.display_name} has no e-mail address marked safe "
        "to contact."
    )
    assert "cannot be sent automatically" in result.message
    assert mail.outbox == []
    assert not PrivateLink.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="portal.").exists()


def test_a_partner_with_no_channel_at_all_receives_nothing(
    world: World, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    ContactChannel.objects.filter(partner=world.b.partner).delete()
    with django_capture_on_commit_callbacks(execute=True):
        result = actions.invite_partner(world.clinician, world.b.partner.id)
    assert not result.is_sent
    assert "cannot be sent automatically" not in result.message
    assert mail.outbox == []
    assert not PrivateLink.objects.exists()


def test_reinviting_revokes_the_older_unused_link(
    client: Client, world: World, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    assert world.a.email is not None
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_partner(world.clinician, world.a.partner.id)
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_partner(world.clinician, world.a.partner.id)
    old, new = tokens_in_outbox(world.a.email.value)
    assert client.get(f"/p/{old}/").status_code == 404
    assert client.get(f"/p/{new}/").status_code == 302
    assert PrivateLink.objects.filter(partner=world.a.partner, revoked_at=None).count() == 1


def test_a_link_withdrawn_before_delivery_is_not_sent(
    world: World, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.invite_partner(world.clinician, world.a.partner.id)
    # Before the worker runs, the partner says the address is no longer safe.
    actions.mark_channel_not_safe(world.a.partner, world.a.email.id)  # type: ignore[union-attr]
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert PrivateLink.objects.get().token_hash is None


def test_a_clinician_off_the_case_cannot_invite(
    world: World, bob: User, charlie: User, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    from django.http import Http404

    for outsider in (bob, charlie):
        with pytest.raises(Http404), django_capture_on_commit_callbacks(execute=True):
            actions.invite_partner(outsider, world.a.partner.id)
    assert mail.outbox == []
    assert not PrivateLink.objects.exists()


def test_the_invite_button_reports_back_on_the_case_page(
    client: Client, world: World, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    sign_in(client, world.clinician)
    url = reverse("invite_partner", kwargs={"partner_id": world.b.partner.id})
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url)
    assert r.status_code == 302
    assert r["Location"] == reverse("case", kwargs={"couple_id": world.couple.id})
    assert world.b.email is not None
    assert [m.to for m in mail.outbox] == [[world.b.email.value]]


def test_the_invite_button_is_a_404_for_a_clinician_off_the_case(
    client: Client, world: World, bob: User
) -> None:
    sign_in(client, bob)
    r = client.post(reverse("invite_partner", kwargs={"partner_id": world.a.partner.id}))
    assert r.status_code == 404
    assert mail.outbox == []
