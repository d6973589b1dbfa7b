"""The clinic settings form: it reads what was typed; clinic_settings.py judges it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from rebond.accounts.clinic_settings import NAME_MAX_LENGTH, ClinicSettingsDraft
from rebond.accounts.models import REQUEST_INTRO_MAX_LENGTH
from rebond.lib.forms import NameField, Textarea
from rebond.lib.language import choices as language_choices

OPEN, CLOSED = "open", "closed"
# The list the time zone field suggests from (rendered once in the page as a <datalist>).
ZONE_LIST_ID = "time-zone-names"


class ClinicSettingsForm(forms.Form):
    name = NameField(label=_("Clinic name"), max_length=NAME_MAX_LENGTH)
    public_requests = forms.ChoiceField(
        label=_("Consultation requests online"),
        choices=[
            (OPEN, _("Open: anyone with the page's address can send a request")),
            (CLOSED, _("Closed: the page only says that you do not take requests online")),
        ],
        widget=forms.RadioSelect,
    )
    request_intro = forms.CharField(
        label=_("Introduction on the request page (optional)"),
        required=False,
        max_length=REQUEST_INTRO_MAX_LENGTH,
        widget=Textarea(attrs={"rows": 5}),
        help_text=_(
            "Shown above the form, in your words: who you are, what happens after a request."
            " The form's own promises about privacy and contact stay below it."
        ),
    )
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=60,
        widget=forms.TextInput(
            attrs={"list": ZONE_LIST_ID, "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_(
            "Type a city or region and choose from the list, e.g. Europe/London. Every date"
            " and time in Rebond, its e-mails and reports is shown and entered in this zone."
        ),
    )
    default_language = forms.ChoiceField(
        label=_("Default language"),
        help_text=_(
            "The language of your public request page, and of the pages and e-mails of"
            " clinicians and partners who have not chosen their own."
        ),
    )
    reply_to_email = forms.CharField(
        label=_("Address for e-mails (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Replies to Rebond's e-mails about your clinic go here. Partners see it too: use"
            " a neutral address that names no therapy or specialty."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = cast(forms.ChoiceField, self.fields["default_language"])
        language.choices = language_choices()

    @classmethod
    def for_draft(cls, draft: ClinicSettingsDraft) -> ClinicSettingsForm:
        initial = {
            "name": draft.name,
            "public_requests": OPEN if draft.public_requests_open else CLOSED,
            "request_intro": draft.request_intro,
            "timezone": draft.timezone,
            "default_language": draft.default_language,
            "reply_to_email": draft.reply_to_email,
        }
        return cls(initial=initial)

    def draft(self) -> ClinicSettingsDraft:
        data = self.cleaned_data
        return ClinicSettingsDraft(
            name=data["name"],
            public_requests_open=data["public_requests"] == OPEN,
            request_intro=data["request_intro"],
            timezone=data["timezone"],
            default_language=data["default_language"],
            reply_to_email=data["reply_to_email"],
        )
