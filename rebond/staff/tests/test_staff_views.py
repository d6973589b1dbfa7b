"""The staff pages (issue 16 item 3): who reaches them, step-up before the sensitive changes,
refusals that say why, and a deactivated colleague's next click refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import now

from rebond.accounts import mfa
from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.staff import invitations
from rebond.staff.models import Invitation
from rebond.test import make_clinic, make_clinician, make_couple, sign_in

pytestmark = pytest.mark.django_db

CommitCapture = Callable[..., Any]


@pytest.fixture
def admin(clinic_a: Clinic) -> User:
    # Ada runs Clinic A: a clinic admin with no clinical role, on no case.
    return make_clinician(clinic_a, "Ada Admin", is_clinic_admin=True, is_therapist=False)


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    sign_in(client, admin)
    return client


def age_authentication(client: Client, user: User, minutes: float) -> None:
    """Make the session's last full authentication `minutes` old (as in test_stepup.py)."""
    session = client.session
    mfa.mark_session_verified(session, user, at=now() - timedelta(minutes=minutes))
    session.save()


def reauthenticate_url(next_path: str) -> str:
    return reverse("reauthenticate") + "?next=" + quote(next_path, safe="")


def page(response: Any) -> str:
    return str(response.content.decode())


# --- The page and who reaches it ----------------------------------------------------------


def test_the_staff_page_lists_active_and_deactivated_clinicians_with_their_roles(
    admin_client: Client, clinic_a: Clinic, alice: User, charlie: User
) -> None:
    gone = make_clinician(clinic_a, "Gil Gone", is_supervisor=True, is_active=False)
    invited = make_clinician(clinic_a, "Ivy Invited")
    invited.set_unusable_password()
    invited.save()
    response = admin_client.get(reverse("staff"))
    assert response.status_code == 200
    body = page(response)
    active, deactivated = body.split('id="deactivated-title"')
    assert "Alice Therapist" in active
    assert 'Ada Admin <span class="muted">(you)</span>' in active
    assert "Clinic admin" in active
    assert "Gil Gone" in deactivated
    assert "Therapist, Supervisor" in deactivated
    assert reverse("staff_reactivate", args=[gone.id]) in deactivated
    assert "Ivy Invited" not in active  # an invitation, not a colleague yet
    assert "Charlie" not in body
    # The main navigation leads here.
    assert f'href="{reverse("staff")}" aria-current="page">Staff</a>' in body


def test_each_colleagues_row_links_to_reset_their_second_factor(
    admin_client: Client, admin: User, alice: User
) -> None:
    body = page(admin_client.get(reverse("staff")))
    assert reverse("staff_reset_second_factor", kwargs={"user_id": alice.id}) in body
    # Not one's own: that is the account page's business.
    assert reverse("staff_reset_second_factor", kwargs={"user_id": admin.id}) not in body


