"""Outcome benchmarks for a clinic: how much partners changed from their first to their last
score on one instrument, as a pre-post effect size with a 95% confidence interval and as the
shares of partners recovered, reliably improved, unchanged and reliably deteriorated, per
partner role, with every cell drawn from fewer than five cases suppressed.

Pure arithmetic on (first, last) pairs; the web app chooses the pairs (closed cases, consent
to service evaluation, no risk instruments: rebond/outcomes/).

1. Effect size: the standardized mean change with raw-score (pre-treatment SD)
   standardization, small-sample corrected (Hedges' g for a single group measured twice):

       d = (M_last - M_first) / SD_first          (sign flipped where lower is better,
                                                    so a positive d is always improvement)
       J = 1 - 3 / (4 (n - 1) - 1)                 (Hedges 1981; Hedges & Olkin 1985)
       g = J * d

   Becker, B. J. (1988). Synthesizing standardized mean-change measures. British Journal of
   Mathematical and Statistical Psychology, 41, 257-278. Standardizing by the pre-treatment
   SD (not the SD of the change scores) keeps g in the metric of the meta-analyses Rebond
   compares with (within-group pre-post Hedges' g: Roddy et al. 2020; Beasley & Ager 2019),
   and it is the measure metafor calls "SMCR" (Viechtbauer, metafor R package,
   R/escalc.r). The approximate J is the usual closed form; metafor uses the exact gamma
   form, which differs in the third decimal for n = 20 (0.960 against 0.9598).

2. Its 95% confidence interval, g +/- 1.96 * sqrt(v), with the large-sample variance

       v = 2 (1 - r) / n + g^2 / (2 n)

   where r is the correlation of first and last scores in the same partners: Becker 1988,
   equation 13, as implemented by metafor's escalc(measure="SMCR", vtype="LS"), which is
   also the variance the meta-analyses behind the published benchmarks weight studies by
   (Morris & DeShon 2002, Psychological Methods 7(1):105-125, discuss the choice). An analytic
   interval rather than a bootstrap: the same data always give the same interval on the page
   and in the PDF, it can be checked by hand (tests/test_benchmarks.py), and a bootstrap
   interval is itself unreliable at the small n of one clinic. It treats partners as
   independent although two partners of one couple are not, so it is somewhat too narrow;
   the page says so.

3. Reliable change and recovery: each pair is judged by ``psychometrics.change`` with the
   instrument's published reliable-change figure and cut-off (Jacobson & Truax 1991):
   recovered = a reliable improvement that crosses the cut-off into the functional range;
   improved = a reliable improvement that does not; deteriorated = a reliable worsening;
   unchanged = the rest. The four are exclusive and add up to n. An instrument without a
   published reliable-change figure or norms (CSI-4) gets the effect size and no categories.

4. Disclosure control (the minimum cell size is 5, a practice rule of issue 17, not a
   published norm). A count is shown only when it comes from at least ``min_cell`` distinct
   cases (couples), and nothing shown may let a suppressed count be worked out:
   - a group (all partners, hurt partners, hurtful partners) from fewer cases is suppressed
     whole; a role group is also dropped when the partners left outside the shown role groups
     come from 1 to min_cell - 1 cases (all minus the shown groups would reveal them);
   - within a shown group, a lone suppressed category is joined by the smallest other one
     (the group's n minus the others would reveal it), and a category holding every partner
     of its group is suppressed too (it would tell each person's outcome);
   - when the two role groups together are exactly the whole, a category suppressed in one
     of the three groups is suppressed in another (all = hurt + hurtful would reveal it).
   The rules repeat until nothing changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from psychometrics.change import Category, ChangeResult, assess_change
from psychometrics.errors import ChangeNotAvailable
from psychometrics.model import Instrument

__all__ = [
    "CATEGORY_ORDER",
    "GROUPS",
    "MIN_CELL",
    "ROLES",
    "Z_95",
    "Benchmark",
    "Cell",
    "EffectSize",
    "Pair",
    "Row",
    "benchmark",
    "effect_size",
    "hedges_correction",
    "standardized_mean_change",
]

MIN_CELL = 5  # issue 17: no figure from fewer than five cases
Z_95 = 1.96  # two-sided 95% normal quantile, as in the hand-worked tests
ROLES = ("hurt", "hurtful")
GROUPS = ("all", *ROLES)
CATEGORY_ORDER = (Category.RECOVERED, Category.IMPROVED, Category.UNCHANGED, Category.DETERIORATED)


@dataclass(frozen=True, slots=True)
class Pair:
    """One partner's first and last score on one instrument, their case and their role.

    ``case`` is any key shared by the two partners of one couple (cells count cases);
    ``role`` is "hurt", "hurtful" or "" (not recorded, or recorded both ways).
    """

    case: str
    before: float
    after: float
    role: str = ""


@dataclass(frozen=True, slots=True)
class EffectSize:
    """A standardized mean change (positive = improvement), its inputs and its 95% interval.

    ``correlation``, ``variance``, ``low`` and ``high`` are None when the last scores do not
    vary (the correlation is undefined, so is the interval).
    """

    n: int
    mean_before: float
    mean_after: float
    sd_before: float
    correlation: float | None
    d: float
    correction: float
    g: float
    variance: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Cell:
    """One category of one group: its count and share, both None when suppressed."""

    category: Category
    count: int | None
    share: float | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True, slots=True)
class Row:
    """One group's figures; every number is None when the group is suppressed."""

    group: str
    n: int | None
    cases: int | None
    effect: EffectSize | None
    cells: tuple[Cell, ...]  # in CATEGORY_ORDER; empty without a reliable-change figure

    @property
    def suppressed(self) -> bool:
        return self.n is None


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One instrument's benchmark: the groups, and how change was judged (with sources)."""

    instrument: str
    scale: str
    higher_is_better: bool
    rows: tuple[Row, ...]  # all, then the role groups that may be shown
    judged_by: ChangeResult | None  # threshold, cut-off and sources; None without a figure

    @property
    def has_reliable_change(self) -> bool:
        return self.judged_by is not None

    def row(self, group: str) -> Row | None:
        """Return the row of a group, or None when it may not be shown."""
        return next((row for row in self.rows if row.group == group), None)


