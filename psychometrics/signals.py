"""The honest progress signal, per partner and per couple, from measurement theory alone.

Issue 17 and DOMAIN.md's header (revised 2026-12-06, RECOVERY-RESEARCH.md 4): no published
expected-recovery curve exists for couple measures, so nothing here predicts a score. A partner
is judged only on their intake score, their latest score, the instrument's reliable-change
figure and its clinical cut-off:

1. Reliable change. A change from intake of at least the reliable-change figure is reliable
   (Jacobson & Truax 1991: 1.96 x Sdiff, or a published threshold such as 11.58 points on
   the RDAS, Anderson et al. 2014). Inside the band intake +/- that figure, a change may be
   measurement error. Without a figure (the CSI-4: none is published, INSTRUMENT-KEYS-2.md
   1.4) no change is judged reliable or unreliable: the partner is "not judged", and nothing
   is flagged from an invented tolerance.
2. Reliably worse (red): the latest score is reliably worse than intake, at any session after
   intake.
3. No reliable improvement by the review session (amber): from ``review_session`` on (a
   clinic's practice choice, default 6; not a norm), a partner who has not reliably improved
   and whose latest score is still in the clinical range of the cut-off. A partner beyond the
   cut-off has nothing to flag: a score in the healthy range leaves little room for reliable
   gain. The wording is "no reliable improvement", never "off track" (RECOVERY-RESEARCH.md
   4.7). Basis for reviewing early: outcome was predicted for 70% of couples by session 4
   (Pepping, Halford & Doss 2015); 6 is later than that on purpose, a practice choice.
4. Reliably improved: the latest score is reliably better than intake.
5. Partners diverging (DOMAIN header; PRODUCT.md 3 item 1): their gains since intake differ by
   at least ``divergence`` points. The caller passes sqrt(2) x the reliable-change figure:
   each gain carries Sdiff of error, the difference of two independent gains sqrt(2) x Sdiff,
   so 1.96 x sqrt(2) x Sdiff is the smallest reliable gap. Judged at any session after intake,
   like deterioration, because it rests on measurement error alone.
6. The couple: reliably worse when either partner is; to review when either partner has no
   reliable improvement by the review session or the partners diverge; improving when both
   reliably improved; otherwise not yet (or not judged, without a figure). Nothing here
   averages the partners: couple averages hide asymmetric deterioration.

Gains are measured in the good direction of the scale (``higher_is_better``), so one rule
serves satisfaction scales and symptom scales alike.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from psychometrics.change import is_dysfunctional
from psychometrics.display import figure

__all__ = [
    "DEFAULT_REVIEW_SESSION",
    "REVIEW_SESSION_RANGE",
    "CoupleSignal",
    "CoupleTrack",
    "Criteria",
    "PartnerTrack",
    "Signal",
    "judge_couple",
    "judge_partner",
]

# A practice choice of Rebond (issue 17), not a norm: labelled so on every page that shows it.
DEFAULT_REVIEW_SESSION = 6
# From session 3 (the earliest session at which couples who went on to fail were detectable,
# Pepping, Halford & Doss 2015) to 24 (the longest planned course DOMAIN.md 6 considers).
REVIEW_SESSION_RANGE = (3, 24)


class Signal(enum.StrEnum):
    """One partner's standing on one instrument."""

    NO_DATA = "no_data"
    BASELINE = "baseline"  # the intake score only
    NOT_JUDGED = "not_judged"  # no reliable-change figure
    NO_RELIABLE_CHANGE = "no_reliable_change"  # inside the band, before the review session
    IMPROVED = "improved"
    NOT_IMPROVED = "not_improved"  # amber
    DETERIORATED = "deteriorated"  # red


class CoupleSignal(enum.StrEnum):
    """The couple's signal: both partners judged together, never averaged."""

    NOT_JUDGED = "not_judged"
    NOT_YET = "not_yet"
    IMPROVING = "improving"
    REVIEW = "review"  # amber
    WORSE = "worse"  # red


@dataclass(frozen=True, slots=True)
class Criteria:
    """What a partner is judged against: nothing but published or clinic-given figures."""

    higher_is_better: bool
    reliable_change: float | None = None
    cutoff: float | None = None
    review_session: int = DEFAULT_REVIEW_SESSION

    def __post_init__(self) -> None:
        if self.review_session < 1:
            raise ValueError(f"review from session 1 or later, not {self.review_session}")
        rc = self.reliable_change
        if rc is not None and not (math.isfinite(rc) and rc > 0):
            raise ValueError(f"reliable change must be a positive number, not {rc}")

    def gain(self, baseline: float, score: float) -> float:
        """Return the change from baseline, positive when it is an improvement."""
        return score - baseline if self.higher_is_better else baseline - score

    def band(self, baseline: float) -> tuple[float, float] | None:
        """Return intake -/+ the reliable change, or None without a figure."""
        if self.reliable_change is None:
            return None
        return (baseline - self.reliable_change, baseline + self.reliable_change)


