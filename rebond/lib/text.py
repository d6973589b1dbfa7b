"""Rules for text people type, shared by every form and action that takes names or free text.

- Bidirectional controls: U+202A-U+202E (embeddings and overrides) and U+2066-U+2069
  (isolates) are invisible and reorder what follows, so "Sam<U+202E>reivilo" displays as
  another name (Unicode UAX #9; CVE-2021-42574, "Trojan Source"). Names and labels refuse
  them. Right-to-left text itself (Arabic, Hebrew) needs none of them and stays welcome.
- Line breaks: a browser counts a line break as one character for `maxlength` but submits it
  as CR LF (HTML, "textarea" API value versus form submission value), so a text that fits in
  the browser would be "too long" on the server. Line breaks are made LF before any length is
  checked.
- Phone numbers: digits with the usual separators, at least 6 digits (the shortest national
  numbers in use; the consultation request applies the same rule).
"""

from __future__ import annotations

import re
from typing import cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Lazy: every app puts it among its errors, and it is read in the language of the page that
# shows it. Typed as the str it becomes (a form error, an ActionError's message).
BIDI_MESSAGE = cast(
    str,
    gettext_lazy(
        "Remove the invisible text-direction characters (Unicode bidirectional controls): "
        "they make a name read differently from what it is."
    ),
)
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")
MIN_PHONE_DIGITS = 6


def has_bidi_controls(text: str) -> bool:
    """Return whether the text holds a Unicode bidirectional embedding, override or isolate."""
    return not BIDI_CONTROLS.isdisjoint(text)


def refuse_bidi_controls(value: object) -> None:
    """Validate a name or label: raise ValidationError if it holds a bidirectional control."""
    if isinstance(value, str) and has_bidi_controls(value):
        raise ValidationError(BIDI_MESSAGE, code="bidi_control")


def normalise_line_breaks(text: str) -> str:
    """Return the text with CR LF and lone CR made LF, as the browser counted it."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_phone_number(value: str) -> bool:
    """Return whether the value reads as a phone number (digits, + ( ) . / - and spaces)."""
    return bool(_PHONE_CHARS.match(value)) and sum(ch.isdigit() for ch in value) >= MIN_PHONE_DIGITS
