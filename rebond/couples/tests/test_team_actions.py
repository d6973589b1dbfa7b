"""The case team's use cases (issue 16 item 5): who may change a team, whom they may add, and
what each change leaves behind (the team, its history, the audit trail, the e-mails, the open
alerts of a handover).

Personas: Alice is the primary clinician of the Rivera & Chen case; Bob and Dina are
therapists of Clinic A, Sue a supervisor there, Ada its clinic admin (no clinical role, on no
case); Charlie works at Clinic B.
"""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.http import Http404

from rebond.access import (
    CaseTeam,
    TeamChangeRefused,
    alerts_for_clinician,
    get_case_team,
    get_couple_for_clinician,
)
from rebond.accounts.models import Clinic, TOTPDevice, User
from rebond.alerts.models import Alert, AlertNotification
from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF, raise_alert
from rebond.audit.models import AuditEntry
from rebond.couples import team
from rebond.couples.models import Couple, TeamChange
from rebond.couples.tests.helpers import assert_no_values_in_audit, case_with_everything
from rebond.crypto.envelope import is_blob
from rebond.crypto.tests.test_fields import raw
from rebond.lib.errors import ActionError
from rebond.test import ensure_totp_device, make_clinician

# Real commits: the e-mails are sent after the change commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Sam asked for evening sessions; the safety plan was reviewed on Monday."


def enrolled(clinic: Clinic, name: str, **roles: bool) -> User:
    """Return an active clinician of the clinic who has finished enrolling."""
    clinician = make_clinician(clinic, name, **roles)
    ensure_totp_device(clinician)
    return clinician


@pytest.fixture
def couple(alice: User) -> Couple:
    ensure_totp_device(alice)
    return case_with_everything(alice)


@pytest.fixture
def dina(clinic_a: Clinic) -> User:
    return enrolled(clinic_a, "Dina Therapist")


@pytest.fixture
def sue(clinic_a: Clinic) -> User:
    return enrolled(clinic_a, "Sue Supervisor", is_supervisor=True)


@pytest.fixture
def ada(clinic_a: Clinic) -> User:
    return enrolled(clinic_a, "Ada Admin", is_therapist=False, is_clinic_admin=True)


@pytest.fixture(autouse=True)
def _bob_enrolled(bob: User) -> None:
    ensure_totp_device(bob)


def co_therapists(couple: Couple) -> set[User]:
    return set(Couple.objects.get(pk=couple.pk).co_clinicians.all())


def sees_case(user: User, couple: Couple) -> bool:
    try:
        get_couple_for_clinician(User.objects.get(pk=user.pk), couple.id)
    except Http404:
        return False
    return True


# --- Adding and removing a co-therapist -------------------------------------------------------


def test_the_primary_adds_a_co_therapist_who_can_open_the_case_at_once(
    alice: User, bob: User, couple: Couple
) -> None:
    assert not sees_case(bob, couple)
    change = team.add_co_therapist(alice, couple.id, bob.id)
    assert co_therapists(couple) == {bob}
    assert sees_case(bob, couple)
    assert (change.kind, change.clinician, change.by) == ("co_therapist_added", bob, alice)
    entry = AuditEntry.objects.get(action="couples.team.co_therapist_added")
    assert (entry.actor, entry.object_id, entry.fields) == (
        alice,
        str(change.id),
        ["co_clinicians"],
    )
    # Bob is told, with the case's reference only; Alice made the change and is not.
    [message] = mail.outbox
    assert message.to == [bob.email]
    assert message.subject == "You were added to a case team"
    assert couple.reference in message.body
    for private in ("Rivera", "Chen", "Sam", "Alex"):
        assert private not in f"{message.subject} {message.body}"


def test_a_clinic_admin_off_the_case_adds_a_co_therapist_and_the_primary_is_told(
    alice: User, bob: User, ada: User, couple: Couple
) -> None:
    team.add_co_therapist(ada, couple.id, bob.id)
    assert co_therapists(couple) == {bob}
    assert not sees_case(ada, couple)  # managing a team opens nothing to the admin
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {bob.email, alice.email}
    told = by_address[alice.email]
    assert told.subject == "Your case team was changed"
    assert f"Ada Admin added Bob Colleague to the team of case {couple.reference}" in told.body


