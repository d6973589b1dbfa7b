"""RDAS: Revised Dyadic Adjustment Scale. Scoring only; NOT in the catalogue.

Source and version: the 14-item RDAS of Busby, Christensen, Crane & Larson
(1995), Journal of Marital and Family Therapy 21(3):289-308. Only p. 289 (the
abstract: three second-order scales, consensus, satisfaction and cohesion) was
retrieved; the item table was not.

The per-item key below is the design research's table (INSTRUMENTS.md 3.2,
tagged [V2]: taken from a scoring sheet copy, which itself misprints
"Occasionally agree" for "Occasionally disagree"). It is UNVERIFIED, so the
instrument stays out of the default catalogue (``unverified``) until someone
checks it against Busby et al. (1995). Consensus 1-6 (0-5 each), Satisfaction
7-10 (printed values already reversed: "All the time" 0 ... "Never" 5),
Cohesion 11 (five options, 0-4) and 12-14 (0-5); total 0-69.

Verified (SCORING_ONLY_SOURCES.md):
- cut-off 48 (48 or more non-distressed): Crane & Middleton (2000), American
  Journal of Family Therapy 28:53-60, abstract;
- cut-off 47.31 and reliable change 11.58 (a change of 12 or more points):
  Anderson, Tambling, Huff, Heafner, Johnson & Ketring (2014), JMFT 40(4):525-534,
  p. 525 (abstract). Higher is better.

Missing items: no rule is published; a missing item leaves the score
incomplete.
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

CONSENSUS_LABELS = (
    "Always agree",
    "Almost always agree",
    "Occasionally disagree",
    "Frequently disagree",
    "Almost always disagree",
    "Always disagree",
)
CONSENSUS_VALUES = (5, 4, 3, 2, 1, 0)

SATISFACTION_LABELS = (
    "All the time",
    "Most of the time",
    "More often than not",
    "Occasionally",
    "Rarely",
    "Never",
)
SATISFACTION_VALUES = (0, 1, 2, 3, 4, 5)

OUTSIDE_INTERESTS_LABELS = ("Every day", "Almost every day", "Occasionally", "Rarely", "Never")
OUTSIDE_INTERESTS_VALUES = (4, 3, 2, 1, 0)

COHESION_LABELS = (
    "Never",
    "Less than once a month",
    "Once or twice a month",
    "Once or twice a week",
    "Once a day",
    "More often",
)
COHESION_VALUES = (0, 1, 2, 3, 4, 5)

UNVERIFIED = (
    "scoring key not verified: the item table of Busby et al. (1995) was not retrieved; the "
    "per-item options and values come from a secondary scoring-sheet copy (the cut-offs 48 and "
    "47.31 and the reliable change 11.58 are verified)"
)

ANDERSON_2014 = (
    "Anderson, Tambling, Huff, Heafner, Johnson & Ketring 2014, JMFT 40(4), p. 525: cut-off "
    "47.31 and reliable change index 11.58 (a change of 12 or more points)"
)

ITEMS = (
    *likert_items(
        (
            "consensus: religious matters",
            "consensus: demonstrations of affection",
            "consensus: major decisions",
            "consensus: sex relations",
            "consensus: conventionality",
            "consensus: career decisions",
        ),
        CONSENSUS_LABELS,
        CONSENSUS_VALUES,
    ),
    *likert_items(
        (
            "satisfaction: considering divorce or separation",
            "satisfaction: quarrelling",
            "satisfaction: regret about the relationship",
            "satisfaction: getting on each other's nerves",
        ),
        SATISFACTION_LABELS,
        SATISFACTION_VALUES,
        first=7,
    ),
    *likert_items(
        ("cohesion: outside interests together",),
        OUTSIDE_INTERESTS_LABELS,
        OUTSIDE_INTERESTS_VALUES,
        first=11,
    ),
    *likert_items(
        (
            "cohesion: stimulating exchange of ideas",
            "cohesion: working together on a project",
            "cohesion: calm discussion",
        ),
        COHESION_LABELS,
        COHESION_VALUES,
        first=12,
    ),
)

INSTRUMENT = Instrument(
    code="RDAS",
    name="Revised Dyadic Adjustment Scale",
    version="RDAS 14-item form (Busby et al. 1995)",
    citation=(
        "Busby, D. M., Christensen, C., Crane, D. R., & Larson, J. H. (1995). A revision of "
        "the Dyadic Adjustment Scale for use with distressed and nondistressed couples: "
        "Construct hierarchy and multidimensional scales. Journal of Marital and Family "
        "Therapy, 21(3), 289-308."
    ),
    key_source=(
        "UNVERIFIED item key (INSTRUMENTS.md 3.2, secondary scoring sheet); cut-off 48: Crane "
        "& Middleton 2000 (abstract); cut-off 47.31 and RCI 11.58: Anderson et al. 2014, p. 525"
    ),
    licence=Licence(
        status=Status.SCORING_ONLY,
        wording_ships=False,
        terms=(
            "No licence statement found; the items are a subset of the commercial DAS "
            "(Spanier 1976). The clinic supplies wording it is licensed to use."
        ),
        attribution="Revised Dyadic Adjustment Scale, Busby, Christensen, Crane & Larson (1995).",
    ),
    items=ITEMS,
    scales=(
        Scale("total", "Dyadic adjustment", tuple(range(1, 15)), higher_is_better=True),
        Scale("consensus", "Consensus", (1, 2, 3, 4, 5, 6), higher_is_better=True),
        Scale("satisfaction", "Satisfaction", (7, 8, 9, 10), higher_is_better=True),
        Scale("cohesion", "Cohesion", (11, 12, 13, 14), higher_is_better=True),
    ),
    primary="total",
    bands=(
        Band("non-distressed", ScoreRange("total", at_least=48)),
        Band("distressed", ScoreRange("total", at_most=47)),
    ),
    change=(
        ChangeRule(
            scale="total",
            reliable_change=11.58,
            reliable_change_source=ANDERSON_2014,
            cutoff=47.31,
            cutoff_source=ANDERSON_2014,
        ),
    ),
    interpretation="relationship adjustment (higher is better)",
    unverified=UNVERIFIED,
    notes=(
        "Bands: 48 or more non-distressed, 47 or less distressed (Crane & Middleton 2000, "
        "abstract).",
        "Satisfaction items print their values already reversed; never reverse them again.",
    ),
)
