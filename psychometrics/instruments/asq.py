"""ASQ: Ask Suicide-Screening Questions (NIMH), four screening items plus acuity.

Source and version: NIMH ASQ Toolkit, ASQ tool (adult and youth versions share
the wording). Key: the NIMH "Suicide Risk Screening Pathway" (outpatient
flowchart description, nimh.nih.gov): "Yes on any question 1-4 or refuses to
answer?" -> if no, "Negative Screen"; if yes, ask question 5: "Yes to Q5" ->
"Acute Positive Screen; Imminent Risk"; otherwise "Non-acute Positive Screen"
(checked in INSTRUMENTS-VERIFICATION.md 8). Horowitz et al. (2012) Arch
Pediatr Adolesc Med 166(12):1170-1176; adults: Horowitz et al. (2020)
Psychosomatics 61(6):713-722.

Scoring: there is no total. Leaving any of questions 1-4 unanswered counts as
"refuses to answer", i.e. a positive screen. Question 5 is asked only after a
positive screen; when it is unanswered after a positive screen the acuity is
unknown and a separate flag says so. A "yes" to question 5 is treated as acute
even if questions 1-4 were answered "no" (it should not have been asked, but
once answered it cannot be ignored). The form prints "Yes" before "No".

The ASQ was validated for clinician administration in medical settings; a
positive screen needs a brief suicide safety assessment by a trained
clinician, at the same encounter for a non-acute positive (NIMH pathway). In
Rebond the partner answers alone on their own screen: the form's "Ask the
patient:" becomes an instruction to the respondent, and a non-acute positive
calls for contact the same day. Results go to the clinician only, never to the
partner.

Licence: NIMH offers the toolkit as "a free resource"; as a US Government
work it is very likely public domain (not confirmed on the NIMH page).
"""

from __future__ import annotations

from psychometrics.model import (
    AllOf,
    Always,
    Band,
    Flag,
    FlagRule,
    Instrument,
    Item,
    ItemCount,
    Licence,
    Scale,
    Status,
    Unanswered,
    options,
)

YES_NO = options(("Yes", "No"), (1, 0))

TEXTS = (
    "In the past few weeks, have you wished you were dead?",
    "In the past few weeks, have you felt that you or your family would be better off if you "
    "were dead?",
    "In the past week, have you been having thoughts about killing yourself?",
    "Have you ever tried to kill yourself?",
    "Are you having thoughts of killing yourself right now?",
)

TOPICS = (
    "wished dead",
    "others better off if dead",
    "thoughts of killing self (past week)",
    "ever tried",
    "thoughts of killing self right now (acuity)",
)

SCREEN = (1, 2, 3, 4)
POSITIVE = ItemCount(SCREEN, at_least=1, missing_counts=True)
ACUTE = ItemCount((5,), at_least=1)

# NIMH outpatient pathway: a non-acute positive screen gets a brief suicide safety assessment
# at the same encounter, before the patient leaves. A remote self-report has no encounter to
# stay in, so the nearest equivalent is contact the same day.
POSITIVE_FLAG = Flag(
    code="asq_positive",
    message=(
        "ASQ positive screen (a yes to, or refusal of, a screening question). Contact them today "
        "for a brief suicide safety assessment by a clinician: the NIMH pathway asks for it at "
        "the same encounter, and a remote self-report has none."
    ),
)
ACUTE_FLAG = Flag(
    code="asq_acute",
    message=(
        "ASQ ACUTE positive (thoughts of killing self right now): imminent risk; urgent full "
        "mental health evaluation; the person should not be left alone."
    ),
)
ACUITY_UNKNOWN = Flag(
    code="asq_acuity_unknown",
    message="ASQ positive screen but the acuity question was not answered: ask it now.",
)

INSTRUMENT = Instrument(
    code="ASQ",
    name="Ask Suicide-Screening Questions",
    version="NIMH ASQ Toolkit, ASQ tool (English)",
    citation=(
        "Horowitz, L. M., Bridge, J. A., Teach, S. J., et al. (2012). Ask Suicide-Screening "
        "Questions (ASQ): A brief instrument for the pediatric emergency department. Archives "
        "of Pediatrics & Adolescent Medicine, 166(12), 1170-1176. Adults: Horowitz, L. M., et "
        "al. (2020). Psychosomatics, 61(6), 713-722."
    ),
    key_source="NIMH Suicide Risk Screening Pathway (outpatient flowchart description)",
    licence=Licence(
        status=Status.SHIP,
        wording_ships=True,
        terms="NIMH: 'a free resource for medical settings'; US Government work.",
        attribution="ASQ: National Institute of Mental Health (NIMH) ASQ Toolkit.",
    ),
    items=tuple(
        Item(number, topic, YES_NO, text=text, conditional=number == 5)
        for number, (topic, text) in enumerate(zip(TOPICS, TEXTS, strict=True), start=1)
    ),
    scales=(Scale("yes_answers", "Screening questions answered yes", SCREEN),),
    primary=None,
    bands=(
        Band("acute positive screen", ACUTE),
        Band("non-acute positive screen", POSITIVE),
        Band("negative screen", Always()),
    ),
    flags=(
        FlagRule(POSITIVE_FLAG, POSITIVE),
        FlagRule(ACUTE_FLAG, ACUTE),
        FlagRule(ACUITY_UNKNOWN, AllOf((POSITIVE, Unanswered((5,))))),
    ),
    interpretation="suicide risk screen (outcome, not a score)",
    time_frame="the past few weeks / past week / ever / right now, as each question says",
    # The NIMH ASQ tool is printed for a clinician ("Ask the patient:"); here the respondent
    # reads the questions on their own screen, so the instruction addresses them. The item
    # wording is the NIMH wording, unchanged: it already addresses the respondent ("have you").
    instructions="Please answer each question for yourself, with Yes or No.",
    notes=(
        "Question 5 is asked only if any of questions 1-4 is answered yes or refused.",
        "Designed for clinician administration in medical settings; the clinic defines its "
        "outpatient response.",
    ),
)
