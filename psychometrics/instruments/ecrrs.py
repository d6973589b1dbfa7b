"""ECR-RS: Experiences in Close Relationships - Relationship Structures, partner form.

Source and version: Fraley, Heffernan, Vicary & Brumbaugh (2011),
Psychological Assessment 23(3):615-625; the 9-item "romantic partner" form from
Fraley's Relationship Structures page. Key (Fraley's scoring text, reproduced
at the Georgetown MACS measures page and the Olomouc platform page, checked in
INSTRUMENTS-VERIFICATION.md 7): "The avoidance score can be computed by
averaging items 1 - 6, while reverse keying items 1, 2, 3, and 4. The anxiety
score can be computed by averaging items 7 - 9." Answers 1 = strongly disagree
to 7 = strongly agree; only the two ends are labelled, so the middle points
are labelled "Point 2" to "Point 6". Reverse keying is 8 - x.

Missing items: Fraley gives no rule for missing items; a missing item leaves
its score incomplete.

Change: no published norms with an SD; 30-day test-retest is about .65 for the
romantic domain (Fraley et al. 2011). Supply local norms for the RCI.

Licence: items and scoring are published on the author's page; no terms of use
were found. Status: free for research and clinical use as described by the
author's distribution; written permission requested (pending).
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import Instrument, Licence, Method, Scale, Status

LABELS = (
    "Strongly disagree",
    "Point 2",
    "Point 3",
    "Point 4",
    "Point 5",
    "Point 6",
    "Strongly agree",
)

TEXTS = (
    "It helps to turn to this person in times of need.",
    "I usually discuss my problems and concerns with this person.",
    "I talk things over with this person.",
    "I find it easy to depend on this person.",
    "I don't feel comfortable opening up to this person.",
    "I prefer not to show this person how I feel deep down.",
    "I often worry that this person doesn't really care for me.",
    "I'm afraid that this person may abandon me.",
    "I worry that this person won't care about me as much as I care about him or her.",
)

TOPICS = (
    "turns to partner",
    "discusses problems",
    "talks things over",
    "easy to depend",
    "uncomfortable opening up",
    "hides feelings",
    "worries partner doesn't care",
    "fears abandonment",
    "worries partner cares less",
)

INSTRUMENT = Instrument(
    code="ECR-RS",
    name="Experiences in Close Relationships - Relationship Structures (partner)",
    version="ECR-RS romantic-partner form (Fraley et al. 2011), 9 items, 1-7",
    citation=(
        "Fraley, R. C., Heffernan, M. E., Vicary, A. M., & Brumbaugh, C. C. (2011). The "
        "Experiences in Close Relationships-Relationship Structures questionnaire: A method for "
        "assessing attachment orientations across relationships. Psychological Assessment, "
        "23(3), 615-625."
    ),
    key_source="Fraley's ECR-RS scoring text (avoidance: mean 1-6, reverse 1-4; anxiety: mean 7-9)",
    licence=Licence(
        status=Status.SHIP_PENDING,
        wording_ships=True,
        terms="Free for research and clinical use; written permission requested.",
        attribution="ECR-RS: R. Chris Fraley, University of Illinois.",
    ),
    items=likert_items(TOPICS, LABELS, (1, 2, 3, 4, 5, 6, 7), texts=TEXTS, reverse={1, 2, 3, 4}),
    scales=(
        Scale("avoidance", "Attachment avoidance", (1, 2, 3, 4, 5, 6), method=Method.MEAN),
        Scale("anxiety", "Attachment anxiety", (7, 8, 9), method=Method.MEAN),
    ),
    primary=None,
    interpretation="attachment avoidance and anxiety towards the partner (means, 1-7)",
    instructions=(
        "Please answer the following questions about your romantic partner. Indicate how much "
        "you agree or disagree with each statement."
    ),
    notes=("Dimensional scores: no cut-offs.",),
)