def hedges_correction(n: int) -> float:
    """Return J = 1 - 3 / (4 (n - 1) - 1), the small-sample correction for n partners."""
    return 1 - 3 / (4 * (n - 1) - 1)


def standardized_mean_change(
    n: int,
    mean_before: float,
    mean_after: float,
    sd_before: float,
    correlation: float | None,
    *,
    higher_is_better: bool = True,
) -> EffectSize:
    """Return g and its 95% interval from summary figures (see the module docstring)."""
    if n < 3:
        raise ValueError(f"an effect size needs at least 3 pairs, not {n}")
    if not (math.isfinite(sd_before) and sd_before > 0):
        raise ValueError(f"the first scores' SD must be positive, not {sd_before}")
    if correlation is not None and not -1 <= correlation <= 1:
        raise ValueError(f"a correlation lies in [-1, 1], not {correlation}")
    change = mean_after - mean_before if higher_is_better else mean_before - mean_after
    d = change / sd_before
    correction = hedges_correction(n)
    g = correction * d
    variance = low = high = None
    if correlation is not None:
        variance = 2 * (1 - correlation) / n + g**2 / (2 * n)
        half = Z_95 * math.sqrt(variance)
        low, high = g - half, g + half
    return EffectSize(
        n, mean_before, mean_after, sd_before, correlation, d, correction, g, variance, low, high
    )


def effect_size(pairs: Sequence[Pair], *, higher_is_better: bool = True) -> EffectSize | None:
    """Return the effect size of the pairs, or None when it is undefined (fewer than three
    pairs, or first scores that do not vary)."""
    n = len(pairs)
    if n < 3:
        return None
    before = [p.before for p in pairs]
    after = [p.after for p in pairs]
    mean_b, mean_a = sum(before) / n, sum(after) / n
    ss_b = sum((x - mean_b) ** 2 for x in before)
    ss_a = sum((y - mean_a) ** 2 for y in after)
    if ss_b == 0:
        return None
    cross = sum((x - mean_b) * (y - mean_a) for x, y in zip(before, after, strict=True))
    correlation = cross / math.sqrt(ss_b * ss_a) if ss_a > 0 else None
    return standardized_mean_change(
        n,
        mean_b,
        mean_a,
        math.sqrt(ss_b / (n - 1)),
        None if correlation is None else max(-1.0, min(1.0, correlation)),
        higher_is_better=higher_is_better,
    )


