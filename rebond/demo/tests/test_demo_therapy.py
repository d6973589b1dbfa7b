"""The demo's therapy process: one couple reaches Stage 3 with a resolved injury, one AIRM has
stalled, one case is paused for safety; built through the actions, so no gate is overridden."""

from __future__ import annotations

import pytest

from rebond.couples.models import Couple
from rebond.demo.practice import build_demo_practice
from rebond.test import couple_labelled
from rebond.therapy.models import (
    AirmProgress,
    AirmTransition,
    CycleMap,
    MarkerObservation,
    Note,
    Session,
    StageProgress,
    StageTransition,
)

pytestmark = pytest.mark.django_db


def test_the_demo_walks_one_couple_to_stage_three_with_a_resolved_injury() -> None:
    build_demo_practice()
    okafor = couple_labelled("Okafor & Lindqvist")
    progress = StageProgress.objects.get(couple=okafor)
    assert progress.position == "S9"
    assert progress.stage == 3
    moves = StageTransition.objects.filter(couple=okafor)
    assert moves.first().from_position == "S1"  # type: ignore[union-attr]
    assert not moves.filter(is_override=True).exists()
    [track] = AirmProgress.objects.filter(injury__couple=okafor)
    assert track.state == "resolved"
    steps = AirmTransition.objects.filter(injury__couple=okafor).values_list("to_state", flat=True)
    assert list(steps) == ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "resolved"]
    assert Session.objects.filter(couple=okafor).count() >= 12
    assert MarkerObservation.objects.filter(session__couple=okafor).count() > 30
    assert CycleMap.objects.get(couple=okafor).pattern == "pursue_withdraw"
    assert Note.objects.filter(couple=okafor).count() >= 5


def test_the_demo_has_a_stalled_airm_and_a_case_paused_for_safety() -> None:
    build_demo_practice()
    haddad = couple_labelled("Haddad & Moreau")
    [stalled] = AirmProgress.objects.filter(injury__couple=haddad)
    assert (stalled.state, stalled.resume_state) == ("stalled", "a3")
    novak = couple_labelled("Novak & Ferreira")
    assert novak.status == Couple.Status.PAUSED_SAFETY
    assert novak.safety_concerns.filter(level=3, status="open").exists()
    [suspended] = AirmProgress.objects.filter(injury__couple=novak)
    assert suspended.state == "suspended_safety"
    # The clinical purpose is encrypted at rest: compared after reading, not in SQL.
    individual = [
        s
        for s in Session.objects.filter(couple=novak, kind="individual")
        if s.clinical_purpose == "IPV follow-up"
    ]
    assert len(individual) == 2
    assert {s.shared_label for s in individual} == {"Individual session"}


def test_building_the_demo_twice_adds_no_therapy_rows() -> None:
    build_demo_practice()
    counts = [m.objects.count() for m in (Session, StageTransition, AirmTransition, Note)]
    build_demo_practice()
    assert [m.objects.count() for m in (Session, StageTransition, AirmTransition, Note)] == counts
