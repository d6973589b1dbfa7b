"""What a message to a client may not say: words that tell a reader it is about therapy.

A partner or a requester may share their phone or mailbox with the person they are afraid
of (issue 18, DOMAIN.md 7.5 "content_allowed: MINIMAL"). Messages to them (appointment
messages, check-in notices) are checked with `therapy_words`, and so are the clinic's
wordings and the headers those messages carry. The words are English and Spanish, the
languages Rebond ships (a clinic's own wording may be in either; accents optional).
"""

from __future__ import annotations

import re

# Words that tell a reader what a message is about. Each is matched as the start of a
# word, case-insensitively ("counsel" catches counselling, counsellor, counseling).
THERAPY_WORDS: tuple[str, ...] = (
    "therap",
    "counsel",
    "psych",
    "clinic",
    "mental",
    "session",
    "consultation",
    "couple",
    "marriage",
    "marital",
    "relationship",
    "partner",
    "betray",
    "affair",
    "infidel",
    "cheat",
    "trust",
    "injur",
    "attachment",
    "eft",
    "emotion",
    "questionnaire",
    "check-in",
    "checkin",
    "assessment",
    "screen",
    "safety",
    "abuse",
    "violen",
    "crisis",
    "suicid",
    "depress",
    "anxi",
    "treatment",
    "trauma",
    "diagnos",
    # Spanish (issue 20): the same subjects, as a clinic or a translation would write them.
    "terap",
    "psic",
    "sesi",
    "clínic",
    "diagnós",
    "pareja",
    "matrimon",
    "conyug",
    "cónyug",
    "traici",
    "engañ",
    "confianza",
    "herid",
    "apego",
    "emoci",
    "cuestionario",
    "evaluaci",
    "cribado",
    "segurid",
    "abuso",
    "maltrat",
    "depres",
    "ansie",
    "tratamiento",
    "consejer",
)
# The whole word is matched, so a refusal names what the clinic typed ("therapy", not "therap").
_THERAPY_PATTERN = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in THERAPY_WORDS) + r")[\w-]*", re.I
)


def therapy_words(text: str) -> list[str]:
    """Return the therapy words found in `text`, whole, as written (empty when it is neutral)."""
    return [match.group(0) for match in _THERAPY_PATTERN.finditer(text)]
