"""RAS: Relationship Assessment Scale (Hendrick 1988). Scoring only; NOT in the catalogue.

Source and version: the 7-item RAS of Hendrick (1988), Journal of Marriage and
the Family 50(1):93-98. Checked on p. 93 (abstract): "the 7-item Relationship
Assessment Scale (RAS)", a single factor, "alpha reliability of .86", r = .80
with the Dyadic Adjustment Scale.

NOT verified: the response format and the reverse-keyed items. The key below is
the design research's (INSTRUMENTS.md 3.3, tagged [V2] from a secondary page):
each item answered A-E and scored A 1 ... E 5, items 4 and 7 reversed (A 5 ...
E 1). Until it is checked against Hendrick (1988) or Hendrick, Dicke & Hendrick
(1998) the instrument stays out of the default catalogue (``unverified``).

No validated cut-off exists; bands seen online are not the author's and are not
used. Higher is better. Missing items: no rule published; incomplete.
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import Instrument, Licence, Method, Scale, Status

LABELS = ("A", "B", "C", "D", "E")
VALUES = (1, 2, 3, 4, 5)
REVERSED = (4, 7)

TOPICS = (
    "partner meets needs",
    "overall satisfaction with the relationship",
    "relationship compared with most",
    "wishing not to have entered the relationship",
    "relationship met original expectations",
    "love for partner",
    "problems in the relationship",
)

UNVERIFIED = (
    "scoring key not verified: the response options and the reverse-keyed items (4 and 7 in "
    "secondary copies) were not found in Hendrick (1988) or another primary source"
)

ALL_ITEMS = tuple(range(1, 8))

INSTRUMENT = Instrument(
    code="RAS",
    name="Relationship Assessment Scale",
    version="RAS 7-item form (Hendrick 1988)",
    citation=(
        "Hendrick, S. S. (1988). A generic measure of relationship satisfaction. Journal of "
        "Marriage and the Family, 50(1), 93-98."
    ),
    key_source=(
        "UNVERIFIED (INSTRUMENTS.md 3.3, secondary): A-E scored 1-5, items 4 and 7 reversed; "
        "item count and alpha .86 verified in Hendrick 1988, p. 93"
    ),
    licence=Licence(
        status=Status.SCORING_ONLY,
        wording_ships=False,
        terms="No licence statement found; the clinic supplies wording it is licensed to use.",
        attribution="Relationship Assessment Scale, Susan S. Hendrick (1988).",
    ),
    items=likert_items(TOPICS, LABELS, VALUES, reverse=REVERSED),
    scales=(
        Scale("total", "Relationship satisfaction", ALL_ITEMS, higher_is_better=True),
        Scale(
            "mean",
            "Relationship satisfaction (item mean)",
            ALL_ITEMS,
            method=Method.MEAN,
            higher_is_better=True,
        ),
    ),
    primary="total",
    interpretation="relationship satisfaction (higher is better); no validated cut-off",
    unverified=UNVERIFIED,
    notes=(
        "Alpha .86 (Hendrick 1988, Study II, 57 couples); no normative SD seen, so change "
        "needs clinic norms.",
        "All-identical answers give 27, not 35, because two items are reversed.",
    ),
)
