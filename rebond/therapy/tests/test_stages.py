"""EFT stages and steps (DOMAIN 7.3): gates enforced in the action, moves append-only."""

from __future__ import annotations

import pytest

from rebond.accounts.models import User
from rebond.couples import actions as couple_actions
from rebond.couples.models import CaseTransition, Couple
from rebond.lib.errors import ActionError
from rebond.therapy import actions
from rebond.therapy.actions import RatingDraft
from rebond.therapy.models import StageProgress, StageTransition
from rebond.therapy.tests.helpers import (
    affair,
    deescalation_ratings,
    held_session,
    make_case,
    partners_of,
    walk_to,
)

pytestmark = pytest.mark.django_db


def test_a_couple_starts_at_step_one(alice: User) -> None:
    couple = make_case(alice)
    progress = actions.ensure_stage_progress(couple)
    assert (progress.stage, progress.step, progress.stage2_event) == (1, 1, "none")


def test_leaving_stage_one_needs_deescalation_markers_for_both_partners(alice: User) -> None:
    couple = make_case(alice)
    walk_to(alice, couple, "S4")
    a, b = partners_of(couple)
    # Only partner A is rated: the gate names what is missing for B and refuses the move.
    held_session(alice, couple, [r for r in deescalation_ratings(couple) if r.partner_id == a.id])
    with pytest.raises(ActionError) as refused:
        actions.move_stage(alice, couple.id, "WRE5", attest=True)
    assert f"for {b.display_name}" in str(refused.value)
    assert StageProgress.objects.get(couple=couple).position == "S4"

    held_session(alice, couple, deescalation_ratings(couple))
    move = actions.move_stage(alice, couple.id, "WRE5", attest=True)
    assert (move.from_position, move.to_position, move.is_override) == ("S4", "WRE5", False)
    assert move.evidence.count() == 8  # markers 1-4 for both partners
    progress = StageProgress.objects.get(couple=couple)
    assert (progress.stage, progress.step, progress.stage2_event) == (2, 5, "wre_in_progress")


def test_a_deescalation_marker_rated_zero_later_does_not_open_the_gate(alice: User) -> None:
    couple = make_case(alice)
    walk_to(alice, couple, "S4")
    held_session(alice, couple, deescalation_ratings(couple, 1))
    a, _ = partners_of(couple)
    held_session(alice, couple, [RatingDraft("EFT.DEESC.2", 0, partner_id=a.id)])
    with pytest.raises(ActionError, match="De-escalation marker 2"):
        actions.move_stage(alice, couple.id, "WRE5", attest=True)


def test_a_new_stage_needs_the_clinicians_attestation(alice: User) -> None:
    couple = make_case(alice)
    walk_to(alice, couple, "S4")
    held_session(alice, couple, deescalation_ratings(couple))
    with pytest.raises(ActionError, match="attestation"):
        actions.move_stage(alice, couple.id, "WRE5")


def test_an_unmet_gate_can_be_overridden_only_with_a_reason(alice: User) -> None:
    couple = make_case(alice)
    walk_to(alice, couple, "S4")
    with pytest.raises(ActionError, match="reason"):
        actions.move_stage(alice, couple.id, "WRE5", attest=True, override=True)
    move = actions.move_stage(
        alice, couple.id, "WRE5", attest=True, override=True, reason="Clear in session 6"
    )
    assert move.is_override
    assert len(move.unmet_gates) == 8
    assert move.reason == "Clear in session 6"


def test_stage_three_needs_a_bonding_event_rated_two(alice: User) -> None:
    couple = make_case(alice)
    walk_to(alice, couple, "BLS7")
    held_session(alice, couple, [RatingDraft("EFT.STEP.7", 1)])
    with pytest.raises(ActionError, match="bonding event"):
        actions.move_stage(alice, couple.id, "S8", attest=True)
    held_session(alice, couple, [RatingDraft("EFT.STEP.7", 2)])
    move = actions.move_stage(alice, couple.id, "S8", attest=True)
    assert move.to_stage == 3
    assert [o.marker.code for o in move.evidence.all()] == ["EFT.STEP.7"]


def test_blamer_softening_waits_for_an_attachment_injury_under_way(alice: User) -> None:
    couple = make_case(alice)
    injury = affair(alice, couple)
    actions.move_airm(alice, injury.id, "a1")
    walk_to(alice, couple, "WRE7")
    with pytest.raises(ActionError, match="not resolved yet"):
        actions.move_stage(alice, couple.id, "BLS5")


