"""ECR-R: Experiences in Close Relationships-Revised. Scoring only; NOT in the catalogue.

Source and version: the 36-item ECR-R of Fraley, Waller & Brennan (2000),
Journal of Personality and Social Psychology 78(2):350-365, in the item order of
Fraley's ECR-R page (labs.psychology.illinois.edu/~rcfraley/measures/ecrr.htm).
That page is the primary source for the key, but only its introduction was
retrieved, not its item list or scoring section (SCORING_ONLY_SOURCES.md).

NOT verified: the item order, the subscale assignment and the reverse-keyed
items. The key below is the design research's (INSTRUMENTS.md 4.1, [V2]: several
consistent public implementations): Anxiety items 1-18, Avoidance items 19-36,
reversed (8 - x) items 9 and 11 (Anxiety) and 20, 22, 26, 27, 28, 29, 30, 31, 33,
34, 35, 36 (Avoidance); 1 = strongly disagree ... 7 = strongly agree; scores are
item means (1-7). The instrument stays out of the default catalogue
(``unverified``) until checked against Fraley's page.

Do not apply the original ECR key (Brennan et al. 1998: odd items avoidance) to
the ECR-R. No cut-offs: the scores are dimensional; higher is more insecure.
Missing items: no rule published; incomplete.
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import Instrument, Licence, Method, Scale, Status

LABELS = (
    "Strongly disagree (1)",
    "(2)",
    "(3)",
    "(4)",
    "(5)",
    "(6)",
    "Strongly agree (7)",
)
VALUES = (1, 2, 3, 4, 5, 6, 7)

ANXIETY = tuple(range(1, 19))
AVOIDANCE = tuple(range(19, 37))
REVERSED = (9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36)

UNVERIFIED = (
    "scoring key not verified: Fraley's scoring instructions (item order, subscales, "
    "reverse-keyed items) were not retrieved; only secondary implementations were seen"
)

INSTRUMENT = Instrument(
    code="ECR-R",
    name="Experiences in Close Relationships-Revised (ECR-R)",
    version="ECR-R 36 items, Fraley's published order (Fraley, Waller & Brennan 2000)",
    citation=(
        "Fraley, R. C., Waller, N. G., & Brennan, K. A. (2000). An item response theory "
        "analysis of self-report measures of adult attachment. Journal of Personality and "
        "Social Psychology, 78(2), 350-365."
    ),
    key_source=(
        "UNVERIFIED (INSTRUMENTS.md 4.1, secondary implementations): anxiety 1-18, avoidance "
        "19-36, reverse 9, 11, 20, 22, 26-31, 33-36"
    ),
    licence=Licence(
        status=Status.SCORING_ONLY,
        wording_ships=False,
        terms=(
            "Items published on the author's page; no statement covering clinical or software "
            "use was found. The clinic supplies wording it is licensed to use."
        ),
        attribution="ECR-R, R. Chris Fraley, Niels G. Waller & Kelly A. Brennan (2000).",
    ),
    items=likert_items(
        [f"attachment anxiety (item {number})" for number in ANXIETY]
        + [f"attachment avoidance (item {number})" for number in AVOIDANCE],
        LABELS,
        VALUES,
        reverse=REVERSED,
    ),
    scales=(
        Scale("anxiety", "Attachment anxiety", ANXIETY, method=Method.MEAN),
        Scale("avoidance", "Attachment avoidance", AVOIDANCE, method=Method.MEAN),
    ),
    primary=None,
    interpretation="attachment anxiety and avoidance (item means 1-7; higher is more insecure)",
    unverified=UNVERIFIED,
    notes=(
        "3-week stability about 85% shared variance (Sibley, Fischer & Liu 2005, abstract); no "
        "normative SD retrieved, so change needs clinic norms.",
    ),
)
