"""E-HITS: extended HITS with a sexual-violence item. Scoring only; NOT in the catalogue.

Source and version: Iverson, King, Gerber, Resick, Kimerling, Street & Vogt
(2015), Journal of Traumatic Stress 28(1):79-82, doi:10.1002/jts.21985. Checked
on p. 79 (abstract): "an extended HITS (E-HITS), which adds a sexual IPV item",
"the 5-item E-HITS", optimal cut-off 7 in female VHA patients (sensitivity .75,
specificity .82).

Verified: items 1-4 are the HITS items (see ``hits.py``, Sherin et al. 1998) and
the cut-off 7. NOT verified: the response options and scored values of item 5.
This module gives item 5 the HITS scale (Never 1 ... Frequently 5), which is the
design research's assumption (INSTRUMENTS.md 5.7, total 5-25), not something a
source was seen to state; hence ``unverified`` and no place in the default
catalogue until the article's item table is checked (SCORING_ONLY_SOURCES.md).

Flags (Rebond's rules, INSTRUMENTS.md 6.7): any answer above "Never" on item 1
(physical hurt) or item 5 (forced sexual activity).
"""

from __future__ import annotations

from psychometrics.instruments import hits
from psychometrics.instruments._build import likert_items
from psychometrics.model import (
    Band,
    ChangeRule,
    Flag,
    FlagRule,
    Instrument,
    ItemCount,
    Licence,
    Scale,
    ScoreRange,
    Status,
)

TOPICS = (*hits.TOPICS, "partner forces the respondent into sexual activity")

UNVERIFIED = (
    "scoring key not verified: the response options and scored values of item 5 (the sexual "
    "violence item) were not found in a primary source; Iverson et al. (2015, abstract) give "
    "only the five items and the cut-off 7"
)

CUT_SOURCE = (
    "Iverson et al. 2015, J Trauma Stress 28(1), p. 79 (abstract): optimal cut-off 7 in "
    "female VHA patients (sensitivity .75, specificity .82)"
)

SEXUAL_VIOLENCE = Flag(
    code="ehits_sexual_violence",
    message=(
        "E-HITS item 5 (forced sexual activity by a partner) was endorsed: tell the clinician, "
        "whatever the total, and plan an individual session before the next conjoint one."
    ),
)

INSTRUMENT = Instrument(
    code="E-HITS",
    name="Extended Hurt, Insult, Threaten, Scream (E-HITS)",
    version="E-HITS 5-item form (Iverson et al. 2015)",
    citation=(
        "Iverson, K. M., King, M. W., Gerber, M. R., Resick, P. A., Kimerling, R., Street, "
        "A. E., & Vogt, D. (2015). Accuracy of an intimate partner violence screening tool "
        "for female VHA patients: A replication and extension. Journal of Traumatic Stress, "
        "28(1), 79-82."
    ),
    key_source=(
        "Items 1-4: Sherin et al. 1998 (see HITS); item 5 and cut-off 7: Iverson et al. 2015, "
        "p. 79; item-5 option values unverified"
    ),
    licence=Licence(
        status=Status.SCORING_ONLY,
        wording_ships=False,
        terms=hits.LICENCE.terms,
        attribution="E-HITS (Iverson et al. 2015), extending HITS by Kevin M. Sherin, MD.",
    ),
    items=likert_items(TOPICS, hits.LABELS, hits.VALUES),
    scales=(Scale("total", "Intimate partner violence screen", (1, 2, 3, 4, 5)),),
    primary="total",
    bands=(
        Band("positive screen", ScoreRange("total", at_least=7)),
        Band("negative screen", ScoreRange("total", at_most=6)),
    ),
    flags=(
        FlagRule(hits.PHYSICAL_HURT, ItemCount((1,), at_least=2)),
        FlagRule(SEXUAL_VIOLENCE, ItemCount((5,), at_least=2)),
    ),
    change=(ChangeRule(scale="total", cutoff=7, cutoff_source=CUT_SOURCE),),
    interpretation="frequency of partner hurt, insult, threat, screaming and sexual coercion",
    unverified=UNVERIFIED,
    notes=(
        "A cut-off of 8.5 (Hong Kong emergency departments, Chan et al. 2010) is cited in the "
        "design research but was not retrieved.",
    ),
)
