"""MSI: Marital Status Inventory (Weiss & Cerreto 1980). Scoring only.

Not the Marital Satisfaction Inventory-Revised (Snyder, WPS), which Rebond
never ships.

Source and version: the 14-item true/false MSI of Weiss & Cerreto (1980),
American Journal of Family Therapy 8(2):80-85 (not retrieved). Key checked in
Crane, Newfield & Armstrong (1984), Journal of Marital and Family Therapy
10(3):305-312, p. 305: "Fourteen questions are presented in true-false format
and inquire into specific thoughts and behaviors believed to represent
progressive steps toward divorce. Thus, scores range from 0 to 14": each "true"
scores 1. The same paper found that "the Guttman properties of the MSI,
previously identified, were not replicated", so the score is the count of
"true" answers, never the highest step reached.

Band: "A score of 4 or more indicates substantial risk of dissolution" (Fink &
Shapiro 2019, Encyclopedia of Couple and Family Therapy, Springer,
doi:10.1007/978-3-319-49425-8_406). This is a reference-work statement; the
original derivation was not seen (SCORING_ONLY_SOURCES.md).

Printed order of the options: True, then False ("true-false format").

Missing items: no rule is published; a missing item leaves the count
incomplete. Change: no published reliable-change threshold or norms; change
needs norms a clinic supplies. Administer to each partner separately.
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import (
    Band,
    ChangeRule,
    Instrument,
    Licence,
    Scale,
    ScoreRange,
    Status,
)

LABELS = ("True", "False")
VALUES = (1, 0)
ITEM_COUNT = 14

CUT_SOURCE = (
    "Fink & Shapiro 2019, Encyclopedia of Couple and Family Therapy, 'Marital Status "
    "Inventory': a score of 4 or more indicates substantial risk of dissolution (secondary)"
)

INSTRUMENT = Instrument(
    code="MSI",
    name="Marital Status Inventory (Weiss-Cerreto)",
    version="MSI 14-item true/false form (Weiss & Cerreto 1980)",
    citation=(
        "Weiss, R. L., & Cerreto, M. C. (1980). The Marital Status Inventory: Development of "
        "a measure of dissolution potential. American Journal of Family Therapy, 8(2), 80-85."
    ),
    key_source=(
        "Crane, Newfield & Armstrong 1984, JMFT 10(3), p. 305: 14 true/false items, score "
        "0-14 (count of 'true'); cut-off 4 from Fink & Shapiro 2019 (secondary)"
    ),
    licence=Licence(
        status=Status.SCORING_ONLY,
        wording_ships=False,
        terms="No licence statement found; the clinic supplies wording it is licensed to use.",
        attribution="Marital Status Inventory, Weiss & Cerreto (1980).",
    ),
    items=likert_items(
        [f"step towards separation {number}" for number in range(1, ITEM_COUNT + 1)],
        LABELS,
        VALUES,
    ),
    scales=(Scale("total", "Steps towards dissolution", tuple(range(1, ITEM_COUNT + 1))),),
    primary="total",
    bands=(
        Band("substantial risk of dissolution", ScoreRange("total", at_least=4)),
        Band("below the risk threshold", ScoreRange("total", at_most=3)),
    ),
    change=(ChangeRule(scale="total", cutoff=4, cutoff_source=CUT_SOURCE),),
    interpretation="number of steps taken towards separation or divorce",
    notes=(
        "Count of 'true' answers; the Guttman (cumulative) property was not replicated "
        "(Crane et al. 1984), so no 'highest step' is reported.",
        "The cut-off 4 comes from a reference-work entry; the original paper was not seen.",
    ),
)
