"""Expected recovery and the not-on-track rule, per partner and per couple.

The rule is Rebond's design (DOMAIN.md header and section 6, tagged [P] there): a
documented practice choice built from published findings, not a published norm.
Every parameter is an input, so a clinic can replace the defaults with its own.

1. Expected recovery (DOMAIN 6). Satisfaction in EFT rises roughly linearly
   across sessions (Burgess Moser et al. 2016, Ottawa sample of 32 couples,
   about 21 sessions; HLM), and EFT's changes are made "in eight to 20
   sessions" (Johnson). So each partner is expected to move in a straight line
   from their intake score to the instrument's clinical cut-off over a planned
   course of ``planned_sessions`` sessions (default 20, DOMAIN 6 allows 8-24),
   and to stay there afterwards. A partner who starts outside the dysfunctional
   range is expected to hold their intake score. Observation k of a series is
   session k; observation 0 is the intake baseline.
2. Tolerance band. A score counts as below the band when it falls short of the
   expected score by more than ``tolerance`` points. The natural tolerance is
   the instrument's reliable-change amount (Jacobson & Truax 1991, 1.96 x
   Sdiff, or a published threshold such as 6 points on the PHQ-9): a shortfall
   smaller than that could be measurement error. Where no reliable-change
   amount is known (CSI-4, INSTRUMENTS.md 2), the caller must choose one.
3. Not on track (DOMAIN header and 6): from session ``flag_from_session``
   onwards (default 3: off-track couples are detectable at session 3 and
   outcome is predicted for 70% at session 4, Pepping, Halford & Doss 2015;
   mid-therapy assessment flagged 46% of couples who failed to benefit,
   Halford et al. 2012), a partner is off track when the latest score is below
   the band *and* has not made reliable improvement since intake.
4. Reliable deterioration is flagged separately, at any session after intake
   (DOMAIN 6), when the reliable-change amount is known.
5. Dyadic rule (DOMAIN header, PRODUCT.md 3 item 1): the couple is not on
   track when either partner is off track or reliably worse, or when the
   partners diverge: their gains since intake differ by at least
   ``divergence`` points from session ``flag_from_session`` onwards. Couple
   averages hide asymmetric deterioration, so nothing here averages partners.

Gains are measured in the good direction of the scale (``higher_is_better``),
so one rule serves satisfaction scales and symptom scales alike.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from psychometrics.change import is_dysfunctional
from psychometrics.display import figure

__all__ = [
    "DEFAULT_FLAG_FROM_SESSION",
    "DEFAULT_PLANNED_SESSIONS",
    "PLANNED_SESSIONS_RANGE",
    "CoupleSignal",
    "CoupleTrack",
    "Course",
    "CurvePoint",
    "PartnerTrack",
    "Signal",
    "expected_curve",
    "expected_score",
    "judge_couple",
    "judge_partner",
]

DEFAULT_PLANNED_SESSIONS = 20  # DOMAIN 6: default N = 20 (Johnson: 8-20 sessions)
PLANNED_SESSIONS_RANGE = (8, 24)  # DOMAIN 6: configurable 8-24
DEFAULT_FLAG_FROM_SESSION = 3  # DOMAIN header; Pepping, Halford & Doss 2015


class Signal(enum.StrEnum):
    """Where one partner stands against their expected recovery."""

    NO_DATA = "no_data"
    TOO_EARLY = "too_early"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    DETERIORATED = "deteriorated"


class CoupleSignal(enum.StrEnum):
    """The couple's signal: both partners judged together, never averaged."""

    NOT_YET = "not_yet"
    ON_TRACK = "on_track"
    NOT_ON_TRACK = "not_on_track"


@dataclass(frozen=True, slots=True)
class Course:
    """The parameters of expected recovery; each one a clinic may replace."""

    cutoff: float
    higher_is_better: bool
    tolerance: float
    reliable_change: float | None = None
    planned_sessions: int = DEFAULT_PLANNED_SESSIONS
    flag_from_session: int = DEFAULT_FLAG_FROM_SESSION

    def __post_init__(self) -> None:
        if self.planned_sessions < 1:
            raise ValueError(f"planned sessions must be at least 1, not {self.planned_sessions}")
        if self.flag_from_session < 1:
            raise ValueError(f"flag from session 1 or later, not {self.flag_from_session}")
        if not (math.isfinite(self.tolerance) and self.tolerance >= 0):
            raise ValueError(f"tolerance must be zero or more, not {self.tolerance}")
        if self.reliable_change is not None and not self.reliable_change > 0:
            raise ValueError(f"reliable change must be positive, not {self.reliable_change}")

    def gain(self, baseline: float, score: float) -> float:
        """Return the change from baseline, positive when it is an improvement."""
        return score - baseline if self.higher_is_better else baseline - score


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """The expected score at one session, and the edge of the tolerance band."""

    session: int
    expected: float
    band_edge: float


