"""Staff management rules and actions (issue 16 item 3): roles, deactivation, reactivation.

The clinic keeps an active clinic admin and an active safety lead; a clinician who is the
only one on an active case stays until the case has another; deactivation ends sessions,
API tokens and trusted browsers at once; every change is audited and the person is told by an
e-mail free of clinical content.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse

from rebond.access import SettingsRefused
from rebond.accounts import devices
from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple
from rebond.interop.models import ApiToken
from rebond.interop.tokens import create_token, user_for_token
from rebond.staff import invitations, membership
from rebond.staff.membership import StaffRuleError
from rebond.test import (
    PASSWORD,
    ensure_totp_device,
    make_clinic,
    make_clinician,
    make_couple,
    sign_in,
    unused_totp_code,
)

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
Role = User.Role


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    # Ada runs Clinic A: a clinic admin with no clinical role, on no case.
    return make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)


@pytest.fixture
def lead(clinic_a: Clinic) -> User:
    # Sam is Clinic A's only safety lead.
    return make_clinician(clinic_a, "Sam Lead", is_safety_lead=True)


def staff_actions() -> set[str]:
    return set(
        AuditEntry.objects.filter(action__startswith="staff.").values_list("action", flat=True)
    )


# --- Roles --------------------------------------------------------------------------------


def test_an_admin_changes_a_colleagues_roles_with_an_audit_entry_and_an_email(
    admin: User, alice: User, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    make_couple(alice, "Canary & Couple", partners=("Cara Canary", "Dev Canary"))
    with django_capture_on_commit_callbacks(execute=True):
        membership.change_roles(admin, alice.id, {Role.THERAPIST, Role.SUPERVISOR})
    alice.refresh_from_db()
    assert (alice.is_therapist, alice.is_supervisor) == (True, True)
    entry = AuditEntry.objects.get(action="staff.roles.change")
    assert (entry.actor, entry.object_id, entry.fields) == (admin, str(alice.id), ["is_supervisor"])
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert "Ada Admin" in message.body
    assert "Therapist, Supervisor" in message.body
    for secret in ("Canary", "Cara", "couple", "case"):
        assert secret not in message.body
        assert secret not in message.subject


def test_nothing_is_written_or_sent_when_the_roles_are_unchanged(
    admin: User, alice: User, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        membership.change_roles(admin, alice.id, {Role.THERAPIST})
    assert staff_actions() == set()
    assert mail.outbox == []


def test_a_clinician_keeps_at_least_one_role(admin: User, alice: User) -> None:
    with pytest.raises(StaffRuleError, match="at least one role"):
        membership.change_roles(admin, alice.id, set())
    with pytest.raises(StaffRuleError, match="Unknown role"):
        membership.change_roles(admin, alice.id, {"owner"})


def test_the_last_clinic_admin_cannot_lose_the_role_even_by_their_own_hand(
    admin: User, alice: User
) -> None:
    with pytest.raises(StaffRuleError) as refused:
        membership.change_roles(admin, admin.id, {Role.THERAPIST})
    assert "You are the clinic's last active clinic admin" in refused.value.message
    assert "Give the clinic admin role to another active clinician first" in refused.value.message
    admin.refresh_from_db()
    assert admin.is_clinic_admin
    # With a second admin, the first may step down.
    membership.change_roles(admin, alice.id, {Role.THERAPIST, Role.CLINIC_ADMIN})
    membership.change_roles(admin, admin.id, {Role.THERAPIST})
    admin.refresh_from_db()
    assert not admin.is_clinic_admin


def test_the_last_safety_lead_cannot_lose_the_role(admin: User, lead: User, alice: User) -> None:
    with pytest.raises(StaffRuleError) as refused:
        membership.change_roles(admin, lead.id, {Role.THERAPIST})
    assert "Sam Lead is the clinic's last active safety lead" in refused.value.message
    # A deactivated lead does not count as a lead.
    alice.is_safety_lead = True
    alice.is_active = False
    alice.save()
    with pytest.raises(StaffRuleError):
        membership.change_roles(admin, lead.id, {Role.THERAPIST})
    alice.is_active = True
    alice.save()
    membership.change_roles(admin, lead.id, {Role.THERAPIST})


def test_an_invited_clinician_who_has_not_enrolled_counts_for_no_role(
    clinic_a: Clinic, admin: User
) -> None:
    invited = make_clinician(clinic_a, "Ivy Invited", is_clinic_admin=True)
    invited.set_unusable_password()
    invited.save()
    with pytest.raises(StaffRuleError, match="last active clinic admin"):
        membership.change_roles(admin, admin.id, {Role.THERAPIST})
    # Nor is an invitation a colleague whose roles this page changes.
    with pytest.raises(Http404):
        membership.change_roles(admin, invited.id, {Role.THERAPIST})


# --- Deactivation -------------------------------------------------------------------------


def test_the_only_clinician_on_an_active_case_cannot_be_deactivated_and_the_cases_are_named(
    admin: User, alice: User, bob: User
) -> None:
    first = make_couple(alice, "Rivera & Chen")
    second = make_couple(alice, "Okafor & Lind")
    make_couple(alice, "Closed couple", status=Couple.Status.CLOSED)
    shared = make_couple(alice, "Shared couple")
    shared.co_clinicians.add(bob)
    with pytest.raises(StaffRuleError) as refused:
        membership.deactivate(admin, alice.id)
    assert "Alice Therapist is the only clinician on 2 active cases" in refused.value.message
    assert refused.value.cases == [first, second]
    alice.refresh_from_db()
    assert alice.is_active


def test_a_supervisor_alone_does_not_keep_a_case_covered_but_a_co_therapist_does(
    clinic_a: Clinic, admin: User, alice: User, bob: User
) -> None:
    sue = make_clinician(clinic_a, "Sue Supervisor", is_supervisor=True)
    couple = make_couple(alice, "Rivera & Chen", supervisor=sue)
    with pytest.raises(StaffRuleError, match="only clinician on an active case"):
        membership.deactivate(admin, alice.id)
    # The supervisor herself may go: the case still has its therapist.
    membership.deactivate(admin, sue.id)
    # A co-therapist who is deactivated does not cover it either.
    couple.co_clinicians.add(bob)
    User.objects.filter(pk=bob.pk).update(is_active=False)
    with pytest.raises(StaffRuleError):
        membership.deactivate(admin, alice.id)
    User.objects.filter(pk=bob.pk).update(is_active=True)
    membership.deactivate(admin, alice.id)
    alice.refresh_from_db()
    assert not alice.is_active


def test_the_last_clinic_admin_and_the_last_lead_cannot_be_deactivated(
    clinic_a: Clinic, admin: User, lead: User
) -> None:
    with pytest.raises(StaffRuleError, match="You are the clinic's last active clinic admin"):
        membership.deactivate(admin, admin.id)
    with pytest.raises(StaffRuleError, match="Sam Lead is the clinic's last active safety lead"):
        membership.deactivate(admin, lead.id)
    second = make_clinician(clinic_a, "Second Admin", is_clinic_admin=True)
    membership.deactivate(admin, admin.id)  # now allowed, even of oneself
    admin.refresh_from_db()
    assert not admin.is_active
    with pytest.raises(StaffRuleError, match="You are the clinic's last active clinic admin"):
        membership.deactivate(second, second.id)


def test_deactivation_ends_the_live_session_revokes_tokens_and_is_audited(
    client: Client,
    admin: User,
    alice: User,
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    make_couple(alice, "Canary & Couple", partners=("Cara Canary", "Dev Canary")).co_clinicians.add(
        make_clinician(alice.clinic, "Cover Colleague")
    )
    sign_in(client, alice)
    assert client.get(reverse("caseload")).status_code == 200
    other_browser = Client()
    sign_in(other_browser, alice)
    token, clear = create_token(alice, "Spreadsheet")
    with django_capture_on_commit_callbacks(execute=True):
        membership.deactivate(admin, alice.id)
    # Her next click, in either browser, is refused: sent to the login page.
    for browser in (client, other_browser):
        response = browser.get(reverse("caseload"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    from django.contrib.sessions.models import Session

    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token(clear) is None
    actions = list(
        AuditEntry.objects.filter(clinic_id=alice.clinic_id, actor=admin)
        .order_by("sequence")
        .values_list("action", "object_id")
    )
    assert actions == [
        ("staff.deactivate", str(alice.id)),
        ("accounts.sessions.end", str(alice.id)),
        ("interop.token.revoke", str(token.id)),
    ]
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert message.subject == "Your Rebond account has been deactivated"
    assert "Ada Admin deactivated your Rebond account at Clinic A" in message.body
    for secret in ("Canary", "Cara", "Spreadsheet", "couple"):
        assert secret not in message.body


def test_deactivation_forgets_the_browsers_trusted_for_the_clinician(
    client: Client, admin: User, alice: User
) -> None:
    ensure_totp_device(alice)
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    client.post(reverse("mfa_verify"), {"code": unused_totp_code(alice)})
    office = RequestFactory().get("/")
    office.COOKIES[devices.COOKIE_NAME] = client.cookies[devices.COOKIE_NAME].value
    alice.refresh_from_db()
    assert devices.trusted_key_for(office, alice)
    membership.deactivate(admin, alice.id)
    membership.reactivate(admin, alice.id)
    alice.refresh_from_db()
    # Back at work, her old browser is a stranger until she completes both factors in it again.
    assert devices.trusted_key_for(office, alice) == ""


def test_a_deactivated_clinician_is_reactivated_with_their_roles_and_told(
    admin: User, alice: User, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    membership.deactivate(admin, alice.id)
    with django_capture_on_commit_callbacks(execute=True):
        membership.reactivate(admin, alice.id)
    alice.refresh_from_db()
    assert alice.is_active
    assert alice.is_therapist
    assert staff_actions() == {"staff.deactivate", "staff.reactivate"}
    [message] = mail.outbox
    assert message.subject == "Your Rebond account is active again"
    assert "/accounts/login/" in message.body
    # Doing it twice changes nothing and writes nothing.
    before = AuditEntry.objects.count()
    membership.reactivate(admin, alice.id)
    assert AuditEntry.objects.count() == before


def test_a_deactivated_clinicians_roles_are_not_changed(admin: User, alice: User) -> None:
    membership.deactivate(admin, alice.id)
    with pytest.raises(StaffRuleError, match="reactivate them first"):
        membership.change_roles(admin, alice.id, {Role.SUPERVISOR})


# --- Who may ------------------------------------------------------------------------------


def test_only_a_clinic_admin_acts_and_only_on_their_own_clinic(
    admin: User, alice: User, bob: User, charlie: User
) -> None:
    for not_an_admin in (alice, charlie):  # charlie is told who administers Clinic B
        with pytest.raises(SettingsRefused):
            membership.deactivate(not_an_admin, bob.id)
    operator = make_clinician(None, "Server Operator", is_staff=True)
    with pytest.raises(Http404):
        membership.deactivate(operator, bob.id)  # no clinic at all: 404
    with pytest.raises(Http404):
        membership.deactivate(admin, charlie.id)
    with pytest.raises(Http404):
        membership.reactivate(admin, charlie.id)
    with pytest.raises(Http404):
        membership.change_roles(admin, charlie.id, {Role.SUPERVISOR})
    with pytest.raises(Http404):
        membership.deactivate(admin, "not-a-uuid")
    charlie.refresh_from_db()
    assert charlie.is_active
    assert not charlie.is_supervisor
    assert not ApiToken.objects.exists()


def test_the_emails_give_the_time_in_the_clinics_zone(
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    clinic = make_clinic("Harbour Practice", timezone="Australia/Sydney")
    admin = make_clinician(clinic, "Ada Admin", is_clinic_admin=True)
    tess = make_clinician(clinic, "Tess Therapist")
    with django_capture_on_commit_callbacks(execute=True):
        membership.change_roles(admin, tess.id, {Role.SUPERVISOR})
    entry = AuditEntry.objects.get(action="staff.roles.change")
    sydney = entry.at.astimezone(ZoneInfo("Australia/Sydney"))
    [message] = mail.outbox
    assert f"on {sydney.day} {sydney:%b %Y %H:%M} {sydney.tzname()}." in message.body
    assert sydney.tzname() in ("AEDT", "AEST")


def test_a_cancelled_invitation_is_audited_and_the_person_invited_is_told(
    admin: User, clinic_a: Clinic, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    invitation, _link = invitations.invite(
        clinic_a,
        email="tess@example.org",
        display_name="Tess Therapist",
        roles={Role.THERAPIST},
        invited_by=admin,
    )
    with django_capture_on_commit_callbacks(execute=True):
        membership.cancel_invitation(admin, invitation)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert AuditEntry.objects.filter(
        action="staff.invitation.cancel", object_id=str(invitation.id)
    ).exists()
    [message] = mail.outbox
    assert message.to == ["tess@example.org"]
    assert message.subject == "Your invitation to Rebond was cancelled"
    assert "Ada Admin cancelled your invitation to Clinic A on Rebond" in message.body
    assert "/enrol/" not in message.body
