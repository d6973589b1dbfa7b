"""The words of a result that come from the scoring library: bands and flag messages.

psychometrics never imports Django, so it cannot mark its words for translation. They are
listed here, each marked with gettext_noop so `make messages` collects them, and pages show
them through `shown()` (the template filter `result_word`), which gives a stored English word
in the reader's language. Stored results keep the English word: exports, FHIR and the alert
rules read it. test_result_words.py checks that every band and flag message of every
instrument is listed, so a new instrument cannot leave one untranslated.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

BANDS = (
    gettext_noop("minimal"),
    gettext_noop("mild"),
    gettext_noop("moderate"),
    gettext_noop("moderately severe"),
    gettext_noop("severe"),
    gettext_noop("negative"),
    gettext_noop("positive"),
    gettext_noop("negative screen"),
    gettext_noop("positive screen"),
    gettext_noop("acute positive screen"),
    gettext_noop("non-acute positive screen"),
    gettext_noop("below the risk threshold"),
    gettext_noop("above the screening cut-off"),
    gettext_noop("below the 31-33 screening range"),
    gettext_noop("within the 31-33 screening range"),
    gettext_noop("above the 31-33 screening range"),
    gettext_noop("distressed"),
    gettext_noop("non-distressed"),
    gettext_noop("not distressed (13.5 or above)"),
    gettext_noop("notable dissatisfaction (below 13.5)"),
    gettext_noop("not distressed (51.5 or above)"),
    gettext_noop("notable dissatisfaction (below 51.5)"),
    gettext_noop("not distressed (104.5 or above)"),
    gettext_noop("notable dissatisfaction (below 104.5)"),
    gettext_noop("screen positive: poor well-being (50 or less)"),
    gettext_noop("substantial risk of dissolution"),
)

FLAG_MESSAGES = (
    gettext_noop(
        "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) was endorsed: "
        "alert the clinician now, whatever the total; follow up with the ASQ or a clinical "
        "risk assessment."
    ),
    gettext_noop(
        "Event-related symptoms meet the DSM-5 cluster pattern (items rated Moderately or "
        "more: 1 intrusion, 1 avoidance, 2 cognition/mood, 2 arousal). Not a diagnosis: after "
        "infidelity the index event rarely meets Criterion A; a clinician must assess."
    ),
    gettext_noop(
        "ASQ positive screen (a yes to, or refusal of, a screening question). Contact them "
        "today for a brief suicide safety assessment by a clinician: the NIMH pathway asks for "
        "it at the same encounter, and a remote self-report has none."
    ),
    gettext_noop(
        "ASQ ACUTE positive (thoughts of killing self right now): imminent risk; urgent full "
        "mental health evaluation; the person should not be left alone."
    ),
    gettext_noop("ASQ positive screen but the acuity question was not answered: ask it now."),
    gettext_noop(
        "HARK positive (partner violence in the last year): see this partner alone before "
        "the next conjoint session; never show this result to the other partner."
    ),
    gettext_noop(
        "HITS positive screen (total above 10, Sherin et al. 1998): tell the clinician and "
        "plan an individual session before the next conjoint one."
    ),
    gettext_noop(
        "HITS item 1 (physical hurt by a partner) was endorsed: tell the clinician, whatever "
        "the total, and plan an individual session before the next conjoint one."
    ),
    gettext_noop(
        "E-HITS item 5 (forced sexual activity by a partner) was endorsed: tell the "
        "clinician, whatever the total, and plan an individual session before the next "
        "conjoint one."
    ),
)


def shown(word: str | None) -> str:
    """Return a band or flag message as the reader reads it: translated when the catalogue has
    it, as stored otherwise (an empty word stays empty: gettext("") is the catalogue's header)."""
    return gettext(word) if word else ""
