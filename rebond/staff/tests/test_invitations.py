"""Invitations (rebond/staff/invitations.py): the account is made with the invitation and
cannot log in; the link is stored only as a keyed hash, works once, for 72 hours; a new link
kills the old one; cancelling ends it; each change is audited and e-mailed without clinical
content."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils.timezone import now
from pytest_django.fixtures import Settings

from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.staff import enrolment, invitations
from rebond.staff.models import Invitation
from rebond.test import PASSWORD, make_clinic, make_clinician

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    # Ada is Clinic A's admin: she invites.
    return make_clinician(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def invite_therapist(
    clinic: Clinic, admin: User | None, email: str = "tess@example.org"
) -> tuple[Invitation, str]:
    return invitations.invite(
        clinic,
        email=email,
        display_name="Tess Therapist",
        roles={User.Role.THERAPIST, User.Role.SAFETY_LEAD},
        invited_by=admin,
    )


def test_inviting_makes_an_account_that_cannot_log_in_with_its_roles(
    clinic_a: Clinic, admin: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation, link = invite_therapist(clinic_a, admin, email=" Tess@Example.org ")

    user = invitation.user
    assert user.email == "tess@example.org"
    assert user.clinic == clinic_a
    assert user.is_active
    assert not user.has_usable_password()
    assert (user.is_therapist, user.is_supervisor, user.is_safety_lead, user.is_clinic_admin) == (
        True,
        False,
        True,
        False,
    )
    assert link.startswith("http://127.0.0.1:8000/enrol/")
    assert invitation.expires_at - invitation.created_at == timedelta(hours=72)
    assert invitation.invited_by == admin
    assert invitation.is_usable
    assert invitation.status == "Waiting"
    assert invitations.find_usable(token_of(link)) == invitation
    # The invited person's own e-mail: clinic, link, expiry; nothing clinical.
    [message] = mail.outbox
    assert message.to == ["tess@example.org"]
    assert (
        "Ada Admin has invited you to Clinic A on Rebond, as therapist, safety lead."
        in message.body
    )
    assert link in message.body
    invitation.refresh_from_db()
    assert invitation.emailed_at is not None
    actions = list(AuditEntry.objects.order_by("sequence").values_list("action", "actor_id"))
    assert ("staff.account.create", admin.pk) in actions
    assert ("staff.invitation.create", admin.pk) in actions


def test_only_a_keyed_hash_of_the_token_is_stored(
    clinic_a: Clinic, admin: User, settings: Settings
) -> None:
    invitation, link = invite_therapist(clinic_a, admin)
    token = token_of(link)
    assert len(token) >= 43  # 256 bits
    assert invitation.token_hash != token
    assert invitation.token_hash != hashlib.sha256(token.encode()).hexdigest()  # keyed, not bare
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM staff_invitation")
        stored = repr(cursor.fetchall())
    assert token not in stored
    # A rotated SECRET_KEY keeps the link working while the old key is a fallback...
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert invitations.find_usable(token) == invitation
    # ...and not once the old key is gone.
    settings.SECRET_KEY_FALLBACKS = []
    assert invitations.find_usable(token) is None


def test_a_link_expires_after_72_hours(clinic_a: Clinic, admin: User) -> None:
    invitation, link = invite_therapist(clinic_a, admin)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=now() - timedelta(seconds=1))
    invitation.refresh_from_db()
    assert invitations.find_usable(token_of(link)) is None
    assert invitation.status == "Expired"
    assert enrolment.accept(invitation, PASSWORD) is None
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()
    # Still listed, so that the admin can send it again.
    assert list(invitations.pending_for(clinic_a)) == [invitation]


def test_a_link_sets_a_password_once(clinic_a: Clinic, admin: User) -> None:
    invitation, link = invite_therapist(clinic_a, admin)
    user = enrolment.accept(invitation, PASSWORD)
    assert user is not None
    assert user.check_password(PASSWORD)
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert invitation.status == "Accepted"
    assert invitations.find_usable(token_of(link)) is None
    # The same invitation (say a second tab of the same link) sets nothing more.
    assert enrolment.accept(invitation, "another password entirely") is None
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert list(invitations.pending_for(clinic_a)) == []
    entry = AuditEntry.objects.get(action="staff.invitation.accept")
    assert entry.actor == user
    assert entry.fields == ["password"]


def test_resending_kills_the_old_link_and_resets_the_expiry(
    clinic_a: Clinic, admin: User, django_capture_on_commit_callbacks: Capture
) -> None:
    invitation, old_link = invite_therapist(clinic_a, admin)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=now() - timedelta(hours=1))
    stale = Invitation.objects.get(pk=invitation.pk)  # as a browser session knew it
    with django_capture_on_commit_callbacks(execute=True):
        new_link = invitations.resend(Invitation.objects.get(pk=invitation.pk), by=admin)

    assert new_link != old_link
    assert invitations.find_usable(token_of(old_link)) is None
    renewed = invitations.find_usable(token_of(new_link))
    assert renewed is not None
    assert renewed.pk == invitation.pk
    assert renewed.expires_at > now() + timedelta(hours=71)
    # The old link's session cannot spend the renewed invitation either.
    assert enrolment.accept(stale, PASSWORD) is None
    assert [m.to for m in mail.outbox] == [["tess@example.org"]]
    assert new_link in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="staff.invitation.resend", actor=admin).count() == 1


def test_cancelling_ends_the_link_and_the_account_that_never_logged_in(
    clinic_a: Clinic, admin: User
) -> None:
    invitation, link = invite_therapist(clinic_a, admin)
    invitations.cancel(invitation, by=admin)
    assert invitations.find_usable(token_of(link)) is None
    assert enrolment.accept(invitation, PASSWORD) is None
    invitation.refresh_from_db()
    assert invitation.status == "Cancelled"
    assert not User.objects.get(pk=invitation.user_id).is_active
    assert list(invitations.pending_for(clinic_a)) == []
    with pytest.raises(ValidationError, match="already accepted or cancelled"):
        invitations.cancel(invitation, by=admin)
    with pytest.raises(ValidationError, match="already accepted or cancelled"):
        invitations.resend(invitation, by=admin)
    assert AuditEntry.objects.filter(action="staff.invitation.cancel", actor=admin).count() == 1

    # Invited again, the same account comes back with the new name and roles.
    again, _ = invitations.invite(
        clinic_a,
        email="tess@example.org",
        display_name="Tess T.",
        roles={User.Role.SUPERVISOR},
        invited_by=admin,
    )
    assert again.user_id == invitation.user_id
    user = User.objects.get(pk=again.user_id)
    assert user.is_active
    assert user.display_name == "Tess T."
    assert (user.is_therapist, user.is_supervisor) == (False, True)
    assert list(invitations.pending_for(clinic_a)) == [again]


def test_an_address_with_an_account_or_a_waiting_invitation_is_refused(
    clinic_a: Clinic, clinic_b: Clinic, admin: User
) -> None:
    colleague = make_clinician(clinic_a, "Bob Colleague")
    outsider = make_clinician(clinic_b, "Charlie Outsider")
    for email in (colleague.email, outsider.email.upper()):
        with pytest.raises(ValidationError) as refused:
            invite_therapist(clinic_a, admin, email=email)
        assert refused.value.message_dict == {"email": [invitations.TAKEN]}
    invite_therapist(clinic_a, admin)
    with pytest.raises(ValidationError) as refused:
        invite_therapist(clinic_a, admin)
    assert refused.value.message_dict == {"email": [invitations.ALREADY_INVITED]}
    # Clinic B cannot take over Clinic A's invitee either.
    bea = make_clinician(clinic_b, "Bea Admin", is_clinic_admin=True)
    with pytest.raises(ValidationError):
        invite_therapist(clinic_b, bea)
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"email": "not an address"}, {"email": ["not an address is not a valid e-mail address."]}),
        ({"display_name": "  "}, {"display_name": ["Enter the clinician's name."]}),
        (
            {"display_name": "Sam\u202ereivilo"},
            {"display_name": ["Remove the invisible text-direction characters from the name."]},
        ),
        ({"roles": set()}, {"roles": ["Choose at least one role."]}),
        ({"roles": {"therapist", "owner"}}, {"roles": ["Unknown role: owner."]}),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_written(
    clinic_a: Clinic, admin: User, fields: dict[str, Any], error: dict[str, list[str]]
) -> None:
    values: dict[str, Any] = {
        "email": "tess@example.org",
        "display_name": "Tess",
        "roles": {"therapist"},
        **fields,
    }
    users = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        invitations.invite(clinic_a, invited_by=admin, **values)
    assert refused.value.message_dict == error
    assert User.objects.count() == users
    assert Invitation.objects.count() == 0


def test_only_an_active_admin_of_the_clinic_may_invite_resend_or_cancel(
    clinic_a: Clinic, clinic_b: Clinic, admin: User
) -> None:
    therapist = make_clinician(clinic_a, "Alice Therapist")
    other_admin = make_clinician(clinic_b, "Bea Admin", is_clinic_admin=True)
    invitation, _ = invite_therapist(clinic_a, admin)
    # A therapist of the clinic is told only admins may (403); another clinic's admin gets 404.
    for stranger, refusal in ((therapist, PermissionDenied), (other_admin, Http404)):
        with pytest.raises(refusal):
            invite_therapist(clinic_a, stranger, email="new@example.org")
        with pytest.raises(refusal):
            invitations.resend(invitation, by=stranger)
        with pytest.raises(refusal):
            invitations.cancel(invitation, by=stranger)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    admin.refresh_from_db()
    with pytest.raises(Http404):
        invitations.cancel(invitation, by=admin)
    invitation.refresh_from_db()
    assert invitation.is_usable


def test_a_failed_e_mail_leaves_the_link_working_and_says_so(
    clinic_a: Clinic,
    admin: User,
    settings: Settings,
    django_capture_on_commit_callbacks: Capture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    with django_capture_on_commit_callbacks(execute=True):
        invitation, link = invite_therapist(clinic_a, admin)
    invitation.refresh_from_db()
    assert invitation.emailed_at is None
    assert invitations.find_usable(token_of(link)) == invitation
    [record] = [r for r in caplog.records if r.name == "rebond.staff.invitations"]
    assert str(invitation.pk) in record.getMessage()
    assert token_of(link) not in record.getMessage()
    assert "tess@example.org" not in record.getMessage()


def test_the_expiry_is_written_in_the_clinic_time_zone(
    admin: User, django_capture_on_commit_callbacks: Capture
) -> None:
    sydney = make_clinic("Harbour Sydney", timezone="Australia/Sydney")
    sydney_admin = make_clinician(sydney, "Sid Admin", is_clinic_admin=True)
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = invite_therapist(sydney, sydney_admin)
    expiry = invitations.local_expiry(invitation)
    assert expiry.endswith(("AEDT", "AEST"))
    assert expiry in mail.outbox[0].body
