"""Where each couple stands in treatment, and the events marked on the charts' time axis.

The two functions here are the seams for the therapy app (EFT stages, AIRM steps), which is
built on another branch. Until it is merged, the stage is the case's lifecycle status and the
events are the case transitions. At merge, `stage_labels` calls
`rebond.therapy.selectors.current_stages(couples)` and `case_events` adds the therapy events;
nothing else in this app needs to change.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rebond.couples.models import Couple


def stage_labels(couples: Sequence[Couple]) -> dict[uuid.UUID, str]:
    """Return the stage shown for each couple (for now: its case status; no query)."""
    return {couple.id: couple.get_status_display() for couple in couples}


@dataclass(frozen=True)
class CaseEvent:
    at: datetime
    label: str


def case_events(couple: Couple) -> list[CaseEvent]:
    """Return the events to mark on the couple's charts, oldest first (one query)."""
    labels = dict(Couple.Status.choices)
    return [
        CaseEvent(t.at, labels.get(t.to_status, t.to_status))
        for t in couple.transitions.order_by("at", "id")
    ]