def test_removing_a_co_therapist_ends_their_access_and_tells_them(
    alice: User, bob: User, couple: Couple
) -> None:
    team.add_co_therapist(alice, couple.id, bob.id)
    mail.outbox.clear()
    team.remove_co_therapist(alice, couple.id, bob.id)
    assert co_therapists(couple) == set()
    assert not sees_case(bob, couple)
    [message] = mail.outbox
    assert message.to == [bob.email]
    assert "you no longer have access to it" in message.body
    assert AuditEntry.objects.filter(action="couples.team.co_therapist_removed").count() == 1


def test_removing_someone_who_is_not_a_co_therapist_is_refused(
    alice: User, bob: User, couple: Couple
) -> None:
    with pytest.raises(ActionError) as refused:
        team.remove_co_therapist(alice, couple.id, bob.id)
    assert refused.value.errors == {
        "clinician": ["Bob Colleague is not a co-therapist on this case."]
    }
    assert not TeamChange.objects.exists()


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("charlie", "Choose a clinician of this clinic."),
        ("nobody", "Choose a clinician of this clinic."),
        ("not an id", "Choose a clinician of this clinic."),
        ("deactivated", "Dee Gone is deactivated: only active clinicians can join a case team."),
        (
            "invited",
            "Ivy Invited has not finished enrolling (password and second factor) yet: they can"
            " join a case team once they have.",
        ),
        (
            "admin only",
            "Ada Admin does not have the therapist role; a clinic admin can give it to them.",
        ),
        ("primary", "Alice Therapist is already this case's primary clinician."),
    ],
)
def test_only_active_enrolled_therapists_of_the_clinic_can_be_added(
    alice: User, charlie: User, ada: User, clinic_a: Clinic, couple: Couple, who: str, message: str
) -> None:
    dee = enrolled(clinic_a, "Dee Gone")
    User.objects.filter(pk=dee.pk).update(is_active=False)
    ivy = make_clinician(clinic_a, "Ivy Invited")  # no second factor yet
    ids: dict[str, uuid.UUID | str] = {
        "charlie": charlie.id,
        "nobody": "00000000-0000-4000-8000-000000000000",
        "not an id": "robert'); drop table",
        "deactivated": dee.id,
        "invited": ivy.id,
        "admin only": ada.id,
        "primary": alice.id,
    }
    with pytest.raises(ActionError) as refused:
        team.add_co_therapist(alice, couple.id, ids[who])
    assert refused.value.errors == {"clinician": [message]}
    assert co_therapists(couple) == set()
    assert not TeamChange.objects.exists()
    assert mail.outbox == []


def test_an_unconfirmed_authenticator_is_not_enrolment(
    alice: User, clinic_a: Clinic, couple: Couple
) -> None:
    ivy = make_clinician(clinic_a, "Ivy Invited")
    TOTPDevice.objects.create(user=ivy, secret="JBSWY3DPEHPK3PXP", confirmed=False)
    with pytest.raises(ActionError, match="has not finished enrolling"):
        team.add_co_therapist(alice, couple.id, ivy.id)


def test_a_clinic_admin_off_the_case_cannot_add_themselves(
    clinic_a: Clinic, alice: User, couple: Couple
) -> None:
    # An admin who is also a therapist: the team would open the case to them alone, which
    # emergency access refuses without a second approver.
    ada = enrolled(clinic_a, "Ada Admin", is_clinic_admin=True)
    ada_id = ada.id
    offered = team.candidates(ada, team_of(ada, couple))
    assert ada not in offered.co_therapists + offered.new_primaries
    with pytest.raises(ActionError, match="you cannot add yourself"):
        team.add_co_therapist(ada, couple.id, ada_id)
    with pytest.raises(ActionError) as refused:
        team.hand_over(ada, couple.id, ada_id, note=NOTE, previous_stays=True)
    assert "you cannot add yourself" in refused.value.errors["new_primary"][0]
    # Another admin, or the primary clinician, can.
    other_admin = enrolled(clinic_a, "Otto Admin", is_therapist=False, is_clinic_admin=True)
    team.add_co_therapist(other_admin, couple.id, ada_id)
    assert sees_case(ada, couple)


