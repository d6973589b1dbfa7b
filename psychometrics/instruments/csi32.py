"""CSI-32: Couples Satisfaction Index, 32-item form.

Source and version: Funk & Rogge (2007), J Fam Psychol 21(4):572-583, and the
CSI-32 scoring sheet (copy at ravansanji.ir). Range 0-161 (not "2-158"); distress
cut-off below 104.5 (secondary source). Reversed items 6, 10 and 15; item 1 has
seven options.

NOT IN THE DEFAULT CATALOGUE: the reversal of item 15, the labels of item 23
and the printed orientation of the seven semantic-differential items (26-32)
were not checked against a primary copy (INSTRUMENTS.md 3.1 tags item 15 [K];
INSTRUMENTS-VERIFICATION.md 6).

Missing items: no proration rule; a missing item leaves the total incomplete.
"""

from __future__ import annotations

from psychometrics.instruments._csi import CITATION, LICENCE, csi_items
from psychometrics.model import Band, ChangeRule, Instrument, Scale, ScoreRange

INSTRUMENT = Instrument(
    code="CSI-32",
    name="Couples Satisfaction Index, 32 items",
    version="CSI-32 (Funk & Rogge 2007)",
    citation=CITATION,
    key_source="CSI-32 scoring sheet (Rogge lab), copy at ravansanji.ir; partly unverified",
    licence=LICENCE,
    items=csi_items(tuple(range(1, 33))),
    scales=(
        Scale("total", "Relationship satisfaction", tuple(range(1, 33)), higher_is_better=True),
    ),
    primary="total",
    bands=(
        Band("notable dissatisfaction (below 104.5)", ScoreRange("total", below=104.5)),
        Band("not distressed (104.5 or above)", ScoreRange("total", at_least=104.5)),
    ),
    change=(
        ChangeRule(
            scale="total",
            cutoff=104.5,
            cutoff_source="104.5: CSI-32 distress cut-off (secondary source)",
        ),
    ),
    interpretation="relationship satisfaction (higher is better)",
    unverified=(
        "scoring key not verified: item 15's reversal, item 23's labels and the "
        "semantic-differential orientation (items 26-32) were not found in a primary copy"
    ),
)
