"""Erasure of one partner on request: a clinic admin asks after step-up, a second person
approves (never the requester, never without step-up, never another clinic's staff), a
pending request can be cancelled, everything is audited by id and reason code."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import mfa
from rebond.accounts.models import Clinic, User
from rebond.audit import chain
from rebond.audit.models import AuditEntry
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.lib.errors import ActionError
from rebond.lifecycle import actions
from rebond.lifecycle.models import ErasureRecord, ErasureRequest
from rebond.test import make_clinician, make_couple, sign_in

pytestmark = pytest.mark.django_db
ASKED = "person_requested"


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)


@pytest.fixture
def second_admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Sam Second", is_clinic_admin=True, is_therapist=False)


@pytest.fixture
def couple(alice: User) -> Couple:
    couple = make_couple(alice, "Rivera & Chen", partners=("Ana Rivera", "Ben Chen"))
    for partner in couple.partners.all():
        ContactChannel.objects.create(
            partner=partner, kind="email", value=f"{partner.role}@example.org"
        )
    return couple


def partner(couple: Couple, role: str) -> Partner:
    return couple.partners.get(role=role)


def ask(admin: User, couple: Couple, *, stepped_up: bool = True) -> ErasureRequest:
    a = partner(couple, "A")
    return actions.request_partner_erasure(
        admin, couple.pk, a.pk, reason=ASKED, stepped_up=stepped_up
    )


def test_asking_needs_a_clinic_admin_with_a_recent_step_up(
    couple: Couple, admin: User, alice: User, charlie: User
) -> None:
    with pytest.raises(ActionError) as refused:
        ask(admin, couple, stepped_up=False)
    assert refused.value.status == HTTPStatus.FORBIDDEN
    for not_admin in (alice, charlie):
        with pytest.raises(Http404):
            ask(not_admin, couple)
    assert not ErasureRequest.objects.exists()


def test_the_requester_may_not_approve_and_nobody_without_step_up(
    couple: Couple, admin: User, alice: User
) -> None:
    ask(admin, couple)
    a = partner(couple, "A")
    with pytest.raises(ActionError) as refused:
        actions.approve_partner_erasure(admin, couple.pk, a.pk, stepped_up=True)
    assert refused.value.status == HTTPStatus.FORBIDDEN
    with pytest.raises(ActionError):
        actions.approve_partner_erasure(alice, couple.pk, a.pk, stepped_up=False)
    assert ContactChannel.objects.filter(partner=a).exists()


def test_other_clinics_staff_and_colleagues_off_the_case_cannot_approve(
    couple: Couple, admin: User, bob: User, charlie: User, clinic_b: Clinic
) -> None:
    ask(admin, couple)
    other_admin = make_clinician(clinic_b, "Bea Admin", is_clinic_admin=True)
    a = partner(couple, "A")
    for outsider in (bob, charlie, other_admin):
        with pytest.raises(Http404):
            actions.approve_partner_erasure(outsider, couple.pk, a.pk, stepped_up=True)
    assert ErasureRequest.objects.get().status == ErasureRequest.Status.PENDING


@pytest.mark.parametrize("approver_name", ["alice", "second_admin"])
def test_a_second_person_approves_and_only_that_partners_rows_go(
    request: pytest.FixtureRequest, couple: Couple, admin: User, approver_name: str
) -> None:
    approver = request.getfixturevalue(approver_name)
    ask(admin, couple)
    a, b = partner(couple, "A"), partner(couple, "B")
    record = actions.approve_partner_erasure(approver, couple.pk, a.pk, stepped_up=True)
    assert (record.kind, record.object_id, record.requested_by, record.approved_by) == (
        ErasureRecord.Kind.PARTNER,
        a.pk,
        admin,
        approver,
    )
    assert not ContactChannel.objects.filter(partner=a).exists()
    assert ContactChannel.objects.filter(partner=b).exists()
    assert Partner.objects.get(pk=a.pk).display_name == "Partner A (erased)"
    assert Partner.objects.get(pk=b.pk).display_name == "Ben Chen"
    assert Couple.objects.filter(pk=couple.pk).exists()
    actions_logged = list(
        AuditEntry.objects.filter(action__startswith="lifecycle.").values_list(
            "action", "reason", "object_id"
        )
    )
    assert [a_ for a_, _, _ in actions_logged] == [
        "lifecycle.erasure.request",
        "lifecycle.erasure.approve",
        "lifecycle.partner.erase",
    ]
    trail = str(list(AuditEntry.objects.values()))
    for personal in ("Ana Rivera", "Ben Chen", "Rivera & Chen", "A@example.org"):
        assert personal not in trail
    assert chain.verify().intact


def test_a_pending_request_can_be_cancelled_and_erases_nothing(
    couple: Couple, admin: User, second_admin: User
) -> None:
    ask(admin, couple)
    a = partner(couple, "A")
    actions.cancel_partner_erasure(second_admin, couple.pk, a.pk)
    assert ErasureRequest.objects.get().status == ErasureRequest.Status.CANCELLED
    with pytest.raises(ActionError):
        actions.approve_partner_erasure(second_admin, couple.pk, a.pk, stepped_up=True)
    assert ContactChannel.objects.filter(partner=a).exists()
    assert AuditEntry.objects.filter(action="lifecycle.erasure.cancel").count() == 1


def test_the_pages_send_a_stale_login_to_reauthenticate_first(
    client: Client, couple: Couple, admin: User
) -> None:
    sign_in(client, admin)
    session = client.session
    mfa.mark_session_verified(session, admin, at=now() - timedelta(minutes=30))
    session.save()
    a = partner(couple, "A")
    url = reverse("partner_erasure", kwargs={"couple_id": couple.pk, "partner_id": a.pk})
    response = client.post(url, {"reason": ASKED, "confirm": "on"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("reauthenticate"))
    assert not ErasureRequest.objects.exists()


def test_asking_and_approving_through_the_pages(
    client: Client, couple: Couple, admin: User, alice: User
) -> None:
    a = partner(couple, "A")
    kwargs = {"couple_id": couple.pk, "partner_id": a.pk}
    sign_in(client, admin)
    page = client.get(reverse("partner_erasure", kwargs=kwargs))
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "Art. 17(3)" in text
    assert "Ana Rivera" not in text  # the admin has no clinical access: role only
    client.post(reverse("partner_erasure", kwargs=kwargs), {"reason": ASKED, "confirm": "on"})
    refused = client.post(reverse("partner_erasure_approve", kwargs=kwargs))
    assert refused.status_code == HTTPStatus.FORBIDDEN
    sign_in(client, alice)
    done = client.post(reverse("partner_erasure_approve", kwargs=kwargs))
    assert done.status_code == HTTPStatus.FOUND
    assert ErasureRecord.objects.filter(object_id=a.pk).exists()