def test_a_move_back_is_a_regression_that_needs_a_reason_and_keeps_history(alice: User) -> None:
    couple = make_case(alice)
    walk_to(alice, couple, "WRE6")
    with pytest.raises(ActionError, match="reason"):
        actions.move_stage(alice, couple.id, "S2")
    back = actions.move_stage(alice, couple.id, "S2", reason="Re-escalation after a disclosure")
    assert back.is_regression
    history = list(
        StageTransition.objects.filter(couple=couple).values_list("to_position", flat=True)
    )
    assert history == ["S2", "S3", "S4", "WRE5", "WRE6", "S2"]
    with pytest.raises(PermissionError):
        back.save()


def test_a_move_from_a_stale_page_is_refused(alice: User) -> None:
    couple = make_case(alice)
    version = actions.ensure_stage_progress(couple).version
    actions.move_stage(alice, couple.id, "S2", expected_version=version)
    with pytest.raises(ActionError, match="reload the page"):
        actions.move_stage(alice, couple.id, "S3", expected_version=version)
    assert StageProgress.objects.get(couple=couple).position == "S2"


def test_a_position_not_offered_is_refused(alice: User) -> None:
    couple = make_case(alice)
    with pytest.raises(ActionError, match="Choose one of the steps"):
        actions.move_stage(alice, couple.id, "NOPE")
    with pytest.raises(ActionError, match="Choose one of the steps"):
        actions.move_stage(alice, couple.id, "S1")


def test_a_colleague_off_the_case_cannot_move_it(alice: User, bob: User, charlie: User) -> None:
    from django.http import Http404

    couple = make_case(alice)
    for outsider in (bob, charlie):
        with pytest.raises(Http404):
            actions.move_stage(outsider, couple.id, "S2")
    assert not StageTransition.objects.exists()


# --- The case-closing guard (rebond/couples/actions.py) ---------------------------------------


def _active(alice: User) -> Couple:
    couple = make_case(alice)
    Couple.objects.filter(id=couple.id).update(status=Couple.Status.CONJOINT_ACTIVE)
    couple.refresh_from_db()
    return couple


def test_ending_or_closing_a_case_needs_stage_three_or_an_override_with_a_reason(
    alice: User,
) -> None:
    couple = _active(alice)
    with pytest.raises(ActionError, match="EFT stage 3"):
        couple_actions.transition_case(alice, couple.id, Couple.Status.TERMINATION_PLANNED)
    with pytest.raises(ActionError, match="reason"):
        couple_actions.transition_case(
            alice, couple.id, Couple.Status.TERMINATION_PLANNED, override=True
        )
    step = couple_actions.transition_case(
        alice, couple.id, Couple.Status.TERMINATION_PLANNED, override=True, reason="Moving abroad"
    )
    assert step.is_override
    assert step.unmet_guards == ["The couple is not recorded as being in EFT stage 3."]
    with pytest.raises(ActionError, match="EFT stage 3"):
        couple_actions.transition_case(alice, couple.id, Couple.Status.CLOSED)


def test_a_couple_in_stage_three_ends_and_closes_without_an_override(alice: User) -> None:
    couple = _active(alice)
    walk_to(alice, couple, "S8")
    couple_actions.transition_case(alice, couple.id, Couple.Status.TERMINATION_PLANNED)
    couple_actions.transition_case(alice, couple.id, Couple.Status.CLOSED)
    steps = CaseTransition.objects.filter(couple=couple).order_by("at", "id")
    assert [s.to_status for s in steps] == ["termination_planned", "closed"]
    assert not any(s.is_override for s in steps)


def test_current_stages_reads_every_couple_in_one_query(
    alice: User, django_assert_num_queries: object
) -> None:
    from rebond.therapy.selectors import current_stages

    couples = [make_case(alice, f"Couple {n}") for n in range(4)]
    walk_to(alice, couples[0], "WRE5")
    walk_to(alice, couples[1], "S9")
    with django_assert_num_queries(1):  # type: ignore[operator]
        stages = current_stages(couples)
    assert stages[couples[0].id].stage == 2
    assert stages[couples[1].id].label == "Stage 3 · Consolidation"
    assert couples[2].id not in stages