def test_another_clinician_is_told_who_manages_staff_and_a_clinicless_user_gets_404(
    client: Client, admin: User, alice: User, bob: User
) -> None:
    sign_in(client, alice)
    for url in (
        reverse("staff"),
        reverse("staff_roles", args=[bob.id]),
        reverse("staff_deactivate", args=[bob.id]),
        reverse("staff_reactivate", args=[bob.id]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "Ada Admin" in page(response)
    assert client.post(reverse("staff_deactivate", args=[bob.id])).status_code == 403
    bob.refresh_from_db()
    assert bob.is_active
    operator = make_clinician(None, "Server Operator", is_staff=True)
    sign_in(client, operator)
    assert client.get(reverse("staff")).status_code == 404


def test_a_clinic_admin_cannot_reach_another_clinics_clinician(
    admin_client: Client, charlie: User
) -> None:
    for name in ("staff_roles", "staff_deactivate", "staff_reactivate"):
        url = reverse(name, args=[charlie.id])
        assert admin_client.get(url).status_code == 404
        assert admin_client.post(url, {"roles": ["supervisor"]}).status_code == 404
    charlie.refresh_from_db()
    assert charlie.is_active
    assert not charlie.is_supervisor


# --- Roles --------------------------------------------------------------------------------


def test_an_admin_changes_roles_from_the_roles_page(
    admin_client: Client, alice: User, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    url = reverse("staff_roles", args=[alice.id])
    body = page(admin_client.get(url))
    assert 'value="therapist" aria-describedby="roles-roles_0-hint" checked' in body
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"roles": ["therapist", "safety_lead"]})
    assert response.status_code == 302
    assert response["Location"] == reverse("staff")
    alice.refresh_from_db()
    assert alice.is_safety_lead
    assert AuditEntry.objects.filter(action="staff.roles.change").count() == 1
    assert [m.to for m in mail.outbox] == [[alice.email]]
    follow = page(admin_client.get(reverse("staff")))
    assert "Alice Therapist&#x27;s roles are now: Therapist, Safety lead." in follow


def test_no_role_is_refused_with_a_clear_error_and_nothing_changes(
    admin_client: Client, alice: User
) -> None:
    response = admin_client.post(reverse("staff_roles", args=[alice.id]), {})
    assert response.status_code == 422
    body = page(response)
    assert "<title>Error: Roles of Alice Therapist" in body
    assert "Choose at least one role." in body
    alice.refresh_from_db()
    assert alice.is_therapist


def test_the_last_clinic_admin_removing_their_own_role_is_refused_with_a_clear_message(
    admin_client: Client, admin: User
) -> None:
    response = admin_client.post(reverse("staff_roles", args=[admin.id]), {"roles": ["therapist"]})
    assert response.status_code == 409
    assert "You are the clinic&#x27;s last active clinic admin" in page(response)
    admin.refresh_from_db()
    assert admin.is_clinic_admin


def test_an_admin_who_gives_up_the_role_goes_to_the_caseload(
    admin_client: Client, admin: User, clinic_a: Clinic
) -> None:
    make_clinician(clinic_a, "Other Admin", is_clinic_admin=True)
    response = admin_client.post(reverse("staff_roles", args=[admin.id]), {"roles": ["therapist"]})
    assert response["Location"] == reverse("caseload")
    assert admin_client.get(reverse("staff")).status_code == 403


def test_granting_clinic_admin_asks_to_re_authenticate_and_keeps_the_choice(
    admin_client: Client, admin: User, alice: User
) -> None:
    age_authentication(admin_client, admin, 6)
    url = reverse("staff_roles", args=[alice.id])
    response = admin_client.post(url, {"roles": ["therapist", "clinic_admin"]})
    assert response.status_code == 302
    assert response["Location"] == reauthenticate_url(url)
    alice.refresh_from_db()
    assert not alice.is_clinic_admin
    # Back from re-authenticating, the form shows what was chosen, to save again.
    age_authentication(admin_client, admin, 0)
    body = page(admin_client.get(url))
    assert "You confirmed it is you" in body
    assert 'value="clinic_admin" aria-describedby="roles-roles_3-hint" checked' in body
    assert admin_client.post(url, {"roles": ["therapist", "clinic_admin"]}).status_code == 302
    alice.refresh_from_db()
    assert alice.is_clinic_admin
    # The kept choice is used once only.
    assert "You confirmed it is you" not in page(admin_client.get(url))


def test_other_role_changes_need_no_step_up(admin_client: Client, admin: User, alice: User) -> None:
    age_authentication(admin_client, admin, 6)
    url = reverse("staff_roles", args=[alice.id])
    assert admin_client.post(url, {"roles": ["supervisor"]}).status_code == 302
    alice.refresh_from_db()
    assert (alice.is_therapist, alice.is_supervisor) == (False, True)


# --- Deactivation -------------------------------------------------------------------------


def test_deactivation_asks_to_re_authenticate_first(
    admin_client: Client, admin: User, alice: User
) -> None:
    age_authentication(admin_client, admin, 6)
    url = reverse("staff_deactivate", args=[alice.id])
    for method in (admin_client.get, admin_client.post):
        response = method(url)
        assert response.status_code == 302
        assert response["Location"] == reauthenticate_url(url)
    alice.refresh_from_db()
    assert alice.is_active


def test_a_deactivated_clinicians_open_session_is_refused_at_the_next_click(
    admin_client: Client, clinic_a: Clinic, alice: User, bob: User
) -> None:
    couple = make_couple(alice, "Rivera & Chen")
    couple.co_clinicians.add(bob)
    alices_browser = Client()
    sign_in(alices_browser, alice)
    case_url = reverse("case", kwargs={"couple_id": couple.id})
    assert alices_browser.get(case_url).status_code == 200
    url = reverse("staff_deactivate", args=[alice.id])
    body = page(admin_client.get(url))
    assert "Every open session ends at once" in body
    response = admin_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff")
    alice.refresh_from_db()
    assert not alice.is_active
    # Her next click: the login page, not the case.
    response = alices_browser.get(case_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert alices_browser.post(reverse("case_details", args=[couple.id])).status_code == 302
    assert AuditEntry.objects.filter(action="staff.deactivate", object_id=str(alice.id)).exists()
    # The case carries on with Bob.
    sign_in(alices_browser, bob)
    assert alices_browser.get(case_url).status_code == 200


def test_deactivating_the_only_clinician_on_active_cases_is_refused_listing_the_cases(
    admin_client: Client, alice: User
) -> None:
    first = make_couple(alice, "Rivera & Chen")
    second = make_couple(alice, "Okafor & Lind")
    url = reverse("staff_deactivate", args=[alice.id])
    for response in (admin_client.get(url), admin_client.post(url)):
        body = page(response)
        assert "<title>Error: Deactivate Alice Therapist" in body
        assert "Alice Therapist is the only clinician on 2 active cases" in body
        assert first.reference in body
        assert second.reference in body
        # Named by reference only: a clinic admin sees no case labels.
        assert "Rivera" not in body
        assert "Okafor" not in body
        assert 'type="submit">Deactivate' not in body
    assert response.status_code == 409
    alice.refresh_from_db()
    assert alice.is_active


def test_an_admin_deactivating_themselves_is_logged_out(
    admin_client: Client, clinic_a: Clinic, admin: User
) -> None:
    make_clinician(clinic_a, "Other Admin", is_clinic_admin=True)
    response = admin_client.post(reverse("staff_deactivate", args=[admin.id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    response = admin_client.get(reverse("staff"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_clinician_is_reactivated_after_a_confirmation(
    admin_client: Client, admin: User, alice: User
) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    url = reverse("staff_reactivate", args=[alice.id])
    age_authentication(admin_client, admin, 6)
    assert admin_client.post(url)["Location"].startswith(reverse("reauthenticate"))
    age_authentication(admin_client, admin, 0)
    assert "The cases they are still on open to them again." in page(admin_client.get(url))
    assert admin_client.post(url).status_code == 302
    alice.refresh_from_db()
    assert alice.is_active
    # Reactivating someone active: nothing to do, back to the staff page.
    response = admin_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff")


# --- Invitations --------------------------------------------------------------------------


def invite_tess(clinic: Clinic, by: User, **roles: bool) -> Invitation:
    invitation, _link = invitations.invite(
        clinic,
        email="tess@example.org",
        display_name="Tess Therapist",
        roles={role for role, wanted in roles.items() if wanted} or {User.Role.THERAPIST},
        invited_by=by,
    )
    return invitation


def test_an_admin_invites_a_clinician_from_the_invite_page(
    admin_client: Client, clinic_a: Clinic, django_capture_on_commit_callbacks: CommitCapture
) -> None:
    body = page(admin_client.get(reverse("staff_invite")))
    assert 'value="therapist" aria-describedby="invite-roles_0-hint" checked' in body
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("staff_invite"),
            {
                "display_name": "Tess Therapist",
                "email": "Tess@Example.org",
                "roles": ["therapist", "safety_lead"],
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff")
    invitation = Invitation.objects.get(clinic=clinic_a)
    assert invitation.user.email == "tess@example.org"
    assert (invitation.user.is_therapist, invitation.user.is_safety_lead) == (True, True)
    [message] = mail.outbox
    assert message.to == ["tess@example.org"]
    body = page(admin_client.get(reverse("staff")))
    waiting = body.split('id="invitations-title"')[1].split('id="deactivated-title"')[0]
    assert "Tess Therapist" in waiting
    assert "Therapist, Safety lead" in waiting
    assert "Invited by Ada Admin" in waiting


@pytest.mark.django_db(transaction=True)
def test_the_admin_is_told_the_invitation_went_out_and_until_when_in_the_clinics_time(
    client: Client,
) -> None:
    clinic = make_clinic("Harbour Practice", timezone="Australia/Sydney")
    admin = make_clinician(clinic, "Ada Admin", is_clinic_admin=True)
    sign_in(client, admin)
    response = client.post(
        reverse("staff_invite"),
        {"display_name": "Tess Therapist", "email": "tess@example.org", "roles": ["therapist"]},
        follow=True,
    )
    invitation = Invitation.objects.get()
    sydney = invitation.expires_at.astimezone(ZoneInfo("Australia/Sydney"))
    assert sydney.tzname() in ("AEDT", "AEST")
    body = page(response)
    assert (
        "Invitation sent to Tess Therapist (tess@example.org). The link works once, until "
        f"{invitations.local_expiry(invitation)}."
    ) in body
    # The list gives the same moment, in the clinic's zone.
    assert f"{sydney.day} {sydney:%b %Y %H:%M} {sydney.tzname()}" in body


@pytest.mark.django_db(transaction=True)
def test_the_admin_is_told_when_the_invitation_email_could_not_be_sent(
    client: Client, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    clinic = make_clinic("Clinic A")
    sign_in(client, make_clinician(clinic, "Ada Admin", is_clinic_admin=True))
    response = client.post(
        reverse("staff_invite"),
        {"display_name": "Tess Therapist", "email": "tess@example.org", "roles": ["therapist"]},
        follow=True,
    )
    body = page(response)
    assert "the e-mail could not be sent" in body
    assert "E-mail not sent" in body
    assert "/enrol/" not in body  # the link is never shown in the page


def test_an_address_that_already_has_an_account_is_refused_on_its_field(
    admin_client: Client, alice: User
) -> None:
    response = admin_client.post(
        reverse("staff_invite"),
        {"display_name": "Alice Again", "email": alice.email, "roles": ["therapist"]},
    )
    assert response.status_code == 422
    body = page(response)
    assert "<title>Error: Invite a clinician" in body
    assert 'href="#invite-email">This e-mail address already belongs to an account' in body
    assert 'value="Alice Again"' in body  # nothing typed is lost
    assert not Invitation.objects.exists()


def test_inviting_a_clinic_admin_asks_to_re_authenticate_and_keeps_what_was_typed(
    admin_client: Client, admin: User
) -> None:
    age_authentication(admin_client, admin, 6)
    url = reverse("staff_invite")
    data = {"display_name": "Nia New", "email": "nia@example.org", "roles": ["clinic_admin"]}
    response = admin_client.post(url, data)
    assert response["Location"] == reauthenticate_url(url)
    assert not Invitation.objects.exists()
    age_authentication(admin_client, admin, 0)
    body = page(admin_client.get(url))
    assert "You confirmed it is you" in body
    assert 'value="Nia New"' in body
    assert 'value="nia@example.org"' in body
    assert 'value="clinic_admin" aria-describedby="invite-roles_3-hint" checked' in body
    assert admin_client.post(url, data).status_code == 302
    assert Invitation.objects.get().user.is_clinic_admin


def test_an_invitation_is_sent_again_or_cancelled_from_the_staff_page(
    admin_client: Client, admin: User, clinic_a: Clinic
) -> None:
    invitation = invite_tess(clinic_a, admin)
    old_hash = invitation.token_hash
    resend = reverse("staff_invitation_resend", args=[invitation.user_id])
    assert admin_client.post(resend).status_code == 302
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    cancel = reverse("staff_invitation_cancel", args=[invitation.user_id])
    assert admin_client.post(cancel).status_code == 302
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    body = page(admin_client.get(reverse("staff")))
    assert "The invitation of Tess Therapist is cancelled" in body
    assert "No invitation is waiting." in body
    assert "Tess Therapist</th>" not in body  # nor listed as deactivated staff
    assert {"staff.invitation.resend", "staff.invitation.cancel"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )
    # Again: nothing left to cancel, said calmly.
    response = admin_client.post(cancel, follow=True)
    assert "That invitation was already accepted or cancelled." in page(response)


def test_another_clinics_invitation_cannot_be_sent_again_or_cancelled(
    admin_client: Client, clinic_b: Clinic
) -> None:
    their_admin = make_clinician(clinic_b, "Bea Admin", is_clinic_admin=True)
    invitation = invite_tess(clinic_b, their_admin)
    for name in ("staff_invitation_resend", "staff_invitation_cancel"):
        assert admin_client.post(reverse(name, args=[invitation.user_id])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
    assert invitation.is_usable


def test_the_staff_page_costs_the_same_queries_however_many_people_it_lists(
    admin_client: Client, admin: User, clinic_a: Clinic
) -> None:
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("staff")).status_code == 200
        return len(captured)

    invite_tess(clinic_a, admin)
    few = queries_for_page()
    for n in range(5):
        make_clinician(clinic_a, f"Colleague {n}")
        make_clinician(clinic_a, f"Former {n}", is_active=False)
        invitations.invite(
            clinic_a,
            email=f"new{n}@example.org",
            display_name=f"New {n}",
            roles={User.Role.THERAPIST},
            invited_by=admin,
        )
    assert queries_for_page() == few
