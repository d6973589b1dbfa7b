"""PCL-5: PTSD Checklist for DSM-5, standard form (past month, no Criterion A part).

Source and version: Weathers et al. (2013), PCL-5 standard form, National
Center for PTSD (US Department of Veterans Affairs). Key: Blevins, Weathers,
Davis, Witte & Domino (2015), J Trauma Stress 28(6):489-498, and the National
Center for PTSD scoring guidance ("Using the PTSD Checklist for DSM-5"): 20
items, Not at all 0, A little bit 1, Moderately 2, Quite a bit 3, Extremely 4;
total 0-80; clusters B 1-5, C 6-7, D 8-14, E 15-20 (verified via the
Australian Comorbidity Guidelines restatement of the NC-PTSD scoring).

Wording of results: after infidelity the index event rarely meets DSM-5
Criterion A, so Rebond reports "event-related symptom severity" and never
"probable PTSD" (INSTRUMENTS.md 5.3). The NC-PTSD screening range 31-33 and the
DSM-5 cluster pattern are shown as such, not as a diagnosis.

Change: the NC-PTSD page says "a 5-10 point change represents reliable change
and a 10-20 point change represents clinically significant change" (for the
PCL for DSM-IV, applied to the PCL-5 until PCL-5 figures exist). Rebond uses
the conservative 10 points as its reliable-change threshold, and the lower end
of the screening range (31) as the cut-off: a score of 30 or less lies below
the whole range.

Missing items: no proration rule in the NC-PTSD guidance; a missing item leaves
the total incomplete.

Licence: a work of the US Government, "in the public domain and not
copyrighted" (CamCOPS pcl5.rst; mhscales.com).
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import (
    AllOf,
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

LABELS = ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")

TEXTS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again "
    "(as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience "
    "(for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, "
    "conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, "
    "having thoughts such as: I am bad, there is something seriously wrong with me, no one can "
    "be trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or have "
    "loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    'Being "superalert" or watchful or on guard?',
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)

TOPICS = (
    "intrusive memories",
    "disturbing dreams",
    "reliving",
    "upset at reminders",
    "physical reactions to reminders",
    "avoiding thoughts",
    "avoiding reminders",
    "trouble remembering",
    "negative beliefs",
    "blame",
    "strong negative feelings",
    "loss of interest",
    "feeling cut off",
    "trouble with positive feelings",
    "irritability",
    "risk taking",
    "hypervigilance",
    "startle",
    "concentration",
    "sleep",
)

B, C, D, E = tuple(range(1, 6)), (6, 7), tuple(range(8, 15)), tuple(range(15, 21))

PATTERN = Flag(
    code="pcl5_dsm5_pattern",
    message=(
        "Event-related symptoms meet the DSM-5 cluster pattern (items rated Moderately or more: "
        "1 intrusion, 1 avoidance, 2 cognition/mood, 2 arousal). Not a diagnosis: after "
        "infidelity the index event rarely meets Criterion A; a clinician must assess."
    ),
    risk=False,
)

INSTRUMENT = Instrument(
    code="PCL-5",
    name="PTSD Checklist for DSM-5",
    version="PCL-5 standard form (Weathers et al. 2013), past month",
    citation=(
        "Weathers, F. W., Litz, B. T., Keane, T. M., Palmieri, P. A., Marx, B. P., & Schnurr, "
        "P. P. (2013). The PTSD Checklist for DSM-5 (PCL-5). National Center for PTSD. "
        "Blevins, C. A., Weathers, F. W., Davis, M. T., Witte, T. K., & Domino, J. L. (2015). "
        "Journal of Traumatic Stress, 28(6), 489-498."
    ),
    key_source=(
        "National Center for PTSD, 'Using the PTSD Checklist for DSM-5' (scoring 0-4, total "
        "0-80, clusters B 1-5, C 6-7, D 8-14, E 15-20, screening range 31-33)"
    ),
    licence=Licence(
        status=Status.SHIP,
        wording_ships=True,
        terms="US Government work: in the public domain and not copyrighted.",
        attribution="PCL-5: National Center for PTSD, US Department of Veterans Affairs.",
    ),
    items=likert_items(TOPICS, LABELS, (0, 1, 2, 3, 4), texts=TEXTS),
    scales=(
        Scale("total", "Event-related symptom severity", tuple(range(1, 21))),
        Scale("intrusion", "Intrusion (cluster B)", B),
        Scale("avoidance", "Avoidance (cluster C)", C),
        Scale("cognition_mood", "Negative alterations in cognition and mood (cluster D)", D),
        Scale("arousal", "Alterations in arousal and reactivity (cluster E)", E),
    ),
    primary="total",
    bands=(
        Band("below the 31-33 screening range", ScoreRange("total", at_most=30)),
        Band("within the 31-33 screening range", ScoreRange("total", at_least=31, at_most=33)),
        Band("above the 31-33 screening range", ScoreRange("total", at_least=34)),
    ),
    flags=(
        FlagRule(
            PATTERN,
            AllOf(
                (
                    ItemCount(B, at_least=2, min_count=1),
                    ItemCount(C, at_least=2, min_count=1),
                    ItemCount(D, at_least=2, min_count=2),
                    ItemCount(E, at_least=2, min_count=2),
                )
            ),
        ),
    ),
    change=(
        ChangeRule(
            scale="total",
            reliable_change=10,
            reliable_change_source=(
                "National Center for PTSD: 5-10 points = reliable change, 10-20 = clinically "
                "significant (PCL for DSM-IV evidence); the conservative 10 is used"
            ),
            cutoff=31,
            cutoff_source="National Center for PTSD screening range 31-33 (lower end)",
        ),
    ),
    interpretation="event-related symptom severity (not a diagnosis)",
    time_frame="the past month",
    instructions=(
        "Below is a list of problems that people sometimes have in response to a very stressful "
        "experience. Please read each problem carefully and then choose one of the answers to "
        "indicate how much you have been bothered by that problem in the past month."
    ),
    notes=(
        "Report as event-related symptom severity; never as 'probable PTSD' unless a clinician "
        "confirms a Criterion A event.",
        "The older cut-point of 38 is superseded by 31-33.",
    ),
)
