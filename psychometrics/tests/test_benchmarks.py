"""Outcome benchmarks: the effect size and rates against a hand-worked example, and the
suppression of small cells (issue 17 item 4)."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psychometrics import Category, ChangeNotAvailable
from psychometrics.benchmarks import (
    CATEGORY_ORDER,
    GROUPS,
    MIN_CELL,
    ROLES,
    Benchmark,
    Pair,
    benchmark,
    effect_size,
    hedges_correction,
    standardized_mean_change,
)
from psychometrics.instruments import get
from psychometrics.tests.toy import make_toy

GAD7 = get("GAD-7")  # published reliable change 4 points, cut-off 8 (NHS Talking Therapies)
CSI4 = get("CSI-4")  # no published reliable-change figure
REC, IMP, UNC, DET = CATEGORY_ORDER

# One (first, last) GAD-7 pair per category (lower is better; reliable = 4 points or more;
# dysfunctional = 8 or more):
EXAMPLE = {
    REC: (10, 5),  # -5: reliable improvement, from 10 (>= 8) to 5 (< 8): recovered
    IMP: (18, 10),  # -8: reliable improvement, still >= 8: improved
    UNC: (12, 11),  # -1: less than 4 points: unchanged
    DET: (10, 15),  # +5: reliable worsening: deteriorated
}


def pairs_of(spec: list[tuple[str, Category, str]]) -> list[Pair]:
    """Return one pair per (case, category, role)."""
    return [Pair(case, *EXAMPLE[category], role=role) for case, category, role in spec]


def shown(result: Benchmark, group: str = "all") -> dict[Category, int | None]:
    row = result.row(group)
    assert row is not None
    return {cell.category: cell.count for cell in row.cells}


def test_the_hand_worked_example():
    # Five partners of five couples, GAD-7 (lower is better), first -> last:
    #   10 -> 5, 12 -> 9, 14 -> 8, 16 -> 20, 18 -> 8
    pairs = [
        Pair("c1", 10, 5),
        Pair("c2", 12, 9),
        Pair("c3", 14, 8),
        Pair("c4", 16, 20),
        Pair("c5", 18, 8),
    ]
    result = benchmark(GAD7, pairs)
    row = result.row("all")
    assert row is not None
    assert (row.n, row.cases) == (5, 5)
    effect = row.effect
    assert effect is not None
    # Means: first (10+12+14+16+18)/5 = 70/5 = 14; last (5+9+8+20+8)/5 = 50/5 = 10.
    assert (effect.mean_before, effect.mean_after) == (14, 10)
    # First-score deviations -4, -2, 0, 2, 4: SS = 16+4+0+4+16 = 40, SD = sqrt(40/4) = sqrt(10)
    # = 3.16228.
    assert effect.sd_before == pytest.approx(math.sqrt(10))
    # Last-score deviations -5, -1, -2, 10, -2: SS = 25+1+4+100+4 = 134.
    # Cross products: (-4)(-5) + (-2)(-1) + 0(-2) + 2(10) + 4(-2) = 20+2+0+20-8 = 34.
    # r = 34 / sqrt(40 * 134) = 34 / sqrt(5360) = 34 / 73.2120 = 0.46440.
    assert effect.correlation == pytest.approx(0.46440, abs=1e-5)
    # Lower is better, so improvement = 14 - 10 = 4 points; d = 4 / sqrt(10) = 1.26491.
    assert effect.d == pytest.approx(1.26491, abs=1e-5)
    # J = 1 - 3 / (4 (5 - 1) - 1) = 1 - 3/15 = 0.8; g = 0.8 * 1.26491 = 1.01193.
    assert effect.correction == pytest.approx(0.8)
    assert effect.g == pytest.approx(1.01193, abs=1e-5)
    # g^2 = 0.64 * d^2 = 0.64 * 16/10 = 1.024.
    # v = 2 (1 - r) / n + g^2 / (2n) = 2 (0.53560) / 5 + 1.024 / 10 = 0.21424 + 0.10240
    #   = 0.31664; SE = sqrt(0.31664) = 0.56271.
    assert effect.variance == pytest.approx(0.31664, abs=1e-5)
    # 95% CI = 1.01193 -/+ 1.96 * 0.56271 = 1.01193 -/+ 1.10291 = [-0.09098, 2.11483].
    assert effect.low == pytest.approx(-0.09098, abs=1e-4)
    assert effect.high == pytest.approx(2.11483, abs=1e-4)
    # Categories (reliable change 4 points, cut-off 8):
    #   10 -> 5: -5, reliable, from >= 8 to < 8: recovered
    #   12 -> 9: -3, below 4: unchanged
    #   14 -> 8: -6, reliable, still >= 8: improved
    #   16 -> 20: +4, reliable worsening: deteriorated
    #   18 -> 8: -10, reliable, still >= 8: improved
    # Shares of 5: recovered 1 (20%), improved 2 (40%), unchanged 1 (20%), deteriorated 1 (20%).
    # With the minimum cell of 5 every category is suppressed (each from fewer than 5 cases):
    assert shown(result) == {REC: None, IMP: None, UNC: None, DET: None}
    unsuppressed = benchmark(GAD7, pairs, min_cell=1).row("all")
    assert unsuppressed is not None
    assert [(c.count, c.share) for c in unsuppressed.cells] == [
        (1, 0.2),
        (2, 0.4),
        (1, 0.2),
        (1, 0.2),
    ]
    assert result.judged_by is not None
    assert (result.judged_by.reliable_change, result.judged_by.cutoff) == (4, 8)


def test_the_effect_size_agrees_with_metafor():
    # metafor's own test (tests/testthat/test_analysis_example_morris2008.r), first study:
    # n 20, r .47, pre mean 30.6 (SD 15.0), post 38.5: escalc("SMCR") gives yi 0.5056,
    # vi 0.0594 (exact J; the closed form J = 1 - 3/75 = 0.96 agrees to 4 decimals).
    effect = standardized_mean_change(20, 30.6, 38.5, 15.0, 0.47)
    assert effect.g == pytest.approx(0.5056, abs=1e-4)
    assert effect.variance == pytest.approx(0.0594, abs=1e-4)
    assert hedges_correction(20) == pytest.approx(0.96)


def test_improvement_is_positive_whichever_direction_is_better():
    up = standardized_mean_change(10, 10, 14, 4, 0.5, higher_is_better=True)
    down = standardized_mean_change(10, 14, 10, 4, 0.5, higher_is_better=False)
    assert up.g == down.g > 0


@pytest.mark.parametrize(
    ("n", "sd", "r"), [(2, 1.0, 0.5), (5, 0.0, 0.5), (5, math.nan, 0.5), (5, 1.0, 1.5)]
)
def test_summary_figures_that_cannot_give_an_effect_size_are_refused(n, sd, r):
    with pytest.raises(ValueError, match=r"effect size|SD|correlation"):
        standardized_mean_change(n, 1, 2, sd, r)


def test_effect_size_is_undefined_for_too_few_pairs_or_no_spread_at_intake():
    assert effect_size([Pair("a", 1, 2), Pair("b", 2, 3)]) is None
    assert effect_size([Pair(c, 5, n) for c, n in (("a", 1), ("b", 2), ("c", 3))]) is None


def test_last_scores_without_spread_give_an_effect_size_without_interval():
    effect = effect_size([Pair("a", 1, 4), Pair("b", 2, 4), Pair("c", 3, 4)])
    assert effect is not None
    assert effect.correlation is None
    assert (effect.variance, effect.low, effect.high) == (None, None, None)
    assert effect.g == pytest.approx(hedges_correction(3) * 2 / 1)


def test_an_instrument_without_a_published_figure_gets_no_categories():
    pairs = [Pair(f"c{n}", 8 + n % 3, 12 + n % 4) for n in range(8)]
    result = benchmark(CSI4, pairs)
    assert not result.has_reliable_change
    assert result.judged_by is None
    row = result.row("all")
    assert row is not None
    assert row.cells == ()
    assert row.effect is not None
    assert row.effect.g > 0  # CSI-4: higher is better


def test_an_instrument_without_a_total_needs_a_scale():
    toy = dataclasses.replace(make_toy(), primary=None)
    with pytest.raises(ChangeNotAvailable):
        benchmark(toy, [])
    result = benchmark(toy, [Pair(f"c{n}", 6, 2) for n in range(5)], scale="total")
    assert result.scale == "total"


def test_a_category_from_fewer_than_five_cases_is_suppressed():
    # 12 couples' partners: recovered 6 (but from 3 couples), improved 7, unchanged 5, none
    # deteriorated.
    spec = [(f"r{n // 2}", REC, "") for n in range(6)]
    spec += [(f"i{n}", IMP, "") for n in range(7)] + [(f"u{n}", UNC, "") for n in range(5)]
    result = benchmark(GAD7, pairs_of(spec))
    # Recovered: 6 partners from 3 couples, suppressed; deteriorated 0, suppressed; the
    # other two are shown.
    assert shown(result) == {REC: None, IMP: 7, UNC: 5, DET: None}
    row = result.row("all")
    assert row is not None
    assert (row.n, row.cases) == (18, 15)
    assert row.cells[1].share == pytest.approx(7 / 18)
    assert row.cells[0].suppressed
    assert not row.cells[1].suppressed


def test_a_lone_suppressed_category_takes_the_smallest_other_with_it():
    # Recovered 6, improved 8, unchanged 5, deteriorated 2: n - the others would give 2.
    spec = [(f"r{n}", REC, "") for n in range(6)] + [(f"i{n}", IMP, "") for n in range(8)]
    spec += [(f"u{n}", UNC, "") for n in range(5)] + [(f"d{n}", DET, "") for n in range(2)]
    assert shown(benchmark(GAD7, pairs_of(spec))) == {REC: 6, IMP: 8, UNC: None, DET: None}


def test_a_category_holding_every_partner_of_a_group_is_suppressed():
    result = benchmark(GAD7, pairs_of([(f"r{n}", REC, "") for n in range(7)]))
    assert shown(result) == {REC: None, IMP: None, UNC: None, DET: None}
    row = result.row("all")
    assert row is not None
    assert row.n == 7  # the group itself is shown


def test_a_group_from_fewer_than_five_cases_is_suppressed_whole():
    # Eight partners, but of four couples.
    spec = [(f"c{n // 2}", REC if n % 2 else IMP, "") for n in range(8)]
    result = benchmark(GAD7, pairs_of(spec))
    [row] = result.rows
    assert row.suppressed
    assert (row.n, row.cases, row.effect) == (None, None, None)
    assert all(cell.suppressed for cell in row.cells)
    assert result.row("hurt") is None
    empty = benchmark(CSI4, [Pair("a", 1, 2)])
    assert empty.rows[0].suppressed
    assert empty.rows[0].cells == ()


def test_role_groups_from_five_cases_are_shown_beside_all():
    # Ten couples: one hurt and one hurtful partner each (an exact split of "all").
    spec = [(f"c{n}", IMP if n < 6 else UNC, "hurt") for n in range(10)]
    spec += [(f"c{n}", UNC if n < 5 else DET, "hurtful") for n in range(10)]
    result = benchmark(GAD7, pairs_of(spec))
    assert [row.group for row in result.rows] == list(GROUPS)
    hurt, hurtful = result.row("hurt"), result.row("hurtful")
    assert hurt is not None
    assert hurtful is not None
    assert (hurt.n, hurt.cases, hurtful.n) == (10, 10, 10)
    # Rows: all (R 0, I 6, U 9, D 5) hides its lone R (0) and its smallest shown, D 5; hurt
    # (I 6, U 4) hides R, U, D; hurtful (U 5, D 5) hides R, I. Columns: I is hidden only in
    # hurtful -> hurt's I goes; U only in hurt -> hurtful's U goes. Then nothing changes.
    assert shown(result, "all") == {REC: None, IMP: 6, UNC: 9, DET: None}
    assert shown(result, "hurt") == {REC: None, IMP: None, UNC: None, DET: None}
    assert shown(result, "hurtful") == {REC: None, IMP: None, UNC: None, DET: 5}


def test_suppression_reaches_across_groups_until_nothing_can_be_worked_out():
    # hurt: R 6, I 9, U 7, D 1; hurtful: R 9, I 6, U 7, D 0 (an exact split of 23 couples).
    hurt = [REC] * 6 + [IMP] * 9 + [UNC] * 7 + [DET]
    hurtful = [REC] * 9 + [IMP] * 6 + [UNC] * 7
    spec = [(f"c{n}", k, "hurt") for n, k in enumerate(hurt)]
    spec += [(f"c{n}", k, "hurtful") for n, k in enumerate(hurtful)]
    result = benchmark(GAD7, pairs_of(spec))
    # Rows first: each hides D and then its smallest shown category (hurt R 6, hurtful I 6,
    # all U 14). Columns: R hidden only in hurt -> hurtful's too; I only in hurtful -> hurt's
    # too; U only in all -> the smaller role's (hurt, on a tie).
    assert shown(result, "all") == {REC: 15, IMP: 15, UNC: None, DET: None}
    assert shown(result, "hurt") == {REC: None, IMP: None, UNC: None, DET: None}
    assert shown(result, "hurtful") == {REC: None, IMP: None, UNC: 7, DET: None}


def test_a_role_group_is_dropped_when_the_rest_would_be_a_small_cell():
    # Hurt 6 couples, hurtful 5, two partners with no role recorded: all - hurt - hurtful
    # would show those two, so the smaller role group goes.
    spec = [(f"h{n}", IMP, "hurt") for n in range(6)]
    spec += [(f"f{n}", UNC, "hurtful") for n in range(5)]
    spec += [("x1", UNC, ""), ("x2", DET, "")]
    result = benchmark(GAD7, pairs_of(spec))
    assert [row.group for row in result.rows] == ["all", "hurt"]
    assert result.row("hurtful") is None


def test_the_only_role_group_is_dropped_when_the_rest_would_be_a_small_cell():
    # Six hurt partners; only two hurtful partners consented (their couples among the six).
    spec = [(f"c{n}", IMP, "hurt") for n in range(6)]
    spec += [(f"c{n}", UNC, "hurtful") for n in range(2)]
    result = benchmark(GAD7, pairs_of(spec))
    assert [row.group for row in result.rows] == ["all"]


def test_role_groups_beside_a_large_rest_stay():
    spec = [(f"h{n}", IMP, "hurt") for n in range(6)] + [(f"x{n}", UNC, "") for n in range(6)]
    result = benchmark(GAD7, pairs_of(spec))
    assert [row.group for row in result.rows] == ["all", "hurt"]


SPEC = st.lists(
    st.tuples(
        st.integers(0, 14),  # the couple
        st.sampled_from(CATEGORY_ORDER),
        st.sampled_from(("", *ROLES)),
    ),
    max_size=40,
)
# Couples whose two partners are one hurt, one hurtful: the role groups split "all" exactly.
SPLIT = st.lists(
    st.tuples(st.sampled_from(CATEGORY_ORDER), st.sampled_from(CATEGORY_ORDER)),
    min_size=10,
    max_size=30,
).map(
    lambda couples: (
        [(n, a, "hurt") for n, (a, _) in enumerate(couples)]
        + [(n, b, "hurtful") for n, (_, b) in enumerate(couples)]
    )
)


@settings(max_examples=120, deadline=None)
@given(spec=SPEC)
def test_no_suppressed_figure_can_be_worked_out(spec):
    check_nothing_can_be_worked_out(spec)


@settings(max_examples=80, deadline=None)
@given(spec=SPLIT)
def test_no_suppressed_figure_can_be_worked_out_across_an_exact_split(spec):
    assert len(check_nothing_can_be_worked_out(spec)) == 3


def check_nothing_can_be_worked_out(spec: list[tuple[int, Category, str]]) -> list[str]:
    """Check the disclosure rules (psychometrics/benchmarks.py, rule 4); return the groups."""
    pairs = pairs_of([(f"c{case}", k, role) for case, k, role in spec])
    result = benchmark(GAD7, pairs)
    members = {"all": pairs, **{g: [p for p in pairs if p.role == g] for g in ROLES}}
    rows = [row for row in result.rows if not row.suppressed]
    for row in rows:
        assert row.cases is not None
        assert row.cases >= MIN_CELL
        assert sum(cell.suppressed for cell in row.cells) != 1
        for cell in row.cells:
            if cell.count is not None:
                cases = {
                    p.case
                    for p in members[row.group]
                    if EXAMPLE[cell.category] == (p.before, p.after)
                }
                assert len(cases) >= MIN_CELL
                assert cell.count < (row.n or 0)
    groups = [row.group for row in rows]
    if len(groups) > 1:
        outside = {p.case for p in pairs if p.role not in groups}
        assert len(outside) == 0 or len(outside) >= MIN_CELL
    if len(groups) == 3 and all(p.role in ROLES for p in pairs):
        for n in range(len(CATEGORY_ORDER)):
            assert sum(row.cells[n].suppressed for row in rows) != 1
    return groups
