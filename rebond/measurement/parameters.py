"""The parameters of expected recovery for one instrument under one clinic's settings.

Where each number comes from, in order of precedence:

- Reliable-change amount: the clinic's local norms for its outcome instrument (1.96 x Sdiff,
  Jacobson & Truax 1991), else the instrument's published threshold or published norms
  (`psychometrics` instrument modules cite each), else none. The CSI-4 has none published
  (INSTRUMENTS.md 2), so until a clinic supplies local norms its changes are not categorised.
- Tolerance (how far below the expected curve is still on track): the clinic's own value for
  its outcome instrument, else the reliable-change amount (a shortfall smaller than
  measurement error is no signal), else PRACTICE_DEFAULT_FRACTION of the scale's range. That
  last default is a practice choice of this project, not a norm: it is labelled so wherever it
  is shown, and a clinic should replace it with its own value or with local norms.
- Divergence (how far apart the partners' gains since intake may grow): the clinic's own value,
  else sqrt(2) x the tolerance basis above. Each partner's gain carries the measurement error
  of a change score (Sdiff); the difference of two independent gains has sqrt(2) x Sdiff, so
  1.96 x sqrt(2) x Sdiff = sqrt(2) x the reliable-change amount is the smallest reliable gap
  (the same Jacobson-Truax reasoning, applied to two partners).
- Cut-off: the instrument's published cut-off (cited in its module). Instruments without one
  are charted but not judged.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import psychometrics
from psychometrics import Instrument, Norms
from psychometrics.change import RCI_CRITICAL
from psychometrics.norms import check_norms, standard_error_of_difference
from psychometrics.recovery import Course
from rebond.measurement.models import DEFAULT_OUTCOME_INSTRUMENT, MeasurementSettings

PRACTICE_DEFAULT_FRACTION = 0.10  # of the score range; a practice choice, not a norm


@dataclass(frozen=True)
class Parameters:
    """An instrument's course and where each of its numbers came from."""

    instrument: Instrument
    scale: str
    course: Course | None
    reliable_change: float | None
    reliable_change_source: str
    tolerance_source: str
    divergence: float | None
    divergence_source: str
    cutoff_source: str
    norms: Norms | None

    @property
    def is_practice_default(self) -> bool:
        return "practice choice" in self.tolerance_source


def settings_for(
    clinic_id: uuid.UUID, rows: Mapping[uuid.UUID, MeasurementSettings]
) -> MeasurementSettings:
    """Return the clinic's settings row, or an unsaved one holding the defaults."""
    return rows.get(clinic_id) or MeasurementSettings(outcome_instrument=DEFAULT_OUTCOME_INSTRUMENT)


def local_norms(settings: MeasurementSettings) -> Norms | None:
    """Return the clinic's local norms for its outcome instrument, if it supplied usable ones."""
    if settings.local_sd is None or settings.local_reliability is None:
        return None
    norms = Norms(
        sd=settings.local_sd,
        reliability=settings.local_reliability,
        source=settings.local_norms_source or "the clinic's local norms",
    )
    try:
        return check_norms(norms)
    except psychometrics.InvalidNorms:
        return None


def parameters_for(instrument: Instrument, settings: MeasurementSettings) -> Parameters | None:
    """Return the course for an instrument's primary scale, or None when it has no total."""
    scale = instrument.primary
    if scale is None:
        return None
    rule = instrument.change_rule(scale)
    is_outcome = instrument.code == settings.outcome_instrument
    norms = local_norms(settings) if is_outcome else None
    rc: float | None = None
    rc_source = "none published; supply local norms"
    if norms is not None:
        rc = RCI_CRITICAL * standard_error_of_difference(norms.sd, norms.reliability)
        rc_source = f"1.96 x Sdiff from {norms.source}"
    elif rule is not None and rule.reliable_change is not None:
        rc, rc_source = rule.reliable_change, rule.reliable_change_source
    elif rule is not None and rule.norms is not None:
        rc = RCI_CRITICAL * standard_error_of_difference(rule.norms.sd, rule.norms.reliability)
        rc_source = f"1.96 x Sdiff from {rule.norms.source}"
    low, high = instrument.score_range(scale)
    fallback = round(PRACTICE_DEFAULT_FRACTION * (high - low), 2)
    practice = (
        f"{PRACTICE_DEFAULT_FRACTION:.0%} of the score range: a practice choice of Rebond, "
        "not a norm; set your own"
    )
    tolerance, tolerance_source = (
        (rc, "the reliable-change amount") if rc is not None else (fallback, practice)
    )
    divergence = round(math.sqrt(2) * tolerance, 2)
    divergence_source = f"sqrt(2) x {tolerance_source}"
    if is_outcome and settings.tolerance is not None:
        tolerance, tolerance_source = settings.tolerance, "set by the clinic"
    if is_outcome and settings.divergence is not None:
        divergence, divergence_source = settings.divergence, "set by the clinic"
    cutoff = rule.cutoff if rule is not None else None
    course = None
    if cutoff is not None:
        course = Course(
            cutoff=cutoff,
            higher_is_better=instrument.scale(scale).higher_is_better,
            tolerance=tolerance,
            reliable_change=rc,
            planned_sessions=settings.planned_sessions,
            flag_from_session=settings.flag_from_session,
        )
    return Parameters(
        instrument=instrument,
        scale=scale,
        course=course,
        reliable_change=rc,
        reliable_change_source=rc_source,
        tolerance_source=tolerance_source,
        divergence=divergence,
        divergence_source=divergence_source,
        cutoff_source=(rule.cutoff_source if rule is not None and cutoff is not None else ""),
        norms=norms,
    )
