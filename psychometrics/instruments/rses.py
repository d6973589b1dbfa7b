"""RSES: Rosenberg Self-Esteem Scale, original (1965 / PhenX) item order.

Item order: Rebond uses ONE order, the original Rosenberg (1965) order as
printed in PhenX protocol 180901 (also LOINC panel 62931-1, NLSY79). In this
order items 3, 5, 8, 9 and 10 are reverse-scored. The University of Maryland
page prints the same items in another order (reversing 2, 5, 6, 8, 9); never
mix the two.

Key: PhenX protocol 180901, scoring instructions: "For items 1, 2, 4, 6, 7:
Strongly Agree=3, Agree=2, Disagree=1, and Strongly Disagree=0. For items 3,
5, 8, 9, 10 (which are reversed in valence...)" SA=0 ... SD=3. Total 0-30.
PhenX's column codes 1-4 are not scores. There are no official cut-offs: the
UMD FAQ says "There are no discrete cut-off points to delineate high and low
self-esteem", so no bands are shown.

Missing items: no proration rule; a missing item leaves the total incomplete.

Change: no published reliable-change threshold; supply local norms.

Licence: the UMD statement: the scale is in the public domain and may be used
without charge (quoted in INSTRUMENTS.md 5.5; secondary); PhenX publishes the
full form.
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import Instrument, Licence, Scale, Status

LABELS = ("Strongly agree", "Agree", "Disagree", "Strongly disagree")

TEXTS = (
    "I feel that I'm a person of worth, at least on an equal plane with others.",
    "I feel that I have a number of good qualities.",
    "All in all, I am inclined to feel that I am a failure.",
    "I am able to do things as well as most other people.",
    "I feel I do not have much to be proud of.",
    "I take a positive attitude toward myself.",
    "On the whole, I am satisfied with myself.",
    "I wish I could have more respect for myself.",
    "I certainly feel useless at times.",
    "At times I think I am no good at all.",
)

TOPICS = (
    "person of worth",
    "good qualities",
    "feels a failure",
    "as able as others",
    "little to be proud of",
    "positive attitude to self",
    "satisfied with self",
    "wishes for more self-respect",
    "feels useless",
    "feels no good",
)

INSTRUMENT = Instrument(
    code="RSES",
    name="Rosenberg Self-Esteem Scale",
    version="Original (1965) item order, as PhenX protocol 180901; items scored 0-3",
    citation=(
        "Rosenberg, M. (1965). Society and the adolescent self-image. Princeton University Press."
    ),
    key_source="PhenX protocol 180901, scoring instructions (reverse items 3, 5, 8, 9, 10)",
    licence=Licence(
        status=Status.SHIP,
        wording_ships=True,
        terms=(
            "Public domain according to the University of Maryland Department of Sociology; "
            "may be used without charge."
        ),
        attribution="Rosenberg, M. (1965). Society and the adolescent self-image.",
    ),
    items=likert_items(TOPICS, LABELS, (3, 2, 1, 0), texts=TEXTS, reverse={3, 5, 8, 9, 10}),
    scales=(Scale("total", "Self-esteem", tuple(range(1, 11)), higher_is_better=True),),
    primary="total",
    interpretation="self-esteem (higher is better; no official cut-off)",
    instructions=(
        "Below is a list of statements dealing with your general feelings about yourself. "
        "Please indicate how strongly you agree or disagree with each statement."
    ),
    notes=(
        "The University of Maryland page prints the items in a different order (reversing "
        "items 2, 5, 6, 8, 9); Rebond uses only the original order.",
        "No official cut-off exists; the often-repeated 'below 15 = low' is not Rosenberg's.",
    ),
)
