"""CSI-16: Couples Satisfaction Index, 16-item form.

Source and version: Funk & Rogge (2007), J Fam Psychol 21(4):572-583; CSI-16
= CSI-32 items 1, 5, 9, 11, 12, 17, 19, 20, 21, 22, 26, 27, 28, 30, 31, 32.
Range 0-81; distress cut-off below 51.5 (widely used, not found in a primary
copy).

NOT IN THE DEFAULT CATALOGUE: the six semantic-differential items (11-16) were
not checked against the authors' form: which pole is printed on the left, and
that the positive pole scores 5, come from secondary copies and public
implementations only (INSTRUMENTS-VERIFICATION.md 6). Until checked, scoring
by box position could be reversed on those items.

Missing items: no proration rule; a missing item leaves the total incomplete.
"""

from __future__ import annotations

from psychometrics.instruments._csi import CITATION, LICENCE, csi_items
from psychometrics.model import Band, ChangeRule, Instrument, Scale, ScoreRange

INSTRUMENT = Instrument(
    code="CSI-16",
    name="Couples Satisfaction Index, 16 items",
    version="CSI-16 (Funk & Rogge 2007): CSI-32 items 1, 5, 9, 11, 12, 17, 19-22, 26-28, 30-32",
    citation=CITATION,
    key_source="CSI-32 scoring sheet (Rogge lab) for items 1-10; semantic items not verified",
    licence=LICENCE,
    items=csi_items((1, 5, 9, 11, 12, 17, 19, 20, 21, 22, 26, 27, 28, 30, 31, 32)),
    scales=(
        Scale("total", "Relationship satisfaction", tuple(range(1, 17)), higher_is_better=True),
    ),
    primary="total",
    bands=(
        Band("notable dissatisfaction (below 51.5)", ScoreRange("total", below=51.5)),
        Band("not distressed (51.5 or above)", ScoreRange("total", at_least=51.5)),
    ),
    change=(
        ChangeRule(
            scale="total",
            cutoff=51.5,
            cutoff_source="51.5: widely used CSI-16 distress cut-off, not found in a primary copy",
        ),
    ),
    interpretation="relationship satisfaction (higher is better)",
    unverified=(
        "scoring key not verified: the printed orientation and scoring of the six "
        "semantic-differential items (11-16) were not found in a primary copy of the CSI-16"
    ),
)