@dataclass(frozen=True, slots=True)
class PartnerTrack:
    """One partner's latest standing, with every figure it was judged on."""

    signal: Signal
    session: int | None = None
    score: float | None = None
    baseline: float | None = None
    gain: float | None = None
    band: tuple[float, float] | None = None
    reason: str = ""


def _clinical(criteria: Criteria, score: float) -> bool:
    if criteria.cutoff is None:
        return True
    return is_dysfunctional(score, criteria.cutoff, higher_is_better=criteria.higher_is_better)


def judge_partner(
    criteria: Criteria, scores: Sequence[float], sessions: Sequence[int] | None = None
) -> PartnerTrack:
    """Judge the latest of a partner's scores (intake first) against intake.

    Without ``sessions`` the scores are one per session (observation k is session k); an
    instrument given less often passes the session number of each score.
    """
    if sessions is not None and len(sessions) != len(scores):
        raise ValueError(f"{len(scores)} scores but {len(sessions)} session numbers")
    if not scores:
        return PartnerTrack(Signal.NO_DATA, reason="No scores yet.")
    baseline, score = scores[0], scores[-1]
    session = len(scores) - 1 if sessions is None else sessions[-1] - sessions[0]
    band = criteria.band(baseline)
    if session == 0:
        return PartnerTrack(
            Signal.BASELINE, 0, score, baseline, band=band, reason="Intake score only."
        )
    gain = criteria.gain(baseline, score)
    rc = criteria.reliable_change
    base = (session, score, baseline, gain, band)
    if rc is None:
        reason = "No published reliable-change figure: change is not judged."
        return PartnerTrack(Signal.NOT_JUDGED, *base, reason=reason)
    if -gain >= rc:
        reason = (
            f"Reliably worse than at intake ({figure(-gain)} points; reliable change {figure(rc)})."
        )
        return PartnerTrack(Signal.DETERIORATED, *base, reason=reason)
    if gain >= rc:
        reason = (
            f"Reliably better than at intake ({figure(gain)} points; reliable change {figure(rc)})."
        )
        return PartnerTrack(Signal.IMPROVED, *base, reason=reason)
    if session >= criteria.review_session and _clinical(criteria, score):
        reason = (
            f"No reliable improvement by session {criteria.review_session} "
            f"({figure(gain)} points since intake; reliable change {figure(rc)})."
        )
        return PartnerTrack(Signal.NOT_IMPROVED, *base, reason=reason)
    reason = f"No reliable change yet ({figure(gain)} points; reliable change {figure(rc)})."
    return PartnerTrack(Signal.NO_RELIABLE_CHANGE, *base, reason=reason)


@dataclass(frozen=True, slots=True)
class CoupleTrack:
    """The couple's signal and the reasons for it."""

    signal: CoupleSignal
    diverging: bool
    reasons: tuple[str, ...]


FLAGGED = frozenset({Signal.NOT_IMPROVED, Signal.DETERIORATED})


def judge_couple(
    first: PartnerTrack,
    second: PartnerTrack,
    *,
    divergence: float | None,
    names: tuple[str, str] = ("Partner A", "Partner B"),
) -> CoupleTrack:
    """Judge both partners together; ``divergence`` None judges no divergence."""
    if divergence is not None and not (math.isfinite(divergence) and divergence > 0):
        raise ValueError(f"divergence must be a positive number of points, not {divergence}")
    pair = (first, second)
    reasons = [
        f"{name}: {track.reason}"
        for name, track in zip(names, pair, strict=True)
        if track.signal in FLAGGED
    ]
    diverging = False
    if divergence is not None and first.gain is not None and second.gain is not None:
        gap = abs(first.gain - second.gain)
        diverging = gap >= divergence
        if diverging:
            reasons.append(
                f"The partners diverge: their gains since intake differ by {figure(gap)} points "
                f"(threshold {figure(divergence)})."
            )
    signals = {track.signal for track in pair}
    if Signal.DETERIORATED in signals:
        signal = CoupleSignal.WORSE
    elif Signal.NOT_IMPROVED in signals or diverging:
        signal = CoupleSignal.REVIEW
    elif signals == {Signal.IMPROVED}:
        signal = CoupleSignal.IMPROVING
    elif any(
        t.signal == Signal.NOT_JUDGED or (t.baseline is not None and t.band is None) for t in pair
    ):
        signal = CoupleSignal.NOT_JUDGED  # no figure: an intake score alone will not be judged
    else:
        signal = CoupleSignal.NOT_YET
    return CoupleTrack(signal, diverging, tuple(reasons))
