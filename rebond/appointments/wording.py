"""What a message about an appointment says: the clinic's wording, checked to stay neutral.

Someone whose partner reads their phone must be able to receive a reminder safely (issue 18).
So every message is one sentence built from the clinic's wording, which names the time and
nothing else: no therapy word, no person, no clinical value. Only a recipient who allowed it
(`may_mention_therapy` on their channel or request) gets the clinic's open wording, which may
name the clinic. Both wordings are checked when the clinic saves them, and the canary tests
(tests/test_canaries.py) check every message, calendar entry and feed with `therapy_words`.
"""

from __future__ import annotations

import string
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond.appointments.models import (
    DEFAULT_NEUTRAL_WORDING,
    DEFAULT_OPEN_WORDING,
    AppointmentMessage,
    AppointmentSettings,
)
from rebond.lib.neutral import therapy_words

# What a wording may name: {when} always, {clinic} only in the open wording.
NEUTRAL_FIELDS = frozenset({"when"})
OPEN_FIELDS = frozenset({"when", "clinic"})

# One fixed, neutral opening per purpose: the reader learns what changed, nothing else.
# Translated when a message is rendered, in its recipient's language.
OPENINGS: dict[str, str] = {
    # Translators: the first word of a message about an appointment.
    AppointmentMessage.Purpose.CONFIRMATION: gettext_noop("Confirmed."),
    # Translators: the first word of a message about an appointment.
    AppointmentMessage.Purpose.CHANGE: gettext_noop("Changed."),
    # Translators: the first word of a message about an appointment.
    AppointmentMessage.Purpose.CANCELLATION: gettext_noop("Cancelled."),
    # Translators: the first word of a message about an appointment.
    AppointmentMessage.Purpose.REMINDER: gettext_noop("Reminder."),
}
# Translators: the subject of an e-mail about an appointment; it must stay neutral.
SUBJECT = gettext_noop("Your appointment")
# The title of every calendar entry a client or a feed receives, unless a clinician's feed
# shows case labels.
# Translators: the title of a calendar entry; it must stay neutral.
NEUTRAL_TITLE = gettext_noop("Appointment")
# The clinic's wordings while it keeps the defaults: those are translated for each reader.
DEFAULT_WORDINGS = frozenset({DEFAULT_NEUTRAL_WORDING, DEFAULT_OPEN_WORDING})


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
        if is_open:
            return [_("Use braces only around {when} or {clinic}.")]
        return [_("Use braces only around {when}.")]
    errors = []
    if "when" not in fields:
        errors.append(_("Include {when}, where the date and time of the appointment go."))
    unknown = fields - allowed
    if unknown:
        names = ", ".join("{" + name + "}" for name in sorted(unknown))
        if is_open:
            # Translators: %(names)s lists the unknown {fields}, e.g. "{name}, {place}".
            text = _("%(names)s cannot be used here; use only {when} and {clinic}.")
        else:
            # Translators: %(names)s lists the unknown {fields}, e.g. "{name}, {place}".
            text = _("%(names)s cannot be used here; use only {when}.")
        errors.append(text % {"names": names})
    if not is_open:
        found = therapy_words(wording)
        if found:
            errors.append(
                # Translators: %(words)s lists the words to remove, each in quotation marks.
                _("Keep this wording neutral: someone else may read the message. Remove %(words)s.")
                % {"words": ", ".join(f"\u201c{word}\u201d" for word in found)}
            )
    return errors


def when_text(at: datetime, zone: ZoneInfo) -> str:
    """Return the time as the recipient reads it, e.g. "Monday 8 March 2027 at 14:00".

    In the active language: the names of the day and month, and the order of the parts.
    """
    local = timezone.localtime(at, zone)
    # Translators: the date and time of an appointment, e.g. "Monday 8 March 2027 at 14:00".
    return _("%(weekday)s %(day)s %(month)s %(year)s at %(time)s") % {
        "weekday": dateformat.format(local, "l"),
        "day": local.day,
        "month": dateformat.format(local, "F"),
        "year": local.year,
        "time": f"{local:%H:%M}",
    }


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
    if wording in DEFAULT_WORDINGS:
        wording = _(wording)  # the default, in the reader's language
    sentence = wording.format(when=when_text(starts_at, zone), clinic=clinic_name)
    return f"{_(OPENINGS[purpose])} {sentence}"
