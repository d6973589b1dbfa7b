"""PHQ-9: Patient Health Questionnaire, depression module.

Source and version: the PHQ-9 form as distributed at phqscreeners.com (Pfizer,
1999; English, US). Key: Kroenke, Spitzer & Williams (2001), J Gen Intern Med
16(9):606-613, p. 606 (abstract) and p. 607 ("Scoring"): nine items scored 0
(not at all) to 3 (nearly every day), total 0-27; "scores of 5, 10, 15, and 20
represented mild, moderate, moderately severe, and severe depression". The
tenth (difficulty) question is not part of the score and is not asked here.

Item 9 (thoughts of being better off dead or of self-harm) raises a risk flag
at any answer above "Not at all", whatever the total (INSTRUMENTS.md 5.1).

Missing items: no proration rule was found in the PHQ materials, so a missing
item leaves the total incomplete; the item-9 flag is still raised.

Change: NHS Talking Therapies (IAPT) count a fall of 6 or more points as
reliable improvement and a score of 10 or more as caseness (NHS Digital 2016,
as tabulated in PMC8411661, Table 1). These are programme conventions, cited as
such.

Licence: "no permission is required to reproduce, translate, display or
distribute them" (phqscreeners.com, quoted in the CamCOPS phq9.rst). Developed
by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues,
with an educational grant from Pfizer Inc.

Spanish (es): the "Spanish for the USA" PHQ-9 distributed at phqscreeners.com
(Pfizer), shipped under the same statement, which allows translating and
distributing. The text here agrees with several independent transcriptions
found in public code, but it could NOT be checked against the phqscreeners.com
PDF itself when it was added: a clinic should compare it with that PDF before
clinical use. The answer labels are positional (Ningún día = Not at all = 0,
and so on), so scoring is the same in both languages.
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import (
    Band,
    ChangeRule,
    Flag,
    FlagRule,
    Instrument,
    ItemCount,
    Licence,
    Scale,
    ScoreRange,
    Status,
    Translation,
)

LABELS = ("Not at all", "Several days", "More than half the days", "Nearly every day")

TEXTS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself \N{EM DASH} or that you are a failure or have let yourself "
    "or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite "
    "\N{EM DASH} being so fidgety or restless that you have been moving around a lot more "
    "than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)

# Spanish for the USA (phqscreeners.com, Pfizer); see the module docstring for what was checked.
LABELS_ES = ("Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días")

TEXTS_ES = (
    "Poco interés o placer en hacer cosas",
    "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "Se ha sentido cansado(a) o con poca energía",
    "Sin apetito o ha comido en exceso",
    "Se ha sentido mal con usted mismo(a) \N{EN DASH} o que es un fracaso o que ha quedado mal "
    "con usted mismo(a) o con su familia",
    "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
    "periódico o ver la televisión",
    "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
    "contrario \N{EN DASH} muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de "
    "lo normal",
    "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
)

SPANISH_SOURCE = 'the "Spanish for the USA" form distributed at phqscreeners.com (Pfizer)'
SPANISH_LICENCE = (
    "No permission is required to reproduce, translate, display or distribute (phqscreeners.com)."
)
SPANISH_NOTE = (
    "Transcribed from several independent public transcriptions that agree; not checked "
    "against the phqscreeners.com PDF itself: compare it with that PDF before clinical use."
)

SPANISH = Translation(
    language="es",
    texts=TEXTS_ES,
    labels=(LABELS_ES,) * len(TEXTS_ES),
    source="PHQ-9 in " + SPANISH_SOURCE,
    licence=SPANISH_LICENCE,
    instructions=(
        "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
        "siguientes problemas?"
    ),
    version="PHQ-9, Spanish for the USA, Pfizer",
    notes=(SPANISH_NOTE,),
)

TOPICS = (
    "anhedonia",
    "low mood",
    "sleep",
    "fatigue",
    "appetite",
    "self-worth",
    "concentration",
    "psychomotor change",
    "thoughts of death or self-harm",
)

ITEM9 = Flag(
    code="phq9_item9",
    message=(
        "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was endorsed: "
        "alert the clinician now, whatever the total; follow up with the ASQ or a clinical "
        "risk assessment."
    ),
)

INSTRUMENT = Instrument(
    code="PHQ-9",
    name="Patient Health Questionnaire-9",
    version="PHQ-9, English (US), Pfizer 1999 form",
    citation=(
        "Kroenke, K., Spitzer, R. L., & Williams, J. B. W. (2001). The PHQ-9: Validity of a "
        "brief depression severity measure. Journal of General Internal Medicine, 16(9), "
        "606-613."
    ),
    key_source="Kroenke, Spitzer & Williams 2001, pp. 606-607 (item scoring 0-3; bands 5/10/15/20)",
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
    scales=(Scale("total", "Depression severity", tuple(range(1, 10))),),
    primary="total",
    bands=(
        Band("minimal", ScoreRange("total", at_most=4)),
        Band("mild", ScoreRange("total", at_least=5, at_most=9)),
        Band("moderate", ScoreRange("total", at_least=10, at_most=14)),
        Band("moderately severe", ScoreRange("total", at_least=15, at_most=19)),
        Band("severe", ScoreRange("total", at_least=20)),
    ),
    flags=(FlagRule(ITEM9, ItemCount((9,), at_least=1)),),
    change=(
        ChangeRule(
            scale="total",
            reliable_change=6,
            reliable_change_source=(
                "NHS Talking Therapies: a change of 6 or more points is reliable (NHS Digital "
                "2016, tabulated in PMC8411661 Table 1)"
            ),
            cutoff=10,
            cutoff_source="NHS Talking Therapies caseness: 10 or more (PMC8411661 Table 1)",
        ),
    ),
    interpretation="depression symptom severity",
    time_frame="the last 2 weeks",
    instructions=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    translations=(SPANISH,),
)
