"""DTS: Dyadic Trust Scale (Larzelere & Huston 1980). Scoring only; NOT in the catalogue.

Source and version: Larzelere & Huston (1980), Journal of Marriage and the
Family 42(3):595-604. Checked: the abstract ("unidimensional, reliable,
relatively free from response biases") and the definition on p. 596 (trust
"exists to the extent that a person believes another person (or persons) to be
benevolent and honest"). The item list and scoring were not retrieved.

NOT verified: the number of items, the response format and its direction, and
the reverse-keyed items. The key below is the design research's (INSTRUMENTS.md
3.4, tagged [K]): 8 items on a 7-point agreement scale coded 1 (strongly
disagree) to 7 (strongly agree), items 1, 2 and 6 reversed (8 - x), total
8-56. Only the end points carry words in that description, so the inner points
are labelled by their number in brackets. The instrument stays out of the
default catalogue (``unverified``) until checked against the article.

Do not mix in the Polish 5-item or Chinese 7-item adaptations. Higher is
better. Missing items: no rule published; incomplete.
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
REVERSED = (1, 2, 6)

TOPICS = (
    "partner primarily interested in own welfare",
    "times when partner cannot be trusted",
    "trust in partner (item 3)",
    "trust in partner (item 4)",
    "trust in partner (item 5)",
    "partner does not show enough consideration",
    "trust in partner (item 7)",
    "trust in partner (item 8)",
)

UNVERIFIED = (
    "scoring key not verified: the items, response direction and reverse-keyed items of "
    "Larzelere & Huston (1980) were not found in a primary source"
)

ALL_ITEMS = tuple(range(1, 9))

INSTRUMENT = Instrument(
    code="DTS",
    name="Dyadic Trust Scale",
    version="DTS 8-item form (Larzelere & Huston 1980)",
    citation=(
        "Larzelere, R. E., & Huston, T. L. (1980). The Dyadic Trust Scale: Toward "
        "understanding interpersonal trust in close relationships. Journal of Marriage and "
        "the Family, 42(3), 595-604."
    ),
    key_source="UNVERIFIED (INSTRUMENTS.md 3.4, [K]): 1-7 agreement, items 1, 2, 6 reversed",
    licence=Licence(
        status=Status.SCORING_ONLY,
        wording_ships=False,
        terms="No licence statement found; the clinic supplies wording it is licensed to use.",
        attribution="Dyadic Trust Scale, Larzelere & Huston (1980).",
    ),
    items=likert_items(TOPICS, LABELS, VALUES, reverse=REVERSED),
    scales=(
        Scale("total", "Trust in partner", ALL_ITEMS, higher_is_better=True),
        Scale(
            "mean",
            "Trust in partner (item mean)",
            ALL_ITEMS,
            method=Method.MEAN,
            higher_is_better=True,
        ),
    ),
    primary="total",
    interpretation="trust in the partner's benevolence and honesty (higher is better)",
    unverified=UNVERIFIED,
)
