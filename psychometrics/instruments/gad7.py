"""GAD-7: Generalized Anxiety Disorder scale, 7 items.

Source and version: the GAD-7 form as distributed at phqscreeners.com (Pfizer;
English, US). Key: Spitzer, Kroenke, Williams & Löwe (2006), Arch Intern Med
166(10):1092-1097, p. 1093 (items scored 0-3, total 0-21) and p. 1095 ("scores
of 5, 10, and 15 ... mild, moderate, and severe anxiety"); the same bands are
printed on the Pfizer form ("0-4: minimal anxiety 5-9: mild anxiety 10-14:
moderate anxiety 15-21: severe anxiety"). The developers' cut-point for further
evaluation is 10 (p. 1095).

Missing items: no proration rule was found, so a missing item leaves the total
incomplete.

Change: NHS Talking Therapies (IAPT) count a change of 4 or more points as
reliable and 8 or more as caseness (NHS Digital 2016, tabulated in PMC8411661
Table 1). That caseness of 8 is the programme's, not the developers' screening
cut-point of 10; the two are kept apart.

Licence: as the PHQ-9 ("no permission is required to reproduce, translate,
display or distribute", phqscreeners.com).

Spanish (es): the "Spanish for the USA" GAD-7 distributed at phqscreeners.com
(Pfizer), with the PHQ-9's Spanish answer labels, shipped under the same
statement. The text here agrees with several independent transcriptions found
in public code, but it could NOT be checked against the phqscreeners.com PDF
itself when it was added: a clinic should compare it with that PDF before
clinical use. The answer labels are positional, so scoring is the same in both
languages.
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.instruments.phq9 import (
    LABELS,
    LABELS_ES,
    SPANISH_LICENCE,
    SPANISH_NOTE,
    SPANISH_SOURCE,
)
from psychometrics.model import (
    Band,
    ChangeRule,
    Instrument,
    Licence,
    Scale,
    ScoreRange,
    Status,
    Translation,
)

TEXTS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)

# Spanish for the USA (phqscreeners.com, Pfizer); see the module docstring for what was checked.
TEXTS_ES = (
    "Se ha sentido nervioso(a), ansioso(a) o con los nervios de punta",
    "No ha sido capaz de parar o controlar su preocupación",
    "Se ha preocupado demasiado por motivos diferentes",
    "Ha tenido dificultad para relajarse",
    "Se ha sentido tan inquieto(a) que no ha podido quedarse quieto(a)",
    "Se ha molestado o irritado fácilmente",
    "Ha tenido miedo de que algo terrible fuera a pasar",
)

SPANISH = Translation(
    language="es",
    texts=TEXTS_ES,
    labels=(LABELS_ES,) * len(TEXTS_ES),
    source="GAD-7 in " + SPANISH_SOURCE,
    licence=SPANISH_LICENCE,
    instructions=(
        "Durante las últimas 2 semanas, ¿con qué frecuencia le han molestado los siguientes "
        "problemas?"
    ),
    version="GAD-7, Spanish for the USA, Pfizer",
    notes=(SPANISH_NOTE,),
)

TOPICS = (
    "nervousness",
    "uncontrollable worry",
    "excessive worry",
    "trouble relaxing",
    "restlessness",
    "irritability",
    "dread",
)

INSTRUMENT = Instrument(
    code="GAD-7",
    name="Generalized Anxiety Disorder 7-item scale",
    version="GAD-7, English (US), Pfizer form",
    citation=(
        "Spitzer, R. L., Kroenke, K., Williams, J. B. W., & Löwe, B. (2006). A brief measure "
        "for assessing generalized anxiety disorder: The GAD-7. Archives of Internal "
        "Medicine, 166(10), 1092-1097."
    ),
    key_source="Spitzer et al. 2006, pp. 1093 and 1095 (item scoring 0-3; bands 5/10/15)",
    licence=Licence(
        status=Status.SHIP,
        wording_ships=True,
        terms=(
            "No permission is required to reproduce, translate, display or distribute "
            "(phqscreeners.com)."
        ),
        attribution=(
            "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
            "colleagues, with an educational grant from Pfizer Inc."
        ),
    ),
    items=likert_items(TOPICS, LABELS, (0, 1, 2, 3), texts=TEXTS),
    scales=(Scale("total", "Anxiety severity", tuple(range(1, 8))),),
    primary="total",
    bands=(
        Band("minimal", ScoreRange("total", at_most=4)),
        Band("mild", ScoreRange("total", at_least=5, at_most=9)),
        Band("moderate", ScoreRange("total", at_least=10, at_most=14)),
        Band("severe", ScoreRange("total", at_least=15)),
    ),
    change=(
        ChangeRule(
            scale="total",
            reliable_change=4,
            reliable_change_source=(
                "NHS Talking Therapies: a change of 4 or more points is reliable (NHS Digital "
                "2016, tabulated in PMC8411661 Table 1)"
            ),
            cutoff=8,
            cutoff_source="NHS Talking Therapies caseness: 8 or more (PMC8411661 Table 1)",
        ),
    ),
    interpretation="anxiety symptom severity",
    time_frame="the last 2 weeks",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    ),
    notes=(
        "The developers' cut-point for further evaluation is 10 (Spitzer et al. 2006); the "
        "caseness of 8 used for change is NHS Talking Therapies' convention.",
    ),
    translations=(SPANISH,),
)
