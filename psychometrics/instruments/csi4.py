"""CSI-4: Couples Satisfaction Index, 4-item form.

Source and version: Funk & Rogge (2007), J Fam Psychol 21(4):572-583; the
CSI-4 consists of CSI-32 items 1, 12, 19 and 22 (happiness; warm and
comfortable; rewarding; satisfied). Key: the CSI-32 scoring sheet (copy at
ravansanji.ir, checked in INSTRUMENTS-VERIFICATION.md 6): happiness "0 =
Extremely Unhappy ... 6 = Perfect" (seven options); "True" items "0 = Not at
all True ... 5 = Completely True"; items 19 and 22 "Not at all" 0 ...
"Completely" 5. The item set is consistent across independent copies and an
ICPSR-based scoring script; the authors' own form was not retrieved. Range 0-21;
higher is more satisfied.

Cut-off: scores below 13.5 indicate notable relationship dissatisfaction. This
cut-off is widely used but was not found in a primary copy (cited as such).

Missing items: no proration rule; a missing item leaves the total incomplete.

Change: no published norms or reliable-change threshold; supply local norms
(alpha is about .94, Funk & Rogge 2007, which makes the RCI small: prefer
test-retest reliability or local pre-treatment SDs).

Licence: see ``_csi.py`` (free for research and clinical use per the authors;
written permission requested).
"""

from __future__ import annotations

from psychometrics.instruments._csi import CITATION, LICENCE, csi_items
from psychometrics.model import Band, ChangeRule, Instrument, Scale, ScoreRange

INSTRUMENT = Instrument(
    code="CSI-4",
    name="Couples Satisfaction Index, 4 items",
    version="CSI-4 (Funk & Rogge 2007): CSI-32 items 1, 12, 19, 22",
    citation=CITATION,
    key_source="CSI-32 scoring sheet (Rogge lab), items 1, 12, 19, 22; item 1 has 7 options (0-6)",
    licence=LICENCE,
    items=csi_items((1, 12, 19, 22)),
    scales=(Scale("total", "Relationship satisfaction", (1, 2, 3, 4), higher_is_better=True),),
    primary="total",
    bands=(
        Band("notable dissatisfaction (below 13.5)", ScoreRange("total", below=13.5)),
        Band("not distressed (13.5 or above)", ScoreRange("total", at_least=13.5)),
    ),
    change=(
        ChangeRule(
            scale="total",
            cutoff=13.5,
            cutoff_source="13.5: widely used CSI-4 distress cut-off, not found in a primary copy",
        ),
    ),
    interpretation="relationship satisfaction (higher is better)",
    instructions=None,
    notes=("Never compare CSI-4 totals with CSI-16 or CSI-32 totals.",),
)
