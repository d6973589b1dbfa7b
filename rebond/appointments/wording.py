"""What a message about an appointment says: the clinic's wording, checked to stay neutral.

Someone whose partner reads their phone must be able to receive a reminder safely (issue 18).
So every message is one sentence built from the clinic's wording, which names the time and
nothing else: no therapy word, no person, no clinical value. Only a recipient who allowed it
(`may_mention_therapy` on their channel or request) gets the clinic's open wording, which may
name the clinic. Both wordings are checked when the clinic saves them, and the canary tests
(tests/test_canaries.py) check every message, calendar entry and feed with `therapy_words`.
"""

from __future__ import annotations

import re
import string
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from rebond.appointments.models import (
    DEFAULT_NEUTRAL_WORDING,
    DEFAULT_OPEN_WORDING,
    AppointmentMessage,
    AppointmentSettings,
)

# Words that tell a reader what the appointment is for. Each is matched as the start of a
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
)
# The whole word is matched, so a refusal names what the clinic typed ("therapy", not "therap").
_THERAPY_PATTERN = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in THERAPY_WORDS) + r")[\w-]*", re.I
)

# What a wording may name: {when} always, {clinic} only in the open wording.
NEUTRAL_FIELDS = frozenset({"when"})
OPEN_FIELDS = frozenset({"when", "clinic"})

# One fixed, neutral opening per purpose: the reader learns what changed, nothing else.
OPENINGS: dict[str, str] = {
    AppointmentMessage.Purpose.CONFIRMATION: "Confirmed.",
    AppointmentMessage.Purpose.CHANGE: "Changed.",
    AppointmentMessage.Purpose.CANCELLATION: "Cancelled.",
    AppointmentMessage.Purpose.REMINDER: "Reminder.",
}
SUBJECT = "Your appointment"
# The title of every calendar entry a client or a feed receives, unless a clinician's feed
# shows case labels.
NEUTRAL_TITLE = "Appointment"


def therapy_words(text: str) -> list[str]:
    """Return the therapy words found in `text`, whole, as written (empty when it is neutral)."""
    return [match.group(0) for match in _THERAPY_PATTERN.finditer(text)]


def _fields(wording: str) -> set[str] | None:
    """Return the {fields} a wording names, or None when its braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(wording) if name is not None}
    except ValueError:
        return None


def wording_errors(wording: str, *, is_open: bool) -> list[str]:
    """Return what is wrong with a clinic's wording (empty when it may be saved)."""
    allowed = OPEN_FIELDS if is_open else NEUTRAL_FIELDS
    fields = _fields(wording)
    if fields is None:
        return ["Use braces only around {when}" + (" or {clinic}." if is_open else ".")]
    errors = []
    if "when" not in fields:
        errors.append("Include {when}, where the date and time of the appointment go.")
    unknown = fields - allowed
    if unknown:
        names = ", ".join("{" + name + "}" for name in sorted(unknown))
        errors.append(
            f"{names} cannot be used here; use only "
            + ("{when} and {clinic}." if is_open else "{when}.")
        )
    if not is_open:
        found = therapy_words(wording)
        if found:
            errors.append(
                "Keep this wording neutral: someone else may read the message. Remove "
                + ", ".join(f"\u201c{word}\u201d" for word in found)
                + "."
            )
    return errors


def when_text(at: datetime, zone: ZoneInfo) -> str:
    """Return the time as the recipient reads it, e.g. "Monday 8 March 2027 at 14:00"."""
    local = timezone.localtime(at, zone)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def message_text(
    settings: AppointmentSettings | None,
    purpose: str,
    *,
    starts_at: datetime,
    zone: ZoneInfo,
    clinic_name: str,
    may_mention_therapy: bool,
) -> str:
    """Return the whole text of one message: a fixed opening and the clinic's sentence."""
    if may_mention_therapy:
        wording = settings.open_wording if settings else DEFAULT_OPEN_WORDING
    else:
        wording = settings.neutral_wording if settings else DEFAULT_NEUTRAL_WORDING
    if wording_errors(wording, is_open=may_mention_therapy):
        # A wording saved before a rule tightened: fall back to the default, never to risk.
        wording = DEFAULT_OPEN_WORDING if may_mention_therapy else DEFAULT_NEUTRAL_WORDING
    sentence = wording.format(when=when_text(starts_at, zone), clinic=clinic_name)
    return f"{OPENINGS[purpose]} {sentence}"
