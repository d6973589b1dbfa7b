"""The benchmarks as the page and the PDF write them: the same words and numbers in both.

A suppressed figure reads "fewer than 5"; an effect size reads "g 0.85 [0.40, 1.30]"; a
category "6 (25%)". The caveats are written here once, for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from psychometrics import Category
from psychometrics.benchmarks import MIN_CELL, Row
from psychometrics.display import figure
from rebond.outcomes.charts import interval
from rebond.outcomes.data import ClinicBenchmarks, InstrumentBenchmark

FEWER = gettext_lazy("fewer than 5")

GROUP_LABELS = {
    "all": gettext_lazy("All partners"),
    "hurt": gettext_lazy("Hurt partners"),
    "hurtful": gettext_lazy("Hurtful partners"),
}

CATEGORY_LABELS = {
    Category.RECOVERED: gettext_lazy("Recovered"),
    Category.IMPROVED: gettext_lazy("Reliably improved, not recovered"),
    Category.UNCHANGED: gettext_lazy("No reliable change"),
    Category.DETERIORATED: gettext_lazy("Reliably deteriorated"),
}

# What the page and the PDF say about comparing these numbers (issue 17; sources in
# RECOVERY-RESEARCH.md 3 and docs/benchmarks.md).
CAVEATS: tuple[str | Promise, ...] = (
    gettext_lazy(
        "Different designs. Trials select their couples, follow a manual and measure everyone "
        "at set times; this practice's figures come from routine work, where effects of about "
        "half the size of trial effects are usual (Halford, Pepping & Petch 2016)."
    ),
    gettext_lazy(
        "Different samples. The meta-analyses pool mostly opposite-sex couples from research "
        "studies (Roddy et al. 2020); this practice sees whoever comes, many after a betrayal, "
        "and more distressed couples tend to gain more."
    ),
    gettext_lazy(
        "Different instruments. The published figures are on other relationship measures "
        "(for example the GRIMS); a standardized effect size makes them comparable only "
        "roughly. Individual measures such as the GAD-7 are not relationship satisfaction: "
        "compare relationship measures with the benchmarks."
    ),
    gettext_lazy(
        "Trial and routine endings differ. Here the last score is the one before the case "
        "ended, whether it ended as planned or because the couple stopped coming."
    ),
    gettext_lazy(
        "Self-selected cases. Only partners who agreed to their scores being used for service "
        "evaluation are counted; they may differ from those who did not."
    ),
    gettext_lazy(
        # xgettext:no-python-format
        "Small numbers. With few cases the 95% interval is wide and may overlap several "
        "benchmarks at once. The interval treats the two partners of a couple as independent, "
        "which they are not, so it is somewhat too narrow."
    ),
    gettext_lazy(
        "Recovered is counted out of every partner, including those who started in the "
        "functional range and so could not recover."
    ),
)


@dataclass(frozen=True)
class DisplayRow:
    group: str
    n: str
    scores: str
    effect: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class DisplayInstrument:
    code: str
    name: str
    direction: str
    judged: str  # how reliable change and recovery were judged, with sources
    rows: tuple[DisplayRow, ...]
    categories: tuple[str, ...]  # the category names; empty without a reliable-change figure

    @property
    def groups(self) -> tuple[str, ...]:
        """Return the groups, one column each."""
        return tuple(row.group for row in self.rows)

    @property
    def lines(self) -> list[tuple[str, tuple[str, ...]]]:
        """Return the table one measure a line, one cell per group (narrow enough for A4)."""
        lines = [
            (_("Counted"), tuple(row.n for row in self.rows)),
            (_("Mean score"), tuple(row.scores for row in self.rows)),
            (_("Effect size (Hedges' g, 95% CI)"), tuple(row.effect for row in self.rows)),
        ]
        for n, category in enumerate(self.categories):
            lines.append((category, tuple(row.cells[n] for row in self.rows)))
        return lines


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _row(row: Row) -> DisplayRow:
    label = str(GROUP_LABELS[row.group])
    if row.suppressed:
        cells = tuple(str(FEWER) for _cell in row.cells)
        return DisplayRow(label, str(FEWER), "", "", cells)
    n = _("%(n)s partners of %(cases)s couples") % {"n": row.n, "cases": row.cases}
    scores = effect = ""
    if row.effect is not None:
        scores = _("first %(first)s, last %(last)s") % {
            "first": figure(row.effect.mean_before),
            "last": figure(row.effect.mean_after),
        }
        effect = f"g {row.effect.g:.2f} {interval(row.effect.low, row.effect.high)}".strip()
    cells = tuple(
        str(FEWER)
        if cell.count is None or cell.share is None
        else f"{cell.count} ({_percent(cell.share)})"
        for cell in row.cells
    )
    return DisplayRow(label, n, scores, effect, cells)


def judged_words(item: InstrumentBenchmark) -> str:
    """Say how change on the instrument was judged, with the sources, or why it was not."""
    judged = item.result.judged_by
    if judged is None:
        return _(
            "%(code)s has no published reliable-change figure (no test-retest reliability or "
            "clinical SD was found for it), so no partner can be called reliably improved, "
            "recovered or deteriorated on it: only the effect size is shown."
        ) % {"code": item.code}
    words = _("Reliable change: %(points)s points or more (%(source)s).") % {
        "points": figure(judged.reliable_change, 2),
        "source": judged.threshold_source,
    }
    if judged.cutoff is not None:
        words += " " + _("Cut-off: %(cutoff)s (%(source)s).") % {
            "cutoff": figure(judged.cutoff, 2),
            "source": judged.cutoff_source,
        }
    return words


def display(state: ClinicBenchmarks) -> list[DisplayInstrument]:
    """Return every instrument's figures as the page and the PDF write them."""
    shown = []
    for item in state.instruments:
        result = item.result
        target = item.instrument.scale(result.scale)
        direction = _("higher is better") if result.higher_is_better else _("lower is better")
        rows = tuple(_row(row) for row in result.rows)
        heads = (
            tuple(str(CATEGORY_LABELS[k]) for k in CATEGORY_LABELS)
            if result.has_reliable_change
            else ()
        )
        shown.append(
            DisplayInstrument(item.code, target.name, direction, judged_words(item), rows, heads)
        )
    return shown


def cases_words(state: ClinicBenchmarks) -> str:
    """Return how many cases the figures come from ("fewer than 5" below the minimum)."""
    if state.cases < MIN_CELL:
        return _("Figures from fewer than 5 closed cases.")
    return _("Figures from %(n)s closed cases with consent to service evaluation.") % {
        "n": state.cases
    }
