"""Forms of the partner's space. Each lists its fields explicitly (SECURITY.md AC-07)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from rebond.couples.actions import safe_window_errors
from rebond.couples.models import Partner
from rebond.portal.actions import SAFE_HOURS_MAX_LENGTH

GOAL_CHOICES = [(value, label) for value, label in Partner.Goal.choices if value]


class GoalForm(forms.Form):
    intake_goal = forms.ChoiceField(
        label=_("What do you hope for from our work together?"),
        choices=GOAL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the options."),
            "invalid_choice": _("Choose one of the options."),
        },
    )


class SafeHoursForm(forms.Form):
    safe_hours = forms.CharField(
        label=_("When is it safe to contact you this way?"),
        help_text=_('For example "Weekdays 9:00 to 17:00". Leave empty for any time.'),
        max_length=SAFE_HOURS_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _("Use at most %(limit_value)d characters.")},
    )
    # The window for automated messages about an appointment, as clock times at the clinic;
    # the wording is the consultation request form's (rebond/intake/forms.py). Both or neither
    # is the action's rule (couples.actions.check_safe_window), shown beside these fields.
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
    may_mention_therapy = forms.BooleanField(
        label=_("Messages may say they come from the practice and what they are about"),
        help_text=_("Unticked, messages say only “Your appointment on …”."),
        required=False,
    )

    def __init__(self, *args: Any, clinic_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if clinic_name:
            self.fields["may_mention_therapy"].label = gettext(
                "Messages may say they come from %(clinic)s and what they are about"
            ) % {"clinic": clinic_name}

    def clean(self) -> dict[str, Any]:
        """Show an incomplete window beside its fields together with any other mistake."""
        cleaned: dict[str, Any] = super().clean() or {}
        if "safe_from" in cleaned and "safe_until" in cleaned:  # Both parsed.
            for name, messages in safe_window_errors(
                cleaned["safe_from"], cleaned["safe_until"]
            ).items():
                for message in messages:
                    self.add_error(name, message)
        return cleaned


class AgreeForm(forms.Form):
    """Agree to the exact text shown: its hash travels with the form."""

    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: object, expected_sha256: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.expected_sha256 = expected_sha256

    def clean_sha256(self) -> str:
        value: str = self.cleaned_data["sha256"]
        if value != self.expected_sha256:
            raise forms.ValidationError(
                gettext("This text has changed since the page was opened. Please read it again.")
            )
        return value


PIN_HELP = _("4 to 8 digits.")


class PinForm(forms.Form):
    """The PIN a partner enters after opening their link (digits only, never stored)."""

    pin = forms.RegexField(
        label=_("Your PIN"),
        regex=r"\A[0-9]{4,8}\Z",
        max_length=8,
        strip=True,
        help_text=_("The 4 to 8 digits you chose, or that your therapist gave you."),
        error_messages={
            "required": _("Enter your PIN."),
            "invalid": _("Enter 4 to 8 digits, with no spaces."),
            "max_length": _("Enter 4 to 8 digits, with no spaces."),
        },
    )


class SetPinForm(forms.Form):
    """A clinician sets a partner's PIN (told to the partner in person, never sent)."""

    pin = forms.RegexField(
        label=_("New PIN"),
        regex=r"\A[0-9]{4,8}\Z",
        max_length=8,
        strip=True,
        help_text=PIN_HELP,
        error_messages={
            "required": _("Enter a PIN of 4 to 8 digits."),
            "invalid": _("Use 4 to 8 digits."),
            "max_length": _("Use 4 to 8 digits."),
        },
    )


class ChoosePinForm(forms.Form):
    """A partner chooses their own PIN, typed twice (offered at first use, issue 15 A2)."""

    pin = forms.RegexField(
        label=_("Choose a PIN"),
        regex=r"\A[0-9]{4,8}\Z",
        max_length=8,
        strip=True,
        help_text=_("4 to 8 digits that someone close to you would not guess."),
        error_messages={
            "required": _("Enter a PIN of 4 to 8 digits."),
            "invalid": _("Use 4 to 8 digits, with no spaces."),
            "max_length": _("Use 4 to 8 digits, with no spaces."),
        },
    )
    pin_again = forms.CharField(
        label=_("Type the same PIN again"),
        max_length=8,
        strip=True,
        error_messages={
            "required": _("Type the PIN again."),
            "max_length": _("Type the PIN again."),
        },
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        pin = cleaned.get("pin")
        if pin and cleaned.get("pin_again") and cleaned["pin_again"] != pin:
            self.add_error("pin_again", gettext("The two PINs are not the same."))
        return cleaned
