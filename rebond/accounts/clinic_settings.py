"""The clinic's own settings (clinic admins only): name, public request page, time zone,
default language and the address for e-mails.

Every value is checked here, whatever form sent it, and every change is audited: the names
of the fields changed, and for the short non-secret fields their values before and after in
the entry's text (the introduction's words are not copied, only that it changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rebond import access
from rebond.accounts.models import REQUEST_INTRO_MAX_LENGTH, Clinic, User
from rebond.audit.updates import audited_update
from rebond.lib.clinic_time import is_known_zone, zone_names
from rebond.lib.errors import ActionError
from rebond.lib.language import supported
from rebond.lib.text import BIDI_MESSAGE, has_bidi_controls, normalise_line_breaks

NAME_MAX_LENGTH = Clinic._meta.get_field("name").max_length or 200
EMAIL_MAX_LENGTH = Clinic._meta.get_field("reply_to_email").max_length or 254
# Fields whose values are recorded in the audit entry (before → after); the others by name only.
AUDITED_VALUES = ("name", "public_requests_open", "timezone", "default_language", "reply_to_email")
LABELS = {
    "name": "name",
    "public_requests_open": "public request page",
    "request_intro": "introduction",
    "timezone": "time zone",
    "default_language": "default language",
    "reply_to_email": "address for e-mails",
}
# The same names in the reader's language, for the page that confirms a change (the audit
# entry's text keeps LABELS, in English like every entry).
SHOWN_LABELS = {
    "name": gettext_lazy("name"),
    "public_requests_open": gettext_lazy("public request page"),
    "request_intro": gettext_lazy("introduction"),
    "timezone": gettext_lazy("time zone"),
    "default_language": gettext_lazy("default language"),
    "reply_to_email": gettext_lazy("address for e-mails"),
}


@dataclass(frozen=True)
class ClinicSettingsDraft:
    name: str
    public_requests_open: bool
    request_intro: str
    timezone: str
    default_language: str
    reply_to_email: str

    @classmethod
    def of(cls, clinic: Clinic) -> ClinicSettingsDraft:
        """Return the clinic's current settings as a draft (the form's starting values)."""
        return cls(**{name: getattr(clinic, name) for name in LABELS})

    def cleaned(self) -> ClinicSettingsDraft:
        """Return the draft with surrounding spaces removed and line breaks made LF."""
        return ClinicSettingsDraft(
            name=self.name.strip(),
            public_requests_open=self.public_requests_open,
            request_intro=normalise_line_breaks(self.request_intro).strip(),
            timezone=self.timezone.strip(),
            default_language=self.default_language.strip(),
            reply_to_email=self.reply_to_email.strip(),
        )


def validation_errors(draft: ClinicSettingsDraft) -> dict[str, list[str]]:
    """Return a message per refused field of a cleaned draft (empty when all are fine)."""
    errors: dict[str, list[str]] = {}
    if not draft.name:
        errors["name"] = [_("Enter the clinic's name.")]
    elif len(draft.name) > NAME_MAX_LENGTH:
        errors["name"] = [
            _("Keep the name to %(count)s characters or fewer.") % {"count": NAME_MAX_LENGTH}
        ]
    elif has_bidi_controls(draft.name):
        errors["name"] = [str(BIDI_MESSAGE)]
    if len(draft.request_intro) > REQUEST_INTRO_MAX_LENGTH:
        errors["request_intro"] = [
            _("Keep the introduction to %(count)s characters or fewer.")
            % {"count": REQUEST_INTRO_MAX_LENGTH}
        ]
    elif "\x00" in draft.request_intro:
        errors["request_intro"] = [_("Remove the null character from the introduction.")]
    if not is_known_zone(draft.timezone):
        errors["timezone"] = [_zone_message(draft.timezone)]
    if not supported(draft.default_language):
        errors["default_language"] = [_("Choose a language from the list.")]
    if draft.reply_to_email:
        try:
            validate_email(draft.reply_to_email)
        except ValidationError:
            errors["reply_to_email"] = [
                _("Enter an e-mail address such as reception@example.org, or leave it empty.")
            ]
        else:
            if len(draft.reply_to_email) > EMAIL_MAX_LENGTH:
                errors["reply_to_email"] = [
                    _("Keep the address to %(count)s characters or fewer.")
                    % {"count": EMAIL_MAX_LENGTH}
                ]
    return errors


def _zone_message(typed: str) -> str:
    message = _(
        "Choose a time zone from the list, written as in it (for example Europe/London or"
        " America/Los_Angeles)."
    )
    by_folded = {name.casefold(): name for name in zone_names()}
    close = get_close_matches(typed.casefold(), list(by_folded), n=1, cutoff=0.8)
    if close:
        message += " " + _("Did you mean %(zone)s?") % {"zone": by_folded[close[0]]}
    return message


def _shown(name: str, value: object) -> str:
    if name == "public_requests_open":
        return "on" if value else "off"
    return str(value) if value else "(none)"


def change_summary(clinic: Clinic, changed: list[str], before: dict[str, object]) -> str:
    """Return the audit text of a change: "time zone: UTC → Australia/Sydney; …"."""
    parts = []
    for name in changed:
        if name in AUDITED_VALUES:
            parts.append(
                f"{LABELS[name]}: {_shown(name, before[name])} → "
                f"{_shown(name, getattr(clinic, name))}"
            )
        else:
            parts.append(f"{LABELS[name]} changed")
    return "; ".join(parts)


@transaction.atomic
def update_clinic_settings(admin: User, draft: ClinicSettingsDraft) -> list[str]:
    """Save the admin's clinic's settings; return the names of the fields that changed.

    Raises ActionError (nothing saved) for a refused value, and SettingsRefused or 404
    through the access gateway for anyone but an active clinic admin of a clinic.
    """
    clinic_id = access.get_admin_clinic(admin).pk
    clinic = Clinic.objects.select_for_update().get(pk=clinic_id)
    draft = draft.cleaned()
    errors = validation_errors(draft)
    if errors:
        raise ActionError(_("The clinic settings could not be saved."), errors)
    before = {name: getattr(clinic, name) for name in LABELS}
    return audited_update(
        clinic,
        {name: getattr(draft, name) for name in LABELS},
        admin,
        "accounts.clinic.settings",
        clinic_id=clinic.id,
        reason=lambda changed: change_summary(clinic, changed, before),
    )
