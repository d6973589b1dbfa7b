"""What the benchmark chart shows (plain data) and its text alternative, built from that data.

One row per effect size: the clinic's (per instrument and group, where not suppressed), then
the published benchmarks. Each has its 95% interval where known. The drawing is
`plotting.py` (matplotlib, loaded only when a chart is drawn), in the style of the progress
charts (rebond/measurement/charts.py: the same rendering parameters and palette).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from psychometrics.display import figure
from rebond.outcomes.data import ClinicBenchmarks
from rebond.outcomes.published import PUBLISHED

GROUP_WORDS = {"all": "all partners", "hurt": "hurt partners", "hurtful": "hurtful partners"}


@dataclass(frozen=True)
class Estimate:
    """One effect size on the chart."""

    label: str
    value: float
    low: float | None
    high: float | None
    published: bool


@dataclass(frozen=True)
class BenchmarkChart:
    title: str
    estimates: Sequence[Estimate]
    left_out: Sequence[str]  # the clinic's groups not drawn, and why

    @property
    def height_inches(self) -> float:
        return 1.3 + 0.34 * max(len(self.estimates), 1)


def interval(low: float | None, high: float | None) -> str:
    """Return "[0.40, 1.30]", or "" without an interval."""
    if low is None or high is None:
        return ""
    return f"[{low:.2f}, {high:.2f}]"


def chart_data(state: ClinicBenchmarks) -> BenchmarkChart:
    """Return the chart of the clinic's effect sizes beside the published ones."""
    estimates = []
    left_out = []
    for item in state.instruments:
        for row in item.result.rows:
            group = _(GROUP_WORDS[row.group])
            if row.suppressed:
                left_out.append(
                    _("%(code)s, %(group)s: fewer than 5 cases")
                    % {"code": item.code, "group": group}
                )
                continue
            if row.effect is None:
                left_out.append(
                    _("%(code)s, %(group)s: no spread at intake, no effect size")
                    % {"code": item.code, "group": group}
                )
                continue
            label = _("This practice, %(code)s, %(group)s (n %(n)s)") % {
                "code": item.code,
                "group": group,
                "n": row.n,
            }
            estimates.append(
                Estimate(label, row.effect.g, row.effect.low, row.effect.high, published=False)
            )
    for study in PUBLISHED:
        estimates.append(
            Estimate(_short_label(study.key), study.value, study.low, study.high, True)
        )
    return BenchmarkChart(
        # xgettext:no-python-format
        _("Pre-post effect sizes (positive = improvement), with 95% intervals"),
        estimates,
        left_out,
    )


def _short_label(key: str) -> str:
    return {
        "trials": _("Trials, all couple therapies (Roddy et al. 2020)"),
        "eft": _("Trials, EFT (Beasley & Ager 2019)"),
        "routine": _("Routine practice, UK (Hewison et al. 2016)"),
    }[key]


def alt_text(data: BenchmarkChart) -> str:
    """Say what the chart shows, from its own data: every estimate and its interval."""
    parts = [_("%(title)s. Dot and bar chart; a line marks 0 (no change).") % {"title": data.title}]
    for estimate in data.estimates:
        span = interval(estimate.low, estimate.high)
        value = figure(estimate.value, 2)
        if span:
            parts.append(f"{estimate.label}: {value} {span}.")
        else:
            parts.append(
                _("%(label)s: %(value)s (no interval published).")
                % {"label": estimate.label, "value": value}
            )
    if data.left_out:
        parts.append(_("Not drawn: %(list)s.") % {"list": "; ".join(data.left_out)})
    return " ".join(parts)
