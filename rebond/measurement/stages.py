"""Where each couple stands in treatment, and the events marked on the charts' time axis.

The stage is the couple's EFT stage from the therapy app (rebond/therapy), or the case's
lifecycle status while no stage has been recorded. The events are the case transitions, the
EFT stage moves and the AIRM steps, so a chart shows the process beside the scores; they come
from the case's one timeline (rebond/therapy/timeline.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rebond.couples.models import Couple
from rebond.therapy.selectors import current_stages
from rebond.therapy.timeline import CASE, case_timeline


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
    events = case_timeline(couple, (CASE, "stage", "airm"))
    return [CaseEvent(event.at, event.mark) for event in events]
