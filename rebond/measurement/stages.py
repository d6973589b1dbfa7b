"""Where each couple stands in treatment, and the events marked on the charts' time axis.

The stage is the couple's EFT stage from the therapy app (rebond/therapy), or the case's
lifecycle status while no stage has been recorded. The events are the case transitions, the
EFT stage moves and the AIRM steps, so a chart shows the process beside the scores.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rebond.couples.models import Couple
from rebond.therapy.models import AirmState, AirmTransition, EftPosition, StageTransition
from rebond.therapy.selectors import current_stages


def stage_labels(couples: Sequence[Couple]) -> dict[uuid.UUID, str]:
    """Return the stage shown for each couple: its EFT stage, else its case status (one query)."""
    stages = current_stages(couples)
    return {
        couple.id: stages[couple.id].label if couple.id in stages else couple.get_status_display()
        for couple in couples
    }


@dataclass(frozen=True)
class CaseEvent:
    at: datetime
    label: str


def case_events(couple: Couple) -> list[CaseEvent]:
    """Return the events to mark on the couple's charts, oldest first (three queries)."""
    statuses = dict(Couple.Status.choices)
    events = [
        CaseEvent(t.at, statuses.get(t.to_status, t.to_status))
        for t in couple.transitions.order_by("at", "id")
    ]
    positions = dict(EftPosition.choices)
    events += [
        CaseEvent(t.at, positions.get(t.to_position, t.to_position).split(" · ")[0])
        for t in StageTransition.objects.filter(couple=couple).only("at", "to_position")
    ]
    steps = dict(AirmState.choices)
    events += [
        CaseEvent(t.at, "AIRM " + steps.get(t.to_state, t.to_state).split(" · ")[0])
        for t in AirmTransition.objects.filter(injury__couple=couple).only("at", "to_state")
    ]
    return sorted(events, key=lambda e: e.at)
