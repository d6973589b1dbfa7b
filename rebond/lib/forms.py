"""Form parts every app uses for free text, so browser and server agree (rebond/lib/text.py).

Use `Textarea` for every multi-line field (a test checks no form uses Django's own): it makes
line breaks LF before the field's `max_length` is checked, so the browser's count is the
server's. Use `NameField` for names and labels: it refuses bidirectional controls.
`add_action_errors` shows an action's refusal (rebond/lib/errors.py) beside the fields it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from rebond.lib.errors import ActionError
from rebond.lib.text import normalise_line_breaks, refuse_bidi_controls


class Textarea(forms.Textarea):
    """A textarea whose submitted value has its line breaks made LF, as the browser counts."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return normalise_line_breaks(value) if isinstance(value, str) else value


class NameField(forms.CharField):
    """A one-line name or label that refuses Unicode bidirectional controls."""

    default_validators = [refuse_bidi_controls]  # noqa: RUF012 (Django's own class attribute)


def add_action_errors(
    form: forms.Form, error: ActionError, *, fields: Mapping[str, str] | None = None
) -> None:
    """Show an action's errors on the form: on the field named, or on the whole form.

    `fields` renames the action's field names where the form calls them otherwise (an action's
    "couple" is the form's "case"); a name the form has no field for goes to the whole form.
    """
    renamed = fields or {}
    for name, messages in error.errors.items():
        field = renamed.get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
