"""Emergency (break-glass) access (SECURITY.md header point 5, AC-08): a clinic admin grants
one clinician a few hours on one case with a reason; it is audited, the case's clinicians are
told without clinical content, reads under it are distinct audit events, and it ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond import access
from rebond.access import SettingsRefused
from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple
from rebond.emergency import actions
from rebond.emergency.actions import GrantDraft
from rebond.emergency.models import EmergencyAccess
from rebond.lib.errors import ActionError
from rebond.test import make_clinician, make_couple, sign_in

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]
REASON = "Client at risk tonight; her therapist is on leave until Monday."


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)


@pytest.fixture
def couple(alice: User) -> Couple:
    return make_couple(alice, "Canary & Couple", partners=("Cara Canary", "Dev Canary"))


def grant(admin: User, couple: Couple, grantee: User, hours: int = 4) -> EmergencyAccess:
    return actions.grant_emergency_access(admin, GrantDraft(couple.id, grantee.id, REASON, hours))


def test_a_grant_opens_the_case_tells_its_clinicians_and_is_audited(
    client: Client,
    admin: User,
    alice: User,
    bob: User,
    couple: Couple,
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    case_url = reverse("case", kwargs={"couple_id": couple.id})
    sign_in(client, bob)
    assert client.get(case_url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        done = grant(admin, couple, bob)
    assert client.get(case_url).status_code == 200
    assert AuditEntry.objects.filter(action="emergency.grant", object_id=str(done.id)).exists()
    assert AuditEntry.objects.filter(action="emergency_read:case", actor=bob).count() == 1
    # Alice, the case's therapist, is told; the e-mail names no case, couple or reason.
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert "Ada Admin" in message.body
    assert "Bo" not in message.subject
    for secret in ("Canary", "risk", "leave", str(couple.id)):
        assert secret not in message.body
        assert secret not in message.subject


def test_it_ends_when_it_expires_or_when_the_admin_ends_it(
    client: Client, admin: User, bob: User, couple: Couple
) -> None:
    done = grant(admin, couple, bob)
    assert access.couples_for_clinician(bob).filter(id=couple.id).exists()
    EmergencyAccess.objects.filter(id=done.id).update(expires_at=now() - timedelta(seconds=1))
    assert not access.couples_for_clinician(bob).filter(id=couple.id).exists()

    again = grant(admin, couple, bob)
    sign_in(client, admin)
    response = client.post(reverse("emergency_access_end", kwargs={"grant_id": again.id}))
    assert response.status_code == 302
    assert not access.couples_for_clinician(bob).filter(id=couple.id).exists()
    assert AuditEntry.objects.filter(action="emergency.end", object_id=str(again.id)).exists()


def test_a_grant_needs_a_reason_a_limit_and_someone_not_on_the_case(
    admin: User, alice: User, bob: User, charlie: User, couple: Couple
) -> None:
    cases = [
        (GrantDraft(couple.id, bob.id, "because", 4), "reason"),
        (GrantDraft(couple.id, bob.id, REASON, 0), "hours"),
        (GrantDraft(couple.id, bob.id, REASON, 73), "hours"),
        (GrantDraft(couple.id, alice.id, REASON, 4), "grantee"),
        (GrantDraft(couple.id, charlie.id, REASON, 4), "grantee"),  # another clinic
    ]
    for draft, field in cases:
        with pytest.raises(ActionError) as refused:
            actions.grant_emergency_access(admin, draft)
        assert field in refused.value.errors, draft
    assert not EmergencyAccess.objects.exists()


def test_only_a_clinic_admin_grants_and_only_in_their_clinic(
    client: Client, admin: User, alice: User, bob: User, charlie: User, couple: Couple
) -> None:
    theirs = make_couple(charlie, "Other clinic couple")
    with pytest.raises(ActionError):
        actions.grant_emergency_access(admin, GrantDraft(theirs.id, bob.id, REASON, 4))
    for outsider in (alice, bob, charlie):
        sign_in(client, outsider)
        # Refused with the names of the clinic admins to ask (rebond/accounts/refusals.py).
        assert client.get(reverse("emergency_access")).status_code == 403
        data = {"case": couple.reference, "grantee": str(bob.id), "reason": REASON, "hours": "4"}
        assert client.post(reverse("emergency_access"), data).status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_the_admin_grants_through_the_page(
    client: Client, admin: User, bob: User, couple: Couple
) -> None:
    sign_in(client, admin)
    page = client.get(reverse("emergency_access"))
    assert page.status_code == 200
    refused = client.post(
        reverse("emergency_access"),
        {"case": couple.reference, "grantee": str(bob.id), "reason": "short", "hours": "4"},
    )
    assert refused.status_code == 400
    assert "Say why in at least 20 characters." in refused.content.decode()
    done = client.post(
        reverse("emergency_access"),
        {"case": couple.reference, "grantee": str(bob.id), "reason": REASON, "hours": "4"},
        follow=True,
    )
    assert done.status_code == 200
    assert "can open Canary &amp; Couple until" in done.content.decode()
    assert EmergencyAccess.objects.get().grantee == bob
    # A clinic admin does not see the case itself through being an admin.
    assert client.get(reverse("case", kwargs={"couple_id": couple.id})).status_code == 404


def test_granting_needs_a_fresh_password_and_second_factor(
    client: Client, admin: User, bob: User, couple: Couple
) -> None:
    from rebond.accounts import mfa

    sign_in(client, admin)
    session = client.session
    # The last full authentication, moved six minutes into the past.
    mfa.mark_session_verified(session, admin, at=now() - timedelta(minutes=6))
    session.save()
    data = {"case": couple.reference, "grantee": str(bob.id), "reason": REASON, "hours": "4"}
    response = client.post(reverse("emergency_access"), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reauthenticate"))
    assert not EmergencyAccess.objects.exists()


# --- A clinic admin's own access needs a second person (issue 15 D18) ----------------------


@pytest.fixture
def second_admin(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Max Admin", is_clinic_admin=True, is_therapist=False)


@pytest.fixture
def safety_lead(clinic_a: Clinic) -> User:
    return make_clinician(clinic_a, "Sam Lead", is_safety_lead=True)


def case_opens_for(user: User, couple: Couple) -> bool:
    return access.couples_for_clinician(user).filter(id=couple.id).exists()


def test_a_self_grant_waits_for_a_second_admin_or_safety_lead(
    admin: User,
    second_admin: User,
    safety_lead: User,
    bob: User,
    alice: User,
    couple: Couple,
    figures: Any,
    django_capture_on_commit_callbacks: CommitCapture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        pending = grant(admin, couple, admin)
    refusals = [not case_opens_for(admin, couple), not access.is_emergency_reader(admin, couple.id)]
    assert AuditEntry.objects.filter(action="emergency.request", object_id=str(pending.id)).exists()
    # The people who may approve are asked, without the case or the reason; nobody else is.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([second_admin.email, safety_lead.email])
    for message in mail.outbox:
        assert "Ada Admin" in message.body
        for secret in ("Canary", "risk", "leave", str(couple.id), couple.reference):
            assert secret not in f"{message.subject}\n{message.body}"
    mail.outbox.clear()

    # The grantee cannot approve themselves; a therapist who is neither approver cannot either.
    with pytest.raises(Http404):
        actions.approve_emergency_access(admin, pending.id)
    # A therapist who approves nothing is told who can (rebond/accounts/refusals.py).
    with pytest.raises(SettingsRefused):
        actions.approve_emergency_access(bob, pending.id)
    refusals.append(not case_opens_for(admin, couple))
    with django_capture_on_commit_callbacks(execute=True):
        approved = actions.approve_emergency_access(safety_lead, pending.id)
    assert (approved.approved_by, approved.is_live) == (safety_lead, True)
    assert case_opens_for(admin, couple)
    assert access.is_emergency_reader(admin, couple.id)
    entry = AuditEntry.objects.get(action="emergency.approve", object_id=str(pending.id))
    assert entry.actor == safety_lead
    # Once open, the case's clinicians are told, as for any grant.
    assert [m.to for m in mail.outbox] == [[alice.email]]
    figures.record("D18", "self-grants opened without a second approver", refusals.count(False))
    figures.record("D18", "self-grant approvals audited", 1)
    assert all(refusals)


def test_a_grant_to_someone_else_is_approved_by_the_granting_admin(
    admin: User, bob: User, couple: Couple
) -> None:
    done = grant(admin, couple, bob)
    assert (done.approved_by, done.is_live) == (admin, True)
    assert not AuditEntry.objects.filter(action="emergency.request").exists()


def test_only_an_approver_of_the_same_clinic_approves_and_only_once(
    client: Client,
    admin: User,
    second_admin: User,
    charlie: User,
    clinic_b: Clinic,
    couple: Couple,
) -> None:
    pending = grant(admin, couple, admin)
    other_admin = make_clinician(clinic_b, "Olga Admin", is_clinic_admin=True)
    url = reverse("emergency_access_approve", kwargs={"grant_id": pending.id})
    # Another clinic's therapist is refused before any grant is looked up (told whom to ask in
    # their own clinic); another clinic's admin finds no such grant.
    for outsider, status in ((charlie, 403), (other_admin, 404)):
        sign_in(client, outsider)
        assert client.post(url).status_code == status
    assert not EmergencyAccess.objects.get(id=pending.id).is_live
    sign_in(client, second_admin)
    page = client.get(reverse("emergency_access")).content.decode()
    assert "Waiting for approval" in page
    assert client.post(url, follow=True).status_code == 200
    assert EmergencyAccess.objects.get(id=pending.id).approved_by == second_admin
    again = client.post(url, follow=True)
    assert "already approved" in again.content.decode()
    assert AuditEntry.objects.filter(action="emergency.approve").count() == 1


def test_a_safety_lead_sees_the_requests_to_approve_but_cannot_grant(
    client: Client, admin: User, safety_lead: User, bob: User, couple: Couple
) -> None:
    grant(admin, couple, admin)
    sign_in(client, safety_lead)
    page = client.get(reverse("emergency_access")).content.decode()
    assert "Waiting for approval" in page
    assert "Grant emergency access" not in page
    data = {"case": couple.reference, "grantee": str(bob.id), "reason": REASON, "hours": "4"}
    refused = client.post(reverse("emergency_access"), data)
    assert refused.status_code == 403
    assert "Only clinic admins can change these settings" in refused.content.decode()
    assert EmergencyAccess.objects.count() == 1


def test_the_grant_page_lists_no_case_and_finds_one_by_reference(
    client: Client, admin: User, alice: User, bob: User, couple: Couple, figures: Any
) -> None:
    others = [make_couple(alice, f"Listed Label {n}") for n in range(3)]
    sign_in(client, admin)
    page = client.get(reverse("emergency_access")).content.decode()
    labels = [couple.label, *(c.label for c in others)]
    shown = [label for label in labels if label.replace("&", "&amp;") in page]
    figures.record("D18", "case labels on the grant page", len(shown))
    assert shown == []
    # The case page shows its reference, which the admin is given and types in.
    sign_in(client, alice)
    case_page = client.get(reverse("case", kwargs={"couple_id": couple.id})).content.decode()
    assert couple.reference in case_page
    sign_in(client, admin)
    data = {"grantee": str(bob.id), "reason": REASON, "hours": "4"}
    wrong = client.post(reverse("emergency_access"), {**data, "case": "0000-0000"})
    assert wrong.status_code == 400
    assert "No open case of this clinic has this reference." in wrong.content.decode()
    for typed in (couple.reference, couple.reference.lower().replace("-", ""), str(couple.id)):
        EmergencyAccess.objects.all().delete()
        done = client.post(reverse("emergency_access"), {**data, "case": typed}, follow=True)
        assert done.status_code == 200
        assert EmergencyAccess.objects.get().couple == couple


def test_a_reference_of_another_clinic_finds_nothing(admin: User, bob: User, charlie: User) -> None:
    theirs = make_couple(charlie, "Other clinic couple")
    assert actions.find_case(admin.clinic, theirs.reference) is None  # type: ignore[arg-type]
    assert actions.find_case(admin.clinic, str(theirs.id)) is None  # type: ignore[arg-type]


def test_who_may_not_approve_is_refused_before_the_step_up_however_old_their_login(
    client: Client, admin: User, second_admin: User, charlie: User, clinic_b: Clinic, couple: Couple
) -> None:
    from rebond.accounts import mfa

    pending = grant(admin, couple, admin)
    other_admin = make_clinician(clinic_b, "Olga Admin", is_clinic_admin=True)
    url = reverse("emergency_access_approve", kwargs={"grant_id": pending.id})
    # A login older than the step-up window: a step-up prompt would tell them the grant exists.
    for outsider, status in ((charlie, 403), (other_admin, 404), (admin, 404)):
        sign_in(client, outsider)
        session = client.session
        mfa.mark_session_verified(session, outsider, at=now() - timedelta(minutes=6))
        session.save()
        assert client.post(url).status_code == status
    # Someone who may approve is asked to step up first.
    sign_in(client, second_admin)
    session = client.session
    mfa.mark_session_verified(session, second_admin, at=now() - timedelta(minutes=6))
    session.save()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reauthenticate"))
    assert not EmergencyAccess.objects.get(id=pending.id).is_live
