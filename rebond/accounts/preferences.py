"""A clinician's own preferences, set on their account page: the language of their pages and of
the e-mails Rebond sends them (empty: their clinic's default; rebond/lib/language.py).

Every change is audited like the account's other changes, its value before and after in the
entry's text (a language code is no personal data).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rebond.accounts.models import User
from rebond.audit.updates import audited_update
from rebond.lib.errors import ActionError
from rebond.lib.language import supported

CLINIC_DEFAULT = "(clinic default)"


def _shown(code: str) -> str:
    return code or CLINIC_DEFAULT


@transaction.atomic
def set_language(user: User, code: str) -> bool:
    """Set the clinician's language, "" for the clinic's default; return whether it changed.

    Raises ActionError (nothing saved) for a code Rebond does not ship.
    """
    code = code.strip()
    if code and not supported(code):
        raise ActionError(
            _("The language could not be saved."),
            {"language": [_("Choose a language from the list.")]},
        )
    clinician = User.objects.select_for_update().get(pk=user.pk)
    before = clinician.language
    changed = audited_update(
        clinician,
        {"language": code},
        user,
        "accounts.user.language",
        clinic_id=clinician.clinic_id,
        reason=lambda _changed: f"language: {_shown(before)} → {_shown(code)}",
    )
    user.language = clinician.language
    return bool(changed)
