"""Triage actions: each checks the clinic, writes, and records an audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.http import Http404

from rebond.accounts.models import Clinic, User
from rebond.audit.models import CHAIN_STARTED_ACTION, GENESIS_ACTION, AuditEntry
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.intake import actions
from rebond.intake.models import ConsultationRequest
from rebond.intake.tests.conftest import make_request
from rebond.test import make_clinician

pytestmark = pytest.mark.django_db


def audit_actions(request: ConsultationRequest) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(request.id)).values_list("action", flat=True)
    )


def test_accepting_a_request_records_who_and_when(clinic_a: Clinic, alice: User) -> None:
    request = make_request(clinic_a)
    actions.accept_request(alice, request.id)
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.ACCEPTED
    assert request.decided_by == alice
    assert request.decided_at is not None
    assert audit_actions(request) == ["intake.request.accept"]
    entry = AuditEntry.objects.get(action="intake.request.accept")
    assert entry.actor == alice
    assert entry.clinic_id == clinic_a.id


def test_declining_keeps_the_referral_but_not_in_the_audit(clinic_a: Clinic, alice: User) -> None:
    request = make_request(clinic_a)
    actions.decline_request(alice, request.id, referral="CANARY-referral to Relate")
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.DECLINED
    assert request.referral == "CANARY-referral to Relate"
    entry = AuditEntry.objects.get(action="intake.request.decline")
    assert "referral" in entry.fields
    assert "CANARY" not in repr(entry.__dict__)


def test_marking_spam_closes_the_request(clinic_a: Clinic, alice: User) -> None:
    request = make_request(clinic_a)
    actions.mark_spam(alice, request.id)
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.SPAM
    assert audit_actions(request) == ["intake.request.spam"]


def test_a_clinic_admin_may_triage(clinic_a: Clinic) -> None:
    admin = make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)
    request = make_request(clinic_a)
    actions.accept_request(admin, request.id)
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.ACCEPTED


def test_a_supervisor_who_is_neither_therapist_nor_admin_may_not(clinic_a: Clinic) -> None:
    supervisor = make_clinician(clinic_a, "Sam Sup", is_therapist=False, is_supervisor=True)
    request = make_request(clinic_a)
    with pytest.raises(Http404):
        actions.accept_request(supervisor, request.id)


@pytest.mark.parametrize(
    "act",
    [
        lambda user, rid: actions.accept_request(user, rid),
        lambda user, rid: actions.decline_request(user, rid, referral="x"),
        lambda user, rid: actions.mark_spam(user, rid),
        lambda user, rid: actions.convert_request_to_case(
            user, rid, label="L", partner_a_name="A", partner_b_name="B", primary_clinician=user
        ),
    ],
    ids=["accept", "decline", "spam", "convert"],
)
def test_a_clinician_of_another_clinic_cannot_act_and_nothing_changes(
    clinic_a: Clinic, charlie: User, act: Callable[[User, uuid.UUID], object]
) -> None:
    request = make_request(clinic_a)
    with pytest.raises(Http404):
        act(charlie, request.id)
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.NEW
    assert (
        AuditEntry.objects.exclude(
            action__in=["intake.request.submit", GENESIS_ACTION, CHAIN_STARTED_ACTION]
        ).count()
        == 0
    )
    assert Couple.objects.count() == 0


@pytest.mark.parametrize("status", ["declined", "spam", "converted"])
def test_a_closed_request_cannot_be_triaged_again(
    clinic_a: Clinic, alice: User, status: str
) -> None:
    request = make_request(clinic_a, status=status)
    with pytest.raises(actions.RequestClosedError):
        actions.accept_request(alice, request.id)
    with pytest.raises(actions.RequestClosedError):
        actions.decline_request(alice, request.id, referral="x")
    with pytest.raises(actions.RequestClosedError):
        actions.mark_spam(alice, request.id)
    request.refresh_from_db()
    assert request.status == status
    assert not AuditEntry.objects.exclude(
        action__in=(GENESIS_ACTION, CHAIN_STARTED_ACTION)
    ).exists()


def test_an_accepted_request_can_still_be_declined_but_not_accepted_again(
    clinic_a: Clinic, alice: User
) -> None:
    request = make_request(clinic_a, status=ConsultationRequest.Status.ACCEPTED)
    with pytest.raises(actions.RequestClosedError):
        actions.accept_request(alice, request.id)
    actions.decline_request(alice, request.id, referral="Local service")
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.DECLINED


def test_converting_opens_a_case_with_the_requesters_channel_marked_safe(
    clinic_a: Clinic, alice: User, bob: User
) -> None:
    request = make_request(
        clinic_a,
        name="Robin",
        contact_method=ConsultationRequest.ContactMethod.TEXT,
        contact_value="+44 7700 900123",
        safe_times="Weekdays 9 to 12",
        may_leave_message=False,
    )
    couple = actions.convert_request_to_case(
        alice,
        request.id,
        label="Robin & Kit",
        partner_a_name="Robin",
        partner_b_name="Kit",
        primary_clinician=bob,
    )
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.CONVERTED
    assert request.couple == couple
    assert couple.clinic == clinic_a
    assert couple.primary_clinician == bob
    a = couple.partners.get(role=Partner.Role.A)
    b = couple.partners.get(role=Partner.Role.B)
    assert (a.display_name, b.display_name) == ("Robin", "Kit")
    channel = ContactChannel.objects.get(partner=a)
    assert channel.kind == "text"
    assert channel.value == "+44 7700 900123"
    assert channel.safe_to_contact is True
    assert channel.safe_hours == "Weekdays 9 to 12"
    assert channel.may_leave_message is False
    # Partner B has no channel, so nothing can be sent to them yet.
    assert not ContactChannel.objects.filter(partner=b).exists()
    assert audit_actions(request) == ["intake.request.convert"]
    assert AuditEntry.objects.filter(action="couples.case.open", object_id=str(couple.id)).exists()


def test_converting_refuses_a_primary_clinician_from_another_clinic(
    clinic_a: Clinic, alice: User, charlie: User
) -> None:
    request = make_request(clinic_a)
    with pytest.raises(Http404):
        actions.convert_request_to_case(
            alice,
            request.id,
            label="L",
            partner_a_name="A",
            partner_b_name="B",
            primary_clinician=charlie,
        )
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.NEW
    assert Couple.objects.count() == 0


def test_a_closed_request_cannot_be_converted(clinic_a: Clinic, alice: User) -> None:
    request = make_request(clinic_a, status=ConsultationRequest.Status.SPAM)
    with pytest.raises(actions.RequestClosedError):
        actions.convert_request_to_case(
            alice,
            request.id,
            label="L",
            partner_a_name="A",
            partner_b_name="B",
            primary_clinician=alice,
        )
    assert Couple.objects.count() == 0