def expected_score(course: Course, baseline: float, session: int) -> float:
    """Return the score expected at ``session`` (0 = intake) on the straight line to the cut-off."""
    if session < 0:
        raise ValueError(f"session must be 0 (intake) or later, not {session}")
    if not is_dysfunctional(baseline, course.cutoff, higher_is_better=course.higher_is_better):
        return baseline
    fraction = min(session, course.planned_sessions) / course.planned_sessions
    return baseline + (course.cutoff - baseline) * fraction


def expected_curve(course: Course, baseline: float, sessions: int) -> list[CurvePoint]:
    """Return the expected score and band edge at each session from 0 to ``sessions``."""
    step = -course.tolerance if course.higher_is_better else course.tolerance
    points = []
    for session in range(sessions + 1):
        expected = expected_score(course, baseline, session)
        points.append(CurvePoint(session, expected, expected + step))
    return points


@dataclass(frozen=True, slots=True)
class PartnerTrack:
    """One partner's latest standing, with every figure it was judged on."""

    signal: Signal
    session: int | None = None
    score: float | None = None
    baseline: float | None = None
    expected: float | None = None
    gain: float | None = None
    shortfall: float | None = None
    reason: str = ""


def judge_partner(
    course: Course, scores: Sequence[float], sessions: Sequence[int] | None = None
) -> PartnerTrack:
    """Judge the latest of a partner's scores (intake first) against the course.

    Without ``sessions`` the scores are one per session (observation k is session k); an
    instrument given less often passes the session number of each score.
    """
    if sessions is not None and len(sessions) != len(scores):
        raise ValueError(f"{len(scores)} scores but {len(sessions)} session numbers")
    if not scores:
        return PartnerTrack(Signal.NO_DATA, reason="No scores yet.")
    baseline, score = scores[0], scores[-1]
    session = len(scores) - 1 if sessions is None else sessions[-1] - sessions[0]
    if session == 0:
        return PartnerTrack(
            Signal.TOO_EARLY, 0, score, baseline, reason="Intake score only: the baseline."
        )
    expected = expected_score(course, baseline, session)
    gain = course.gain(baseline, score)
    shortfall = course.gain(score, expected)
    judged = PartnerTrack(
        Signal.ON_TRACK,
        session,
        score,
        baseline,
        expected,
        gain,
        shortfall,
        reason="Within the expected band.",
    )
    rc = course.reliable_change
    if rc is not None and -gain >= rc:
        reason = (
            f"Reliably worse than at intake ({figure(-gain)} points; reliable change {figure(rc)})."
        )
        return replace(judged, signal=Signal.DETERIORATED, reason=reason)
    if session < course.flag_from_session:
        reason = f"Judged from session {course.flag_from_session}."
        return replace(judged, signal=Signal.TOO_EARLY, reason=reason)
    below_band = shortfall > course.tolerance
    reliably_better = rc is not None and gain >= rc
    if below_band and not reliably_better:
        reason = (
            f"{figure(shortfall)} points short of the expected {figure(expected)} "
            f"(tolerance {figure(course.tolerance)}), and no reliable improvement since intake."
        )
        return replace(judged, signal=Signal.OFF_TRACK, reason=reason)
    return judged


@dataclass(frozen=True, slots=True)
class CoupleTrack:
    """The couple's signal and the reasons for it."""

    signal: CoupleSignal
    diverging: bool
    reasons: tuple[str, ...]


NOT_ON_TRACK_SIGNALS = frozenset({Signal.OFF_TRACK, Signal.DETERIORATED})


def judge_couple(
    course: Course,
    first: PartnerTrack,
    second: PartnerTrack,
    *,
    divergence: float,
    names: tuple[str, str] = ("Partner A", "Partner B"),
) -> CoupleTrack:
    """Judge both partners together: either off track, or the two diverging, is not on track."""
    if not (math.isfinite(divergence) and divergence > 0):
        raise ValueError(f"divergence must be a positive number of points, not {divergence}")
    reasons = [
        f"{name}: {track.reason}"
        for name, track in zip(names, (first, second), strict=True)
        if track.signal in NOT_ON_TRACK_SIGNALS
    ]
    diverging = False
    if first.gain is not None and second.gain is not None:
        late_enough = min(first.session or 0, second.session or 0) >= course.flag_from_session
        gap = abs(first.gain - second.gain)
        diverging = late_enough and gap >= divergence
        if diverging:
            reasons.append(
                f"The partners diverge: their gains since intake differ by {figure(gap)} points "
                f"(threshold {figure(divergence)})."
            )
    if reasons:
        return CoupleTrack(CoupleSignal.NOT_ON_TRACK, diverging, tuple(reasons))
    if first.signal == second.signal == Signal.ON_TRACK:
        return CoupleTrack(CoupleSignal.ON_TRACK, diverging, ())
    return CoupleTrack(CoupleSignal.NOT_YET, diverging, ())
