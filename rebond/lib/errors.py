"""The one error an action raises when it refuses: a message, per-field messages, an HTTP status.

Every app's actions raise `ActionError` (rebond/lib/forms.py `add_action_errors` puts its
`errors` onto a form). Views answer with `status` where the refusal is the page's answer: a
stale form is 409 Conflict, bad input 400 unless the view renders the form again (422).
"""

from __future__ import annotations

from http import HTTPStatus


class ActionError(ValueError):
    """An action refused; `errors` maps form field names ("" for the whole form) to messages."""

    def __init__(
        self,
        message: str,
        errors: dict[str, list[str]] | None = None,
        status: HTTPStatus = HTTPStatus.BAD_REQUEST,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {"": [message]}
        self.status = status
