"""ECR-S: Experiences in Close Relationship Scale-Short Form (Wei et al. 2007). NOT in catalogue.

Scoring only. Source and version: the 12-item ECR-S of Wei, Russell,
Mallinckrodt & Vogel (2007), Journal of Personality Assessment 88(2):187-204,
doi:10.1080/00223890701268041. Checked on p. 187 (abstract): 12 items, two
factors labelled Anxiety and Avoidance, 1-month test-retest (Study 4). The
appendix with the items and keys was not retrieved. Not the ECR-12 (Lafontaine
et al. 2016), which has other items and another key.

NOT verified: which items are Anxiety and which Avoidance, the reverse-keyed
items and the anchors. The key below is the design research's (INSTRUMENTS.md
4.3, [K]): Anxiety 2, 4, 6, 8, 10, 12; Avoidance 1, 3, 5, 7, 9, 11; items 1, 5, 8
and 9 reversed (8 - x); 1 = strongly disagree ... 7 = strongly agree; scores are
item means. The instrument stays out of the default catalogue (``unverified``)
until checked against the article's appendix.

No cut-offs; higher is more insecure. Missing items: no rule published;
incomplete.
"""

from __future__ import annotations

from psychometrics.instruments import ecrr
from psychometrics.instruments._build import likert_items
from psychometrics.model import Instrument, Licence, Method, Scale, Status

ANXIETY = (2, 4, 6, 8, 10, 12)
AVOIDANCE = (1, 3, 5, 7, 9, 11)
REVERSED = (1, 5, 8, 9)

UNVERIFIED = (
    "scoring key not verified: the appendix of Wei et al. (2007) with the item assignment and "
    "reverse-keyed items was not retrieved"
)

INSTRUMENT = Instrument(
    code="ECR-S",
    name="Experiences in Close Relationship Scale-Short Form (ECR-S)",
    version="ECR-S 12 items (Wei, Russell, Mallinckrodt & Vogel 2007)",
    citation=(
        "Wei, M., Russell, D. W., Mallinckrodt, B., & Vogel, D. L. (2007). The Experiences in "
        "Close Relationship Scale (ECR)-Short Form: Reliability, validity, and factor "
        "structure. Journal of Personality Assessment, 88(2), 187-204."
    ),
    key_source=(
        "UNVERIFIED (INSTRUMENTS.md 4.3, [K]): anxiety even items, avoidance odd items, "
        "reverse 1, 5, 8, 9"
    ),
    licence=Licence(
        status=Status.SCORING_ONLY,
        wording_ships=False,
        terms=(
            "Items derive from the ECR (free for research); Wei's terms were not found. The "
            "clinic supplies wording it is licensed to use."
        ),
        attribution="ECR-S, Meifen Wei, Daniel W. Russell, Brent Mallinckrodt & David L. Vogel.",
    ),
    items=likert_items(
        [
            f"attachment {'anxiety' if number in ANXIETY else 'avoidance'} (item {number})"
            for number in range(1, 13)
        ],
        ecrr.LABELS,
        ecrr.VALUES,
        reverse=REVERSED,
    ),
    scales=(
        Scale("anxiety", "Attachment anxiety", ANXIETY, method=Method.MEAN),
        Scale("avoidance", "Attachment avoidance", AVOIDANCE, method=Method.MEAN),
    ),
    primary=None,
    interpretation="attachment anxiety and avoidance (item means 1-7; higher is more insecure)",
    unverified=UNVERIFIED,
)
