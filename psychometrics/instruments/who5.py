"""WHO-5: World Health Organization Well-Being Index (1998 version).

Source and version: the official WHO-5 form, 1998 version (Psychiatric Research
Unit, Mental Health Centre North Zealand). The form prints the six answers from
"All of the time" (5) on the left to "At no time" (0) on the right, and says:
"To obtain a percentage score ranging from 0 to 100, the raw score is
multiplied by 4" (form text, as checked in INSTRUMENTS-VERIFICATION.md 4).
Raw score 0-25; Rebond reports the percentage (0-100) as the total and the raw
score as a subscale. Never "(raw - 5) x 4".

Cut-off: a percentage of 50 or less screens for depression (Topp, Østergaard,
Søndergaard & Bech 2015, Psychother Psychosom 84:167-176, p. 171, via a
secondary summary). The "28 or less: likely depression" figure was found only in
a secondary source and is not used.

Change: a 10-point change on the percentage scale is treated as significant
(older official guidance, quoted by Valant's WHO-5 page: "A 10% difference
indicates a significant change"; secondary).

Missing items: no proration rule; a missing item leaves the score incomplete.

Licence: "Public domain. The source must be mentioned (Psychiatric Center North
Zealand)" (INSPQ information sheet). The 2024 WHO re-publication under CC
BY-NC-SA 3.0 IGO is not verified here; check it before a commercial deployment.
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import Band, ChangeRule, Instrument, Licence, Scale, ScoreRange, Status

LABELS = (
    "All of the time",
    "Most of the time",
    "More than half of the time",
    "Less than half of the time",
    "Some of the time",
    "At no time",
)

TEXTS = (
    "I have felt cheerful and in good spirits",
    "I have felt calm and relaxed",
    "I have felt active and vigorous",
    "I woke up feeling fresh and rested",
    "My daily life has been filled with things that interest me",
)

TOPICS = ("cheerful", "calm", "active", "rested", "interest")

INSTRUMENT = Instrument(
    code="WHO-5",
    name="WHO-5 Well-Being Index",
    version="WHO-5, 1998 version, English",
    citation=(
        "Topp, C. W., Østergaard, S. D., Søndergaard, S., & Bech, P. (2015). The WHO-5 "
        "Well-Being Index: A systematic review of the literature. Psychotherapy and "
        "Psychosomatics, 84(3), 167-176."
    ),
    key_source="Official WHO-5 (1998) form: values 5-0 left to right; raw score x 4 = percentage",
    licence=Licence(
        status=Status.SHIP,
        wording_ships=True,
        terms="Public domain; the source must be mentioned (INSPQ information sheet).",
        attribution="WHO-5: Psychiatric Research Unit, Mental Health Centre North Zealand.",
    ),
    items=likert_items(TOPICS, LABELS, (5, 4, 3, 2, 1, 0), texts=TEXTS),
    scales=(
        Scale(
            "percentage",
            "Well-being (percentage)",
            (1, 2, 3, 4, 5),
            multiplier=4,
            higher_is_better=True,
        ),
        Scale("raw", "Well-being (raw score)", (1, 2, 3, 4, 5), higher_is_better=True),
    ),
    primary="percentage",
    bands=(
        Band("screen positive: poor well-being (50 or less)", ScoreRange("percentage", at_most=50)),
        Band("above the screening cut-off", ScoreRange("percentage", at_least=51)),
    ),
    change=(
        ChangeRule(
            scale="percentage",
            reliable_change=10,
            reliable_change_source=(
                "WHO-5 guidance: a 10-point difference on the percentage scale is significant "
                "(quoted by Valant's WHO-5 page; secondary)"
            ),
            cutoff=50,
            cutoff_source="50 or less screens for depression (Topp et al. 2015; secondary summary)",
        ),
    ),
    interpretation="well-being (higher is better)",
    time_frame="the last two weeks",
    instructions=(
        "Please indicate for each of the five statements which is closest to how you have been "
        "feeling over the last two weeks."
    ),
    notes=(
        "A cut-off of 28 or less for likely depression was found only in a secondary source "
        "and is not used.",
    ),
)
