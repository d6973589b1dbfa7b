"""Forms for the public consultation request and the clinician's triage.

Every field has a label and, when needed, a hint; the templates tie errors to fields with
aria-describedby. Limits here match the model columns, so valid input always fits.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from rebond.accounts.models import User
from rebond.intake.models import ConsultationRequest
from rebond.lib.forms import NameField, Textarea
from rebond.lib.text import is_phone_number

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_YES_NO = [("yes", _("Yes")), ("no", _("No"))]
# new_submission_key(): 24 random bytes, 32 URL-safe characters; a little leeway either side.
_SUBMISSION_KEY = re.compile(r"\A[A-Za-z0-9_-]{22,64}\Z")


def new_submission_key() -> str:
    """Return a fresh idempotency key for one public form (issue 15 C13)."""
    return secrets.token_urlsafe(24)


def _to_bool(value: str) -> bool:
    return value == "yes"


class ConsultationRequestForm(forms.Form):
    """The public form: who to contact, how to do it safely, what brings them, safety."""

    name = NameField(
        label=_("What should we call you?"),
        help_text=_("A first name is enough."),
        max_length=120,
        error_messages={"required": _("Tell us what to call you. A first name is enough.")},
    )
    contact_method = forms.ChoiceField(
        label=_("What is a safe way to reach you?"),
        choices=ConsultationRequest.ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a safe way for us to reach you.")},
    )
    contact_value = forms.CharField(
        label=_("Phone number or e-mail address"),
        help_text=_("The number or address to use for the way you chose."),
        max_length=254,
        error_messages={"required": _("Enter the phone number or e-mail address to use.")},
    )
    safe_times = forms.CharField(
        label=_("When is it safe to contact you? (optional)"),
        help_text=_("For example: weekdays between 9 and 12. Leave it empty if any time is fine."),
        max_length=200,
        required=False,
    )
    may_leave_message = forms.TypedChoiceField(
        label=_("May we leave a message (voicemail, text or e-mail)?"),
        choices=_YES_NO,
        coerce=_to_bool,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us whether we may leave a message.")},
    )
    # The safe window for automated messages about an appointment, as clock times at the
    # clinic (rebond/lib/safe_window.py); both or neither, and it may cross midnight.
    safe_from = forms.TimeField(
        label=pgettext_lazy("a clock time", "From"),
        required=False,
        widget=forms.TimeInput(format="%H:%M"),
        error_messages={"invalid": _("Enter a time like 18:00.")},
    )
    safe_until = forms.TimeField(
        label=_("Until"),
        required=False,
        widget=forms.TimeInput(format="%H:%M"),
        error_messages={"invalid": _("Enter a time like 20:00.")},
    )
    # Off unless ticked: messages then use only the clinic's neutral wording.
    may_mention_therapy = forms.BooleanField(
        label=_("Messages may say they come from the practice and what they are about"),
        help_text=_("Unticked, messages say only “Your appointment on …”."),
        required=False,
    )
    concerns = forms.MultipleChoiceField(
        label=_("What brings you to us? (optional, choose any that fit)"),
        choices=ConsultationRequest.Concern.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    concerns_text = forms.CharField(
        label=_("Anything else you would like us to know (optional)"),
        help_text=_("Only if you want to. You can tell us more when we speak."),
        max_length=2000,
        required=False,
        widget=Textarea(attrs={"rows": 4}),
    )
    feels_safe = forms.ChoiceField(
        label=_("Do you feel safe at home right now?"),
        choices=ConsultationRequest.FeelsSafe.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us whether you feel safe at home right now.")},
    )
    consent = forms.BooleanField(
        label=_("I agree that the practice may contact me about this request, in the way I chose."),
        error_messages={"required": _("We can only reply if you agree to be contacted.")},
    )
    # The honeypot: hidden from people (CSS, aria-hidden, out of the tab order), filled in by
    # bots that complete every field. A filled honeypot looks accepted but is dropped.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    # The form's idempotency key (hidden). Missing or malformed, the request is still taken,
    # only without the protection against sending it twice: a request for help is never lost.
    submission_key = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, clinic_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clinic_name:
            self.fields["may_mention_therapy"].label = gettext(
                "Messages may say they come from %(clinic)s and what they are about"
            ) % {"clinic": clinic_name}

    def clean_submission_key(self) -> str:
        key: str = self.cleaned_data.get("submission_key") or ""
        return key if _SUBMISSION_KEY.match(key) else ""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        method = cleaned.get("contact_method")
        value = cleaned.get("contact_value")
        if method and value:
            if method == ConsultationRequest.ContactMethod.EMAIL:
                try:
                    validate_email(value)
                except ValidationError:
                    self.add_error(
                        "contact_value",
                        gettext(
                            "Enter an e-mail address like name@example.com, or choose a phone"
                            " call or text message."
                        ),
                    )
            elif not is_phone_number(value):
                self.add_error(
                    "contact_value",
                    gettext(
                        "Enter a phone number using digits (spaces and + are fine), or choose"
                        " e-mail."
                    ),
                )
        self._clean_safe_window(cleaned)
        return cleaned

    def _clean_safe_window(self, cleaned: dict[str, Any]) -> None:
        """Both times or neither; the window may cross midnight (21:00 to 07:00)."""
        if "safe_from" not in cleaned or "safe_until" not in cleaned:
            return  # One of them did not parse: its own message is already beside it.
        start, end = cleaned["safe_from"], cleaned["safe_until"]
        if start is not None and end is None:
            self.add_error(
                "safe_until",
                gettext(
                    "Give the time until which a message is safe too, or leave both times empty."
                ),
            )
        elif start is None and end is not None:
            self.add_error(
                "safe_from",
                gettext(
                    "Give the time from which a message is safe too, or leave both times empty."
                ),
            )
        elif start is not None and start == end:
            self.add_error(
                "safe_until",
                gettext("Give two different times, for example 18:00 and 20:00."),
            )

    @property
    def key_to_render(self) -> str:
        """Return the key the page carries: the one sent with it, or a fresh one."""
        sent = self.data.get("submission_key", "") if self.is_bound else ""
        return (
            sent if isinstance(sent, str) and _SUBMISSION_KEY.match(sent) else new_submission_key()
        )

    @property
    def is_honeypot_filled(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    @property
    def says_unsafe(self) -> bool:
        """Return whether the submitted answer to the safety question is no or not sure."""
        answer = self.data.get("feels_safe") if self.is_bound else None
        return answer in (
            ConsultationRequest.FeelsSafe.NO,
            ConsultationRequest.FeelsSafe.NOT_SURE,
        )


class InboxFilterForm(forms.Form):
    """The inbox's status filter, parsed from the query string (never expanded into a query)."""

    OPEN = "open"
    ALL = "all"
    STATUS_CHOICES: ClassVar[list[tuple[str, StrOrPromise]]] = [
        (OPEN, pgettext_lazy("consultation requests", "Waiting")),
        *ConsultationRequest.Status.choices,
        (ALL, pgettext_lazy("consultation requests", "All")),
    ]

    status = forms.ChoiceField(label=_("Show"), choices=STATUS_CHOICES, required=False)

    def selected(self) -> str:
        if self.is_valid() and self.cleaned_data["status"]:
            return str(self.cleaned_data["status"])
        return self.OPEN