def team_of(user: User, couple: Couple) -> CaseTeam:
    return get_case_team(user, couple.id)


# --- Who may change a team --------------------------------------------------------------------


def test_a_co_therapist_or_the_supervisor_may_not_change_the_team(
    alice: User, bob: User, dina: User, sue: User, couple: Couple
) -> None:
    team.add_co_therapist(alice, couple.id, bob.id)
    team.set_supervisor(alice, couple.id, sue.id)
    for member in (bob, sue):
        with pytest.raises(TeamChangeRefused):
            team.add_co_therapist(member, couple.id, dina.id)
        with pytest.raises(TeamChangeRefused):
            team.hand_over(member, couple.id, dina.id, note=NOTE, previous_stays=True)
    assert co_therapists(couple) == {bob}


def test_clinicians_off_the_case_and_another_clinics_admin_get_a_404(
    alice: User, bob: User, dina: User, charlie: User, clinic_b: Clinic, couple: Couple
) -> None:
    admin_b = enrolled(clinic_b, "Bea Admin", is_clinic_admin=True)
    for outsider in (bob, charlie, admin_b):
        with pytest.raises(Http404):
            team.add_co_therapist(outsider, couple.id, dina.id)
        with pytest.raises(Http404):
            team.remove_supervisor(outsider, couple.id)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    with pytest.raises(Http404):
        team.add_co_therapist(User.objects.get(pk=alice.pk), couple.id, dina.id)
    assert co_therapists(couple) == set()


# --- The supervisor ---------------------------------------------------------------------------


def test_the_supervisor_is_assigned_replaced_and_removed(
    alice: User, sue: User, clinic_a: Clinic, couple: Couple
) -> None:
    stan = enrolled(clinic_a, "Stan Supervisor", is_supervisor=True)
    team.set_supervisor(alice, couple.id, sue.id)
    assert sees_case(sue, couple)
    mail.outbox.clear()
    change = team.set_supervisor(alice, couple.id, stan.id)
    assert change.previous == sue
    assert not sees_case(sue, couple)
    assert sees_case(stan, couple)
    assert {m.to[0]: m.subject for m in mail.outbox} == {
        stan.email: "You supervise a case",
        sue.email: "You no longer supervise a case",
    }
    team.remove_supervisor(alice, couple.id)
    assert Couple.objects.get(pk=couple.pk).supervisor is None
    assert not sees_case(stan, couple)
    with pytest.raises(ActionError, match="no supervisor to remove"):
        team.remove_supervisor(alice, couple.id)


def test_a_supervisor_needs_the_supervisor_role_and_must_not_treat_the_case(
    alice: User, bob: User, clinic_a: Clinic, couple: Couple
) -> None:
    with pytest.raises(ActionError) as refused:
        team.set_supervisor(alice, couple.id, bob.id)
    assert refused.value.errors == {
        "supervisor": [
            "Bob Colleague does not have the supervisor role; a clinic admin can give it to them."
        ]
    }
    User.objects.filter(pk=alice.pk).update(is_supervisor=True)
    with pytest.raises(ActionError, match="already this case's primary clinician"):
        team.set_supervisor(alice, couple.id, alice.id)


# --- Handing the case over --------------------------------------------------------------------


def test_a_handover_needs_a_note_kept_encrypted_and_never_audited_or_e_mailed(
    alice: User, bob: User, couple: Couple
) -> None:
    with pytest.raises(ActionError) as refused:
        team.hand_over(alice, couple.id, bob.id, note="  ", previous_stays=True)
    assert refused.value.errors == {
        "note": ["Write a handover note for Bob Colleague: what they need to take it on."]
    }
    change = team.hand_over(alice, couple.id, bob.id, note=NOTE, previous_stays=True)
    assert TeamChange.objects.get(pk=change.pk).note == NOTE
    stored = raw(TeamChange, "note", change.pk)
    assert "evening" not in stored
    assert is_blob(stored)
    entry = AuditEntry.objects.get(action="couples.team.handed_over")
    assert entry.fields == ["co_clinicians", "note", "primary_clinician"]
    assert_no_values_in_audit(NOTE, "evening")
    for message in mail.outbox:
        assert "evening" not in message.body


