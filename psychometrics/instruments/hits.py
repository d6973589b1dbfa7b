"""HITS: Hurt, Insult, Threaten, Scream (intimate partner violence screen). Scoring only.

Source and version: the four-item HITS form of Sherin, Sinacore, Li, Zitter &
Shakil (1998), Family Medicine 30(7):508-512, English. Key checked on p. 508
(abstract): four items asking how often the partner physically Hurt, Insulted,
Threatened with harm and Screamed at the respondent; "a cut score of 10.5 on the
HITS reliably differentiated" office patients from abuse victims; alpha .80.
Option values from the form as reproduced by the Registered Nurses' Association
of Ontario (Never 1, Rarely 2, Sometimes 3, Fairly often 4, Frequently 5; "scores
for this inventory range from 4-20. A score of greater than 10 is considered
positive") and by the CEBC catalogue. Evidence: SCORING_ONLY_SOURCES.md.

Positive screen: total above 10 (the published cut score 10.5; totals are
whole numbers). Other published cut-offs are recorded in ``notes`` for a clinic
that wants them; they are not the default.

Flags: a positive screen (total above 10) raises a safety flag, so it reaches a
clinician (INSTRUMENTS.md 6.7: "alert the clinician on ... HITS > 10"). Any answer
above "Never" on item 1 (physical hurt) raises a second safety flag whatever the
total. That one is Rebond's rule (issue 3; INSTRUMENTS.md 5.7), not a rule of
Sherin et al.

Missing items: no rule is published; a missing item leaves the total
incomplete (the physical-hurt flag is still raised when item 1 is answered).

Change: HITS is a screen; no reliable-change threshold or normative SD is
published, so change needs norms a clinic supplies. The cut score is recorded
as the clinical-significance cut-off.

Licence: copyright Kevin M. Sherin ("normally has a copyright fee of $25",
CEBC). Rebond ships the key only; a clinic loads the licensed wording.
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

LABELS = ("Never", "Rarely", "Sometimes", "Fairly often", "Frequently")
VALUES = (1, 2, 3, 4, 5)

TOPICS = (
    "H: partner physically hurts the respondent",
    "I: partner insults or talks down to the respondent",
    "T: partner threatens the respondent with harm",
    "S: partner screams or curses at the respondent",
)

SHERIN_1998 = (
    "Sherin, K. M., Sinacore, J. M., Li, X. Q., Zitter, R. E., & Shakil, A. (1998). HITS: A "
    "short domestic violence screening tool for use in a family practice setting. Family "
    "Medicine, 30(7), 508-512."
)

CUT_SOURCE = (
    "Sherin et al. 1998, p. 508 (abstract): cut score 10.5; a total above 10 is positive "
    "(RNAO reproduction of the form)"
)

# Sherin et al. 1998 p. 508: cut score 10.5; totals are whole numbers, so 11 or more.
POSITIVE_TOTAL = ScoreRange("total", at_least=11)

POSITIVE_SCREEN = Flag(
    code="hits_positive_screen",
    message=(
        "HITS positive screen (total above 10, Sherin et al. 1998): tell the clinician and plan "
        "an individual session before the next conjoint one."
    ),
)

PHYSICAL_HURT = Flag(
    code="hits_physical_hurt",
    message=(
        "HITS item 1 (physical hurt by a partner) was endorsed: tell the clinician, whatever "
        "the total, and plan an individual session before the next conjoint one."
    ),
)

LICENCE = Licence(
    status=Status.SCORING_ONLY,
    wording_ships=False,
    terms=(
        "Copyrighted by Kevin M. Sherin, MD; the tool 'normally has a copyright fee of $25' "
        "(CEBC). The clinic supplies wording it is licensed to use."
    ),
    attribution="HITS, Kevin M. Sherin, MD (Sherin et al. 1998).",
)

INSTRUMENT = Instrument(
    code="HITS",
    name="Hurt, Insult, Threaten, Scream (HITS)",
    version="HITS 4-item form, English (Sherin et al. 1998)",
    citation=SHERIN_1998,
    key_source=(
        "Sherin et al. 1998, p. 508 (four items, cut score 10.5, alpha .80); option values "
        "1-5 and range 4-20 from the form as reproduced by RNAO and CEBC"
    ),
    licence=LICENCE,
    items=likert_items(TOPICS, LABELS, VALUES),
    scales=(Scale("total", "Intimate partner violence screen", (1, 2, 3, 4)),),
    primary="total",
    bands=(
        Band("positive screen", POSITIVE_TOTAL),
        Band("negative screen", ScoreRange("total", at_most=10)),
    ),
    flags=(
        FlagRule(POSITIVE_SCREEN, POSITIVE_TOTAL),
        FlagRule(PHYSICAL_HURT, ItemCount((1,), at_least=2)),
    ),
    change=(ChangeRule(scale="total", cutoff=10.5, cutoff_source=CUT_SOURCE),),
    interpretation="frequency of partner hurt, insult, threat and screaming (screen)",
    notes=(
        "Men: a score of 11 separated victims from non-victims (sensitivity 88%, specificity "
        "97%; Shakil et al. 2005, Family Medicine 37(3):193-198, abstract): the default.",
        "Female VHA patients: optimal cut-off 6 (sensitivity 78%, specificity 80%; Iverson et "
        "al. 2013, J Gen Intern Med 28(10):1288-1293, abstract). Record the cut-off used.",
        "Validated as a screen in family practice; a positive screen calls for an individual "
        "assessment, never a conjoint discussion of the answers.",
    ),
)