class DeclineForm(forms.Form):
    referral = forms.CharField(
        label=_("Referral or reason, for the clinic's record"),
        help_text=_("For example, the service you suggested instead. Not sent to anyone."),
        max_length=2000,
        widget=Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write where you referred the person, or why you declined.")},
    )

    def clean_referral(self) -> str:
        value: str = self.cleaned_data["referral"].strip()
        if not value:
            raise ValidationError(
                gettext("Write where you referred the person, or why you declined.")
            )
        return value


class ClinicianChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class ConvertForm(forms.Form):
    """Open a couple's case from a request: a label, the two partners, the primary clinician."""

    label = NameField(
        label=_("Case label"),
        help_text=_(
            "Your short name for the case, for example “Rivera & Chen”. Never"
            " shown to the partners."
        ),
        max_length=120,
        error_messages={"required": _("Give the case a label.")},
    )
    partner_a_name = NameField(
        label=_("Partner A: display name"),
        help_text=_("The person who sent the request."),
        max_length=120,
        error_messages={"required": _("Enter a display name for partner A.")},
    )
    partner_b_name = NameField(
        label=_("Partner B: display name"),
        help_text=_("Their partner. Nothing is sent to partner B now."),
        max_length=120,
        error_messages={"required": _("Enter a display name for partner B.")},
    )
    primary_clinician = ClinicianChoiceField(
        label=_("Primary clinician"),
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose the primary clinician."),
            "invalid_choice": _("Choose one of the clinic's therapists."),
        },
    )

    def __init__(self, *args: Any, clinician: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["primary_clinician"]
        if not isinstance(field, ClinicianChoiceField):  # pragma: no cover - declared above
            raise TypeError(field)
        if clinician.clinic_id is None:
            field.queryset = User.objects.none()
        else:
            field.queryset = User.objects.filter(
                clinic_id=clinician.clinic_id, is_active=True, is_therapist=True
            ).order_by("display_name")