def _judge(instrument: Instrument, scale: str) -> ChangeResult | None:
    """Return how the instrument's change is judged (a no-change probe), or None without a
    published reliable-change figure or norms."""
    low, _ = instrument.score_range(scale)
    try:
        return assess_change(instrument, low, low, scale=scale)
    except ChangeNotAvailable:
        return None


def benchmark(
    instrument: Instrument,
    pairs: Sequence[Pair],
    *,
    scale: str | None = None,
    min_cell: int = MIN_CELL,
) -> Benchmark:
    """Return the instrument's benchmark over the pairs, small cells suppressed."""
    code = scale if scale is not None else instrument.primary
    if code is None:
        raise ChangeNotAvailable(f"{instrument.code} has no total; choose a scale")
    higher_is_better = instrument.scale(code).higher_is_better
    judged_by = _judge(instrument, code)
    categories: list[Category | None] = (
        [assess_change(instrument, p.before, p.after, scale=code).category for p in pairs]
        if judged_by is not None
        else [None] * len(pairs)
    )
    members = {
        "all": list(range(len(pairs))),
        **{role: [i for i, p in enumerate(pairs) if p.role == role] for role in ROLES},
    }

    def cases(indices: Sequence[int]) -> int:
        return len({pairs[i].case for i in indices})

    shown = [g for g in GROUPS if cases(members[g]) >= min_cell]
    if "all" not in shown:
        shown = []
    while len(shown) > 1:
        inside = {i for g in shown[1:] for i in members[g]}
        rest = cases([i for i in members["all"] if i not in inside])
        if rest == 0 or rest >= min_cell:
            break
        smallest = min(shown[1:], key=lambda g: (cases(members[g]), -GROUPS.index(g)))
        shown.remove(smallest)
    exact_split = len(shown) == 3 and all(p.role in ROLES for p in pairs)

    counts = {
        g: {k: [i for i in members[g] if categories[i] is k] for k in CATEGORY_ORDER} for g in shown
    }
    hidden = {
        g: {
            k: cases(counts[g][k]) < min_cell or len(counts[g][k]) == len(members[g])
            for k in CATEGORY_ORDER
        }
        for g in shown
    }
    if judged_by is not None:
        _secondary(hidden, counts, exact_split=exact_split)
    rows = []
    for group in shown:
        n = len(members[group])
        cells = tuple(
            Cell(k, None, None)
            if hidden[group][k]
            else Cell(k, len(counts[group][k]), len(counts[group][k]) / n)
            for k in CATEGORY_ORDER
        )
        effect = effect_size([pairs[i] for i in members[group]], higher_is_better=higher_is_better)
        rows.append(
            Row(group, n, cases(members[group]), effect, cells if judged_by is not None else ())
        )
    if not shown:
        cells = tuple(Cell(k, None, None) for k in CATEGORY_ORDER)
        rows.append(Row("all", None, None, None, cells if judged_by is not None else ()))
    return Benchmark(instrument.code, code, higher_is_better, tuple(rows), judged_by)


def _secondary(
    hidden: dict[str, dict[Category, bool]],
    counts: dict[str, dict[Category, list[int]]],
    *,
    exact_split: bool,
) -> None:
    """Suppress further cells until no suppressed count can be worked out (rule 4)."""
    changed = True
    while changed:
        changed = False
        for group, cells in hidden.items():
            if sum(cells.values()) == 1:
                pick = min(
                    (k for k in CATEGORY_ORDER if not cells[k]),
                    key=lambda k: (len(counts[group][k]), CATEGORY_ORDER.index(k)),
                )
                cells[pick] = changed = True
        if not exact_split:
            continue
        for k in CATEGORY_ORDER:
            column = [hidden[g][k] for g in GROUPS]
            if sum(column) != 1:
                continue
            if hidden["all"][k]:
                role = min(ROLES, key=lambda g: (len(counts[g][k]), ROLES.index(g)))
            else:
                role = "hurtful" if hidden["hurt"][k] else "hurt"
            hidden[role][k] = changed = True
