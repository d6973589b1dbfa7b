"""Shared key of the Couples Satisfaction Index (Funk & Rogge 2007), CSI-32 numbering.

Each entry is (topic, text, labels in printed order, scored values). The
scored values already include reversals (CSI-32 items 6, 10, 15) and the
semantic-differential poles (positive pole = 5, wherever it is printed).
Semantic-differential boxes carry no labels on the form; the two ends are
labelled with their pole word and the inner boxes "box 2" to "box 5", counted
from the left.
"""

from __future__ import annotations

from collections.abc import Sequence

from psychometrics.model import Item, Licence, Status, options

HAPPY = (
    "Extremely unhappy",
    "Fairly unhappy",
    "A little unhappy",
    "Happy",
    "Very happy",
    "Extremely happy",
    "Perfect",
)
AGREE = (
    "Always agree",
    "Almost always agree",
    "Occasionally disagree",
    "Frequently disagree",
    "Almost always disagree",
    "Always disagree",
)
OFTEN = (
    "All the time",
    "Most of the time",
    "More often than not",
    "Occasionally",
    "Rarely",
    "Never",
)
TRUE = (
    "Not at all true",
    "A little true",
    "Somewhat true",
    "Mostly true",
    "Almost completely true",
    "Completely true",
)
EXTENT = ("Not at all", "A little", "Somewhat", "Mostly", "Almost completely", "Completely")
COMPARED = (
    "Worse than all others",
    "Worse than most",
    "Worse than many",
    "Better than many",
    "Better than most",
    "Better than all others",
)
FREQUENCY = (
    "Never",
    "Less than once a month",
    "Once or twice a month",
    "Once or twice a week",
    "Once a day",
    "More often",
)
UP = (0, 1, 2, 3, 4, 5)
DOWN = (5, 4, 3, 2, 1, 0)


def semantic(left: str, right: str) -> tuple[str, ...]:
    """Return the labels of a six-box semantic differential printed left to right."""
    return (left, "box 2", "box 3", "box 4", "box 5", right)


Entry = tuple[str, str, Sequence[str], Sequence[int]]

CSI32: tuple[Entry, ...] = (
    (
        "happiness",
        "Please indicate the degree of happiness, all things considered, of your relationship.",
        HAPPY,
        (0, 1, 2, 3, 4, 5, 6),
    ),
    ("agreement: time together", "Amount of time spent together", AGREE, DOWN),
    ("agreement: major decisions", "Making major decisions", AGREE, DOWN),
    ("agreement: affection", "Demonstrations of affection", AGREE, DOWN),
    (
        "going well",
        "In general, how often do you think that things between you and your "
        "partner are going well?",
        OFTEN,
        DOWN,
    ),
    (
        "wish not in relationship",
        "How often do you wish you hadn't gotten into this relationship?",
        OFTEN,
        UP,
    ),
    ("strong connection", "I still feel a strong connection with my partner", TRUE, UP),
    (
        "would choose again",
        "If I had my life to live over, I would marry (or live with / date) the same person",
        TRUE,
        UP,
    ),
    ("relationship strong", "Our relationship is strong", TRUE, UP),
    (
        "someone else out there",
        "I sometimes wonder if there is someone else out there for me",
        TRUE,
        DOWN,
    ),
    ("makes me happy", "My relationship with my partner makes me happy", TRUE, UP),
    (
        "warm and comfortable",
        "I have a warm and comfortable relationship with my partner",
        TRUE,
        UP,
    ),
    ("can't imagine ending", "I can't imagine ending my relationship with my partner", TRUE, UP),
    ("can confide", "I feel that I can confide in my partner about virtually anything", TRUE, UP),
    ("second thoughts", "I have had second thoughts about this relationship recently", TRUE, DOWN),
    ("perfect partner", "For me, my partner is the perfect romantic partner", TRUE, UP),
    ("part of a team", "I really feel like part of a team with my partner", TRUE, UP),
    (
        "no one happier",
        "I cannot imagine another person making me as happy as my partner does",
        TRUE,
        UP,
    ),
    ("rewarding", "How rewarding is your relationship with your partner?", EXTENT, UP),
    ("meets needs", "How well does your partner meet your needs?", EXTENT, UP),
    (
        "met expectations",
        "To what extent has your relationship met your original expectations?",
        EXTENT,
        UP,
    ),
    ("satisfied", "In general, how satisfied are you with your relationship?", EXTENT, UP),
    ("compared with most", "How good is your relationship compared to most?", COMPARED, UP),
    ("enjoy company", "Do you enjoy your partner's company?", FREQUENCY, UP),
    ("have fun", "How often do you and your partner have fun together?", FREQUENCY, UP),
    ("interesting-boring", "Interesting - Boring", semantic("Interesting", "Boring"), DOWN),
    ("bad-good", "Bad - Good", semantic("Bad", "Good"), UP),
    ("full-empty", "Full - Empty", semantic("Full", "Empty"), DOWN),
    ("lonely-friendly", "Lonely - Friendly", semantic("Lonely", "Friendly"), UP),
    ("sturdy-fragile", "Sturdy - Fragile", semantic("Sturdy", "Fragile"), DOWN),
    ("discouraging-hopeful", "Discouraging - Hopeful", semantic("Discouraging", "Hopeful"), UP),
    ("enjoyable-miserable", "Enjoyable - Miserable", semantic("Enjoyable", "Miserable"), DOWN),
)

REVERSED_32 = frozenset({6, 10, 15})

CITATION = (
    "Funk, J. L., & Rogge, R. D. (2007). Testing the ruler with item response theory: "
    "Increasing precision of measurement for relationship satisfaction with the Couples "
    "Satisfaction Index. Journal of Family Psychology, 21(4), 572-583. "
    "doi:10.1037/0893-3200.21.4.572"
)

LICENCE = Licence(
    status=Status.SHIP_PENDING,
    wording_ships=True,
    terms=(
        "Described by its authors as free for research and clinical use; written permission "
        "requested from the Rogge lab (couples-research.com). Some items derive from the DAS."
    ),
    attribution="CSI: Funk & Rogge (2007), University of Rochester.",
)


def csi_items(numbers: Sequence[int]) -> tuple[Item, ...]:
    """Return the CSI-32 items with these numbers, renumbered 1..n in this order."""
    items = []
    for position, number in enumerate(numbers, start=1):
        topic, text, labels, values = CSI32[number - 1]
        items.append(
            Item(
                number=position,
                topic=topic,
                options=options(labels, values),
                text=text,
                reverse=number in REVERSED_32,
            )
        )
    return tuple(items)