def test_the_old_primary_stays_as_a_co_therapist_or_leaves_the_team(
    alice: User, bob: User, dina: User, couple: Couple
) -> None:
    team.hand_over(alice, couple.id, bob.id, note=NOTE, previous_stays=True)
    couple.refresh_from_db()
    assert couple.primary_clinician == bob
    assert co_therapists(couple) == {alice}
    assert sees_case(alice, couple)
    # Bob hands it on to Dina, and Bob leaves; Alice stays a co-therapist.
    mail.outbox.clear()
    team.hand_over(bob, couple.id, dina.id, note=NOTE, previous_stays=False)
    couple.refresh_from_db()
    assert couple.primary_clinician == dina
    assert co_therapists(couple) == {alice}
    assert not sees_case(bob, couple)
    [message] = mail.outbox  # Bob handed it over himself: only Dina is told
    assert (message.to, message.subject) == ([dina.email], "A case was handed over to you")
    assert "The handover note is on the case page, in Rebond only." in message.body


def test_a_co_therapist_takes_the_case_over_and_leaves_the_co_therapists(
    alice: User, bob: User, ada: User, couple: Couple
) -> None:
    team.add_co_therapist(alice, couple.id, bob.id)
    mail.outbox.clear()
    team.hand_over(ada, couple.id, bob.id, note=NOTE, previous_stays=False)
    couple.refresh_from_db()
    assert couple.primary_clinician == bob
    assert co_therapists(couple) == set()
    assert not sees_case(alice, couple)
    told = {m.to[0]: m for m in mail.outbox}
    assert set(told) == {alice.email, bob.email}
    assert told[alice.email].subject == "One of your cases was handed over"
    assert "You are no longer on its team and no longer have access to it." in (
        told[alice.email].body
    )


def test_a_deactivated_primary_is_handed_over_and_cannot_stay(
    alice: User, bob: User, ada: User, couple: Couple
) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    with pytest.raises(ActionError) as refused:
        team.hand_over(ada, couple.id, bob.id, note=NOTE, previous_stays=True)
    assert refused.value.errors == {
        "previous_stays": ["Alice Therapist is deactivated and cannot stay on the team."]
    }
    team.hand_over(ada, couple.id, bob.id, note=NOTE, previous_stays=False)
    assert Couple.objects.get(pk=couple.pk).primary_clinician == bob
    assert [m.to for m in mail.outbox] == [[bob.email]]  # nothing to a deactivated account


# --- Open alerts follow the case to its new primary -------------------------------------------


def test_the_new_primary_becomes_a_recipient_of_the_cases_open_alerts(
    alice: User, bob: User, couple: Couple
) -> None:
    closed = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    Alert.objects.filter(pk=closed.pk).update(status=Alert.Status.CLOSED)
    acknowledged = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    Alert.objects.filter(pk=acknowledged.pk).update(status=Alert.Status.ACKNOWLEDGED)
    still_open = raise_alert(alice, couple, ITEM9_MORE_THAN_HALF)
    mail.outbox.clear()
    team.hand_over(alice, couple.id, bob.id, note=NOTE, previous_stays=False)
    # The alerts still open reach Bob; the closed one stays with whoever it went to.
    assert set(bob.alerts.all()) == {acknowledged, still_open}
    # Bob is nudged once, for the alert nobody has acknowledged; no clinical content.
    nudges = AlertNotification.objects.filter(recipient=bob)
    assert [(n.alert_id, n.kind) for n in nudges] == [(still_open.id, "new")]
    assert AuditEntry.objects.filter(action="alerts.alert.address").count() == 2
    assert "You have a priority item in Rebond" in [m.subject for m in mail.outbox]
    # Alice left the team: the alerts she received are out of her reach with the case.
    assert not alerts_for_clinician(User.objects.get(pk=alice.pk)).exists()
    assert set(alerts_for_clinician(bob)) == {closed, acknowledged, still_open} - {closed}
