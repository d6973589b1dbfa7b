"""The published benchmarks the clinic's figures are shown beside, each with its source.

Every figure was checked against the study's own abstract (the publisher's or the
institution's record), as RECOVERY-RESEARCH.md section 3 lists them; what the abstract does
not say (the denominator of the effect size, a confidence interval) is said to be unknown,
not filled in. All are pre-post (within-group) standardized mean changes in relationship
satisfaction, with improvement positive.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Published:
    """One published pre-post effect size and what it was measured on."""

    key: str
    label: str | Promise
    value: float
    low: float | None  # its 95% confidence interval, where the source gives one
    high: float | None
    metric: str | Promise
    design: str | Promise
    sample: str | Promise
    measure: str | Promise
    citation: str
    url: str
    checked: str | Promise  # what was read, and what it does not say


PUBLISHED: tuple[Published, ...] = (
    Published(
        key="trials",
        label=_("Couple therapy in trials (all models)"),
        value=1.12,
        low=0.92,
        high=1.31,
        metric=_("Hedges' g, pre to post, within group"),
        design=_("Meta-analysis (random effects) of 58 studies, 40 samples"),
        sample=_("2,092 couples, all opposite-sex"),
        measure=_("relationship satisfaction"),
        citation=(
            "Roddy, M. K., Walsh, L. M., Rothman, K., Hatch, S. G., & Doss, B. D. (2020). "
            "Meta-analysis of couple therapy: Effects across outcomes, designs, timeframes, "
            "and other moderators. American Psychological Association."
        ),
        url=(
            "https://miami.pure.elsevier.com/en/publications/"
            "meta-analysis-of-couple-therapy-effects-across-outcomes-designs-t"
        ),
        checked=_(
            "Abstract: g = 1.12, CI [0.92, 1.31]; waitlist g = 0.12. Greater baseline distress "
            "went with larger gains. Which SD standardizes g is not in the abstract."
        ),
    ),
    Published(
        key="eft",
        label=_("Emotionally focused couple therapy in trials"),
        value=2.09,
        low=None,
        high=None,
        metric=_("Hedges' g, pre to post"),
        design=_("Meta-analysis of 9 randomized controlled trials of EFT"),
        sample=_("not given in the abstract"),
        measure=_("marital satisfaction"),
        citation=(
            "Beasley, C. C., & Ager, R. (2019). Emotionally focused couples therapy: A "
            "systematic review of its effectiveness over the past 19 years. Journal of "
            "Evidence-Informed Social Work. https://doi.org/10.1080/23761407.2018.1563013"
        ),
        url="https://informahealthcare.com/doi/abs/10.1080/23761407.2018.1563013",
        checked=_(
            "Abstract: Hedges' g = 2.09 for marital satisfaction over 9 RCTs; gains kept at "
            "follow-up in 4 RCTs. No confidence interval in the abstract."
        ),
    ),
    Published(
        key="routine",
        label=_("Couple therapy in routine practice (UK clinic)"),
        value=0.58,
        low=None,
        high=None,
        metric=_("Cohen's d from a multilevel model, start to end of therapy"),
        design=_("Naturalistic study, psychodynamic couple therapy, 2 sessions or more"),
        sample=_("877 participants"),
        measure=_("relationship quality (GRIMS; reported as d = -0.58, lower is better)"),
        citation=(
            "Hewison, D., Casey, P., & Mwamba, N. (2016). The effectiveness of couple therapy: "
            "Clinical outcomes in a naturalistic United Kingdom setting. Psychotherapy, 53(4), "
            "377-387. https://doi.org/10.1037/pst0000098"
        ),
        url=(
            "https://docslib.org/doc/11240693/the-effectiveness-of-couple-therapy-clinical-"
            "outcomes-in-a-naturalistic-united-kingdom-setting"
        ),
        checked=_(
            "Article's first page: d = -0.58 on the GRIMS (a medium effect), from hierarchical "
            "linear modelling. No confidence interval on that page."
        ),
    ),
)
