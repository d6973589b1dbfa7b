"""Emergency (break-glass) access (SECURITY.md header point 5, AC-08): a clinic admin grants
one clinician a few hours on one case with a reason; it is audited, the case's clinicians are
told without clinical content, reads under it are distinct audit events, and it ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import access
from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.couples.models import Couple
from rebond.emergency import actions
from rebond.emergency.actions import EmergencyError, GrantDraft
from rebond.emergency.models import EmergencyAccess
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
        with pytest.raises(EmergencyError) as refused:
            actions.grant_emergency_access(admin, draft)
        assert field in refused.value.errors, draft
    assert not EmergencyAccess.objects.exists()


def test_only_a_clinic_admin_grants_and_only_in_their_clinic(
    client: Client, admin: User, alice: User, bob: User, charlie: User, couple: Couple
) -> None:
    theirs = make_couple(charlie, "Other clinic couple")
    with pytest.raises(EmergencyError):
        actions.grant_emergency_access(admin, GrantDraft(theirs.id, bob.id, REASON, 4))
    for outsider in (alice, bob, charlie):
        sign_in(client, outsider)
        # Refused with the names of the clinic admins to ask (rebond/accounts/refusals.py).
        assert client.get(reverse("emergency_access")).status_code == 403
        data = {"couple": str(couple.id), "grantee": str(bob.id), "reason": REASON, "hours": "4"}
        assert client.post(reverse("emergency_access"), data).status_code == 403
    assert not EmergencyAccess.objects.exists()


def test_the_admin_grants_through_the_page(
    client: Client, admin: User, bob: User, couple: Couple
) -> None:
    sign_in(client, admin)
    page = client.get(reverse("emergency_access"))
    assert page.status_code == 200
    assert "Canary &amp; Couple" in page.content.decode()
    refused = client.post(
        reverse("emergency_access"),
        {"couple": str(couple.id), "grantee": str(bob.id), "reason": "short", "hours": "4"},
    )
    assert refused.status_code == 400
    assert "Say why in at least 20 characters." in refused.content.decode()
    done = client.post(
        reverse("emergency_access"),
        {"couple": str(couple.id), "grantee": str(bob.id), "reason": REASON, "hours": "4"},
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
    data = {"couple": str(couple.id), "grantee": str(bob.id), "reason": REASON, "hours": "4"}
    response = client.post(reverse("emergency_access"), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reauthenticate"))
    assert not EmergencyAccess.objects.exists()
