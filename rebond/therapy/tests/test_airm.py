"""AIRM per injury (DOMAIN 7.4): its guards are enforced in the action, and through the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rebond.accounts.models import Clinic, User
from rebond.audit.models import AuditEntry
from rebond.couples import actions as couple_actions
from rebond.couples.models import SafetyConcern
from rebond.lib.errors import ActionError
from rebond.test import make_clinician, sign_in
from rebond.therapy import actions
from rebond.therapy.actions import RatingDraft
from rebond.therapy.models import AirmProgress, AirmTransition, TherapySettings
from rebond.therapy.tests.helpers import (
    affair,
    days_ago,
    held_session,
    make_case,
    partners_of,
    walk_to,
)

pytestmark = pytest.mark.django_db


def test_airm_cannot_start_while_the_affair_is_ongoing(alice: User) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple, ongoing=True)
    with pytest.raises(ActionError, match="ongoing"):
        actions.move_airm(alice, injury.id, "a1")
    assert not AirmTransition.objects.exists()
    assert not AirmProgress.objects.exclude(state="not_started").exists()


def test_the_page_refuses_it_too_and_says_why(client: Client, alice: User) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple, ongoing=True)
    sign_in(client, alice)
    page = client.get(reverse("therapy", args=[couple.id])).content.decode()
    assert "Cannot start yet" in page
    assert "recorded as ongoing" in page
    r = client.post(
        reverse("therapy_airm_move", args=[couple.id, injury.id]),
        {"to_state": "a1", "version": "1"},
    )
    assert r.status_code == 422
    assert "recorded as ongoing" in r.content.decode()
    assert not AirmTransition.objects.exists()


@pytest.mark.parametrize(
    ("level", "refused"),
    [
        (SafetyConcern.Level.LOW, False),
        (SafetyConcern.Level.MODERATE, True),
        (SafetyConcern.Level.HIGH, True),
    ],
)
def test_an_open_safety_concern_of_moderate_or_above_blocks_airm(
    alice: User, level: int, refused: bool
) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    a, b = partners_of(couple)
    concern = SafetyConcern.objects.create(
        couple=couple, subject_partner=a, other_partner=b, type="ipv", level=level, created_by=alice
    )
    if refused:
        with pytest.raises(ActionError, match="MODERATE or above"):
            actions.move_airm(alice, injury.id, "a1")
        SafetyConcern.objects.filter(id=concern.id).update(status=SafetyConcern.Status.CLOSED)
    actions.move_airm(alice, injury.id, "a1")
    assert AirmProgress.objects.get(injury=injury).state == "a1"


def test_a_concern_opened_midway_stops_the_next_step(alice: User) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    actions.move_airm(alice, injury.id, "a1")
    a, b = partners_of(couple)
    SafetyConcern.objects.create(
        couple=couple, subject_partner=a, other_partner=b, type="ipv", created_by=alice
    )
    with pytest.raises(ActionError, match="MODERATE or above"):
        actions.move_airm(alice, injury.id, "a2")
    # Suspending for safety is always possible, with a reason.
    actions.move_airm(alice, injury.id, "suspended_safety", reason="Concern under review")
    track = AirmProgress.objects.get(injury=injury)
    assert (track.state, track.resume_state) == ("suspended_safety", "a1")


def test_an_injury_not_formulated_as_an_attachment_injury_has_no_airm(alice: User) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    couple_actions.update_injury_formulation(
        alice,
        injury.id,
        is_attachment_injury=False,
        complex=False,
        ongoing=False,
        disclosure_state=injury.disclosure_state,
    )
    with pytest.raises(ActionError, match="not formulated"):
        actions.move_airm(alice, injury.id, "a1")


def test_the_eight_steps_lead_to_resolved_only_with_the_a8_marker_and_an_attestation(
    alice: User,
) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    walk_to(alice, couple, "WRE5")  # AIRM steps 5-8 follow de-escalation
    for state in ("a1", "a3", "a4", "a5", "a6", "a7", "a8"):  # A2 is optional
        actions.move_airm(alice, injury.id, state)
    with pytest.raises(ActionError, match="A8 marker"):
        actions.move_airm(alice, injury.id, "resolved", attest=True)
    held_session(alice, couple, [RatingDraft("AIRM.8", 2, injury_id=injury.id)])
    with pytest.raises(ActionError, match="attestation"):
        actions.move_airm(alice, injury.id, "resolved")
    done = actions.move_airm(alice, injury.id, "resolved", attest=True)
    assert [o.marker.code for o in done.evidence.all()] == ["AIRM.8"]
    track = AirmProgress.objects.get(injury=injury)
    assert track.state == "resolved"
    assert track.resolved_at is not None
    assert actions.airm_next_states(track) == []


def test_an_a8_rating_for_another_injury_does_not_resolve_this_one(alice: User) -> None:
    couple = make_case(alice)
    first, second = affair(alice, couple), affair(alice, couple)
    walk_to(alice, couple, "WRE5")
    for state in ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"):
        actions.move_airm(alice, first.id, state)
    held_session(alice, couple, [RatingDraft("AIRM.8", 2, injury_id=second.id)])
    with pytest.raises(ActionError, match="A8 marker"):
        actions.move_airm(alice, first.id, "resolved", attest=True)


def test_an_airm_rating_is_about_the_injurys_hurt_or_hurtful_partner(alice: User) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    hurt, hurtful = partners_of(couple)
    session = held_session(
        alice,
        couple,
        [
            RatingDraft("AIRM.1", 2, injury_id=injury.id, partner_id=hurtful.id),
            RatingDraft("AIRM.2", 1, injury_id=injury.id),
        ],
    )
    ratings = {o.marker.code: o.partner_id for o in session.observations.all()}
    assert ratings == {"AIRM.1": hurt.id, "AIRM.2": hurtful.id}


def test_a_track_without_a_step_for_the_clinics_number_of_sessions_is_stalled(
    alice: User, clinic_a: Clinic
) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    TherapySettings.objects.create(clinic=clinic_a, airm_stall_sessions=3)
    actions.move_airm(alice, injury.id, "a1", at=days_ago(30))
    held_session(alice, couple, at=days_ago(21))
    held_session(alice, couple, at=days_ago(14))
    assert AirmProgress.objects.get(injury=injury).state == "a1"
    held_session(alice, couple, at=days_ago(7))
    track = AirmProgress.objects.get(injury=injury)
    assert (track.state, track.resume_state) == ("stalled", "a1")
    flag = AirmTransition.objects.filter(injury=injury).last()
    assert flag is not None
    assert flag.by is None
    assert "consultation" in flag.reason
    # Resuming after the consultation needs a reason and goes back to the step it left.
    with pytest.raises(ActionError, match="reason"):
        actions.move_airm(alice, injury.id, "a1")
    actions.move_airm(alice, injury.id, "a1", reason="Discussed in supervision")
    assert AirmProgress.objects.get(injury=injury).state == "a1"


def test_cancelled_sessions_do_not_count_towards_a_stall(alice: User) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    actions.move_airm(alice, injury.id, "a1", at=days_ago(30))
    for day in (25, 20, 15, 10, 5):
        actions.record_session(
            alice,
            couple.id,
            actions.SessionDraft(occurred_at=days_ago(day), attendance="cancelled"),
        )
    assert AirmProgress.objects.get(injury=injury).state == "a1"


def test_the_default_stall_threshold_is_the_documented_four(alice: User) -> None:
    from rebond.therapy.selectors import stall_threshold

    assert alice.clinic_id is not None
    assert stall_threshold(alice.clinic_id) == TherapySettings.DEFAULT_AIRM_STALL_SESSIONS == 4


def test_only_a_clinic_admin_sets_the_threshold_within_bounds(
    client: Client, alice: User, clinic_a: object
) -> None:
    with pytest.raises(ActionError, match="clinic admin"):
        actions.set_stall_threshold(alice, 5)
    admin = make_clinician(alice.clinic, "Ada Admin", is_clinic_admin=True)
    with pytest.raises(ActionError, match="1 to 20"):
        actions.set_stall_threshold(admin, 0)
    sign_in(client, alice)
    assert client.get(reverse("therapy_settings")).status_code == 403
    sign_in(client, admin)
    r = client.post(reverse("therapy_settings"), {"airm_stall_sessions": "6"})
    assert r.status_code == 302
    assert TherapySettings.objects.get(clinic=alice.clinic).airm_stall_sessions == 6
    r = client.post(reverse("therapy_settings"), {"airm_stall_sessions": "99"})
    assert r.status_code == 422


def test_airm_steps_5_to_8_before_de_escalation_need_a_reason_which_is_audited(
    alice: User,
) -> None:
    # Issue 15 B9: AIRM steps 5-8 (the hurtful partner's engagement, remorse, comfort and the
    # antidote bonding event) follow de-escalation, the end of EFT Stage 1 (DOMAIN 7.3, 7.4).
    couple = make_case(alice)
    injury = affair(alice, couple)
    for state in ("a1", "a2", "a3", "a4"):
        actions.move_airm(alice, injury.id, state)  # steps 1-4: no warning
    with pytest.raises(ActionError, match="before de-escalation") as refused:
        actions.move_airm(alice, injury.id, "a5")
    assert "reason" in refused.value.errors
    assert AirmProgress.objects.get(injury=injury).state == "a4"
    moved = actions.move_airm(alice, injury.id, "a5", reason="Injury blocks all cycle work")
    assert (moved.is_override, moved.reason) == (True, "Injury blocks all cycle work")
    entry = AuditEntry.objects.get(action="therapy.airm.before_deescalation")
    assert entry.object_id == str(AirmProgress.objects.get(injury=injury).pk)
    assert "reason" in entry.fields
    # Once the couple has left Stage 1, steps 5-8 need no reason.
    walk_to(alice, couple, "WRE5")
    plain = actions.move_airm(alice, injury.id, "a6")
    assert (plain.is_override, plain.reason) == (False, "")


def test_the_page_warns_and_asks_for_the_reason(client: Client, alice: User) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    for state in ("a1", "a2", "a3", "a4"):
        actions.move_airm(alice, injury.id, state)
    sign_in(client, alice)
    page = client.get(reverse("therapy", args=[couple.id])).content.decode()
    assert "still in EFT Stage 1" in page
    url = reverse("therapy_airm_move", args=[couple.id, injury.id])
    version = str(AirmProgress.objects.get(injury=injury).version)
    r = client.post(url, {"to_state": "a5", "version": version})
    assert r.status_code == 422
    assert "before de-escalation" in r.content.decode()
    r = client.post(url, {"to_state": "a5", "version": version, "reason": "Clinical judgement"})
    assert r.status_code == 302
    assert AirmProgress.objects.get(injury=injury).state == "a5"
