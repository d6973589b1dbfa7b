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
)
