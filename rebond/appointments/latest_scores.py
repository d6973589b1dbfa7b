"""Both partners' latest scores per questionnaire, for the clinician opening a session.

Read from the progress page's own loader (`rebond.measurement.progress.load`), so the same
rules hold: every non-risk instrument, and PHQ-9 totals as individual measures for clinicians
only (never an item, so never item 9). The other risk screens (ASQ, HARK, HITS) stay on the
case's check-ins page, where each view of them is audited (DOMAIN 4.6 point 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rebond.couples.models import Couple, Partner
from rebond.measurement import progress


@dataclass(frozen=True)
class PartnerScore:
    partner: Partner
    score: float | None  # None: not answered yet
    at: datetime | None  # when it was answered


@dataclass(frozen=True)
class InstrumentScores:
    title: str  # the instrument's code, and the scale's when it is not the total
    name: str
    is_individual: bool  # an individual measure (PHQ-9 total): clinicians only
    scores: tuple[PartnerScore, ...]


def latest_scores(couple: Couple) -> list[InstrumentScores]:
    """Return each partner's latest score on every instrument the progress page shows."""
    state = progress.load(couple)
    rows = []
    for item, is_individual in [
        *((i, False) for i in state.instruments),
        *((i, True) for i in state.individual),
    ]:
        scores = []
        for partner, series in zip(state.partners, item.series, strict=False):
            last = series[-1] if series else None
            scores.append(
                PartnerScore(partner, last.score if last else None, last.at if last else None)
            )
        rows.append(
            InstrumentScores(item.title, item.instrument.name, is_individual, tuple(scores))
        )
    return rows
