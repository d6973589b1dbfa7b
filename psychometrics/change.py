"""Judge change between two scores: reliable change and clinical significance.

Per partner and per instrument, never on a couple average (INSTRUMENTS.md 2).

1. Reliability of the change. With norms (SD, reliability) the Jacobson-Truax
   reliable change index is RCI = (after - before) / Sdiff, with
   Sdiff = sqrt(2) * SD * sqrt(1 - r); the change is reliable when
   |RCI| > 1.96. Norms a caller supplies (local norms) win over published
   ones. Without caller norms, a published fixed threshold (such as 6 points on
   the PHQ-9) wins over published norms, since it is what the programme that
   published it uses; the RCI is still reported when norms exist.
2. Direction. Each scale says whether higher is better; a reliable change in
   the good direction is an improvement, in the bad direction a deterioration.
3. Clinical significance. A cut-off splits the dysfunctional range (at or
   beyond the cut-off) from the functional one. A reliable improvement from the
   dysfunctional into the functional range is "recovered"; other reliable
   improvements are "improved"; reliable deteriorations "deteriorated";
   everything else "unchanged".

Every result records the SD, reliability, threshold, cut-off and the source of
each, so a shown figure can always be traced.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from psychometrics.errors import ChangeNotAvailable, InvalidScore
from psychometrics.model import Instrument, Norms
from psychometrics.norms import check_norms, standard_error_of_difference

__all__ = ["RCI_CRITICAL", "Category", "ChangeResult", "assess_change", "is_dysfunctional"]

RCI_CRITICAL = 1.96


class Category(enum.StrEnum):
    """Jacobson-Truax outcome categories."""

    RECOVERED = "recovered"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    DETERIORATED = "deteriorated"


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """The judgement of one change, with every input it used."""

    instrument: str
    scale: str
    before: float
    after: float
    difference: float
    higher_is_better: bool
    method: str
    rci: float | None
    sdiff: float | None
    reliable_change: float
    is_reliable: bool
    direction: str
    cutoff: float | None
    crossed_cutoff: bool
    category: Category
    sd: float | None
    reliability: float | None
    reliability_kind: str | None
    norms_source: str | None
    threshold_source: str
    cutoff_source: str | None


def is_dysfunctional(score: float, cutoff: float, *, higher_is_better: bool) -> bool:
    """Return whether a score lies in the dysfunctional range of a cut-off."""
    return score <= cutoff if higher_is_better else score >= cutoff


def assess_change(
    instrument: Instrument,
    before: float,
    after: float,
    *,
    scale: str | None = None,
    norms: Norms | None = None,
    cutoff: float | None = None,
    cutoff_source: str = "supplied by the caller",
) -> ChangeResult:
    """Return the reliable change and clinical significance of before -> after.

    ``scale`` defaults to the instrument's primary scale. ``norms`` and
    ``cutoff`` are local values from the caller; they replace the published
    ones for this judgement.
    """
    code = scale if scale is not None else instrument.primary
    if code is None:
        names = ", ".join(s.code for s in instrument.scales)
        raise ChangeNotAvailable(f"{instrument.code} has no total; choose a scale: {names}")
    target = instrument.scale(code)
    low, high = instrument.score_range(code)
    for label, value in (("before", before), ("after", after)):
        if not (math.isfinite(value) and low <= value <= high):
            raise InvalidScore(
                f"{instrument.code} {code}: {label} score {value:g} is outside {low:g}-{high:g}"
            )
    rule = instrument.change_rule(code)
    difference = after - before
    used = norms if norms is not None else (rule.norms if rule is not None else None)
    rci = sdiff = None
    if used is not None:
        check_norms(used)
        sdiff = standard_error_of_difference(used.sd, used.reliability)
        rci = difference / sdiff
    published = rule.reliable_change if norms is None and rule is not None else None
    if published is not None:
        method = "published reliable-change threshold"
        threshold = published
        threshold_source = rule.reliable_change_source if rule is not None else ""
        is_reliable = abs(difference) >= threshold
    elif sdiff is not None:
        method = "Jacobson-Truax reliable change index"
        threshold = RCI_CRITICAL * sdiff
        threshold_source = f"|RCI| > {RCI_CRITICAL} with Sdiff = sqrt(2) * SD * sqrt(1 - r)"
        is_reliable = abs(difference / sdiff) > RCI_CRITICAL
    else:
        raise ChangeNotAvailable(
            f"{instrument.code} {code}: no published reliable-change threshold or norms; "
            "supply local norms (SD and reliability of your pre-treatment sample)"
        )
    better = difference > 0 if target.higher_is_better else difference < 0
    direction = "none" if difference == 0 else ("improvement" if better else "deterioration")
    used_cutoff: float | None = None
    used_cutoff_source: str | None = None
    if cutoff is not None:
        used_cutoff, used_cutoff_source = cutoff, cutoff_source
    elif rule is not None and rule.cutoff is not None:
        used_cutoff, used_cutoff_source = rule.cutoff, rule.cutoff_source
    crossed = used_cutoff is not None and (
        is_dysfunctional(before, used_cutoff, higher_is_better=target.higher_is_better)
        and not is_dysfunctional(after, used_cutoff, higher_is_better=target.higher_is_better)
    )
    if not is_reliable or direction == "none":
        category = Category.UNCHANGED
    elif direction == "deterioration":
        category = Category.DETERIORATED
    else:
        category = Category.RECOVERED if crossed else Category.IMPROVED
    return ChangeResult(
        instrument=instrument.code,
        scale=code,
        before=before,
        after=after,
        difference=difference,
        higher_is_better=target.higher_is_better,
        method=method,
        rci=rci,
        sdiff=sdiff,
        reliable_change=threshold,
        is_reliable=is_reliable,
        direction=direction,
        cutoff=used_cutoff,
        crossed_cutoff=crossed,
        category=category,
        sd=None if used is None else used.sd,
        reliability=None if used is None else used.reliability,
        reliability_kind=None if used is None else used.reliability_kind,
        norms_source=None if used is None else used.source,
        threshold_source=threshold_source,
        cutoff_source=used_cutoff_source,
    )
