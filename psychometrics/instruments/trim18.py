"""TRIM-18: Transgression-Related Interpersonal Motivations Inventory. NOT in the catalogue.

Scoring only. Source and version: the 18-item TRIM of McCullough, Root & Cohen
(2006), Journal of Consulting and Clinical Psychology 74(5):887-897, as hosted by
MIDSS. Checked (MIDSS page): "The seven-item Avoidance subscale ... The five-item
Revenge subscale", internal consistency of both about .85 or more, 8-week
test-retest about .50, "rated on a 5-point Lik[ert]" scale; the Spanish
validation (Fernandez-Capo et al. 2017) confirms three factors (so Benevolence
has 6 items).

NOT verified: which item numbers belong to which subscale, and the anchors of
the 5-point scale. The key below is the design research's (INSTRUMENTS.md 4.4,
tagged [K]): Avoidance 2, 5, 7, 10, 11, 15, 18; Revenge 1, 4, 9, 13, 17;
Benevolence 3, 6, 8, 12, 14, 16; 1 = strongly disagree ... 5 = strongly agree
(3 = neutral) [V2]. The instrument stays out of the default catalogue
(``unverified``) until checked against the MIDSS form or the article.

Scores are subscale sums (and means). TRIM-12 = Avoidance + Revenge. There is no
single forgiveness total, so there is no primary scale. Higher Avoidance or
Revenge is worse; higher Benevolence is better. The items anchor to one named
offence: record it with each administration. Missing items: no rule published;
incomplete.
"""

from __future__ import annotations

from psychometrics.instruments._build import likert_items
from psychometrics.model import Instrument, Licence, Method, Scale, Status

LABELS = ("Strongly disagree", "(2)", "Neutral", "(4)", "Strongly agree")
VALUES = (1, 2, 3, 4, 5)

AVOIDANCE = (2, 5, 7, 10, 11, 15, 18)
REVENGE = (1, 4, 9, 13, 17)
BENEVOLENCE = (3, 6, 8, 12, 14, 16)


def _topic(number: int) -> str:
    """Return the neutral topic of an item: its (unverified) subscale."""
    if number in AVOIDANCE:
        return f"avoidance of the offender (item {number})"
    if number in REVENGE:
        return f"revenge towards the offender (item {number})"
    return f"benevolence towards the offender (item {number})"


UNVERIFIED = (
    "scoring key not verified: the item-to-subscale numbering was not found in McCullough et "
    "al. (2006) or the MIDSS form (subscale sizes 7 / 5 / 6 are verified)"
)

INSTRUMENT = Instrument(
    code="TRIM-18",
    name="Transgression-Related Interpersonal Motivations Inventory (TRIM-18)",
    version="TRIM-18 (McCullough, Root & Cohen 2006)",
    citation=(
        "McCullough, M. E., Root, L. M., & Cohen, A. D. (2006). Writing about the benefits of "
        "an interpersonal transgression facilitates forgiveness. Journal of Consulting and "
        "Clinical Psychology, 74(5), 887-897."
    ),
    key_source=(
        "UNVERIFIED item numbering (INSTRUMENTS.md 4.4, [K]); subscale sizes from the MIDSS "
        "TRIM-18 page"
    ),
    licence=Licence(
        status=Status.SCORING_ONLY,
        wording_ships=False,
        terms=(
            "Form hosted by MIDSS; no reproduction licence found. The clinic supplies wording "
            "it is licensed to use."
        ),
        attribution="TRIM-18, Michael E. McCullough and colleagues.",
    ),
    items=likert_items([_topic(number) for number in range(1, 19)], LABELS, VALUES),
    scales=(
        Scale("avoidance", "Avoidance", AVOIDANCE),
        Scale("revenge", "Revenge", REVENGE),
        Scale("benevolence", "Benevolence", BENEVOLENCE, higher_is_better=True),
        Scale("trim12", "TRIM-12 (avoidance + revenge)", tuple(sorted(AVOIDANCE + REVENGE))),
        Scale("avoidance_mean", "Avoidance (item mean)", AVOIDANCE, method=Method.MEAN),
        Scale("revenge_mean", "Revenge (item mean)", REVENGE, method=Method.MEAN),
        Scale(
            "benevolence_mean",
            "Benevolence (item mean)",
            BENEVOLENCE,
            method=Method.MEAN,
            higher_is_better=True,
        ),
    ),
    primary=None,
    interpretation="motivations towards one named offender (no single forgiveness total)",
    unverified=UNVERIFIED,
    notes=(
        "For the injured partner, about one named offence; store the offence label with each "
        "administration and keep it fixed.",
    ),
)
