"""HARK: Humiliation, Afraid, Rape, Kick: intimate partner violence screen.

Source and version: Sohal, Eldridge & Feder (2007), BMC Family Practice 8:49
(open access; the journal's licence at the time was CC BY 2.0, likely but not
seen on the article itself). Four yes/no questions about the last year. Key:
the article's abstract: "a HARK cut off score of >= 1 maximises the true
positives whilst minimising the false positives" (sensitivity 81%,
specificity 95%). Question wording as quoted by the R package cliot
(hark_screen), citing the article.

Validated in women attending general practice in east London; validity for men
and for use within couple therapy is not established. Results go to the
clinician only, never to the partner; a positive screen prompts an individual
session before the next conjoint one.

Scoring: one point per "yes", total 0-4, positive at 1 or more. A single "yes"
makes the screen positive even when other answers are missing.
"""

from __future__ import annotations

from psychometrics.instruments.asq import YES_NO
from psychometrics.model import (
    Band,
    Flag,
    FlagRule,
    Instrument,
    Item,
    ItemCount,
    Licence,
    Scale,
    ScoreRange,
    Status,
)

TEXTS = (
    "Within the last year, have you been humiliated or emotionally abused in other ways by your "
    "partner or your ex-partner?",
    "Within the last year, have you been afraid of your partner or ex-partner?",
    "Within the last year, have you been raped or forced to have any kind of sexual activity by "
    "your partner or ex-partner?",
    "Within the last year, have you been kicked, hit, slapped or otherwise physically hurt by "
    "your partner or ex-partner?",
)

TOPICS = ("humiliation", "afraid", "rape", "kick")

ANY_YES = ItemCount((1, 2, 3, 4), at_least=1)

POSITIVE = Flag(
    code="hark_positive",
    message=(
        "HARK positive (partner violence in the last year): see this partner alone before the "
        "next conjoint session; never show this result to the other partner."
    ),
)

INSTRUMENT = Instrument(
    code="HARK",
    name="HARK intimate partner violence screen",
    version="Sohal, Eldridge & Feder 2007 (four questions, last year)",
    citation=(
        "Sohal, H., Eldridge, S., & Feder, G. (2007). The sensitivity and specificity of four "
        "questions (HARK) to identify intimate partner violence: a diagnostic accuracy study "
        "in general practice. BMC Family Practice, 8, 49. doi:10.1186/1471-2296-8-49"
    ),
    key_source="Sohal et al. 2007, abstract and results: positive at a HARK score >= 1",
    licence=Licence(
        status=Status.SHIP,
        wording_ships=True,
        terms="Open-access article (BMC; CC BY 2.0 likely, not confirmed on the article).",
        attribution="HARK: Sohal, Eldridge & Feder (2007), BMC Family Practice 8:49.",
    ),
    items=tuple(
        Item(number, topic, YES_NO, text=text)
        for number, (topic, text) in enumerate(zip(TOPICS, TEXTS, strict=True), start=1)
    ),
    scales=(Scale("total", "Questions answered yes", (1, 2, 3, 4)),),
    primary="total",
    bands=(
        Band("positive", ANY_YES),
        Band("negative", ScoreRange("total", at_most=0)),
    ),
    flags=(FlagRule(POSITIVE, ANY_YES),),
    interpretation="intimate partner violence screen (positive at 1 or more)",
    time_frame="the last year",
    notes=("Validated in women in general practice; not validated for men or couple therapy.",),
)
