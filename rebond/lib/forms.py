"""Form parts every app uses for free text, so browser and server agree (rebond/lib/text.py).

Use `Textarea` for every multi-line field (a test checks no form uses Django's own): it makes
line breaks LF before the field's `max_length` is checked, so the browser's count is the
server's. Use `NameField` for names and labels: it refuses bidirectional controls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from rebond.lib.text import normalise_line_breaks, refuse_bidi_controls


class Textarea(forms.Textarea):
    """A textarea whose submitted value has its line breaks made LF, as the browser counts."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return normalise_line_breaks(value) if isinstance(value, str) else value


class NameField(forms.CharField):
    """A one-line name or label that refuses Unicode bidirectional controls."""

    default_validators = [refuse_bidi_controls]  # noqa: RUF012 (Django's own class attribute)
