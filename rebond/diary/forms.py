"""The partner's diary form: a minute to fill on a phone, and a DiaryDraft for the action.

The form parses; `rebond.diary.actions.validate` holds the rules (those of the database
constraints), so a refusal reads the same from the form and from the action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rebond.diary.actions import DiaryDraft, validate
from rebond.diary.models import LINE_MAX, RATING_MAX, DiaryEntry

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

RATING_CHOICES = [(str(n), str(n)) for n in range(RATING_MAX + 1)]
YES_NO = [("no", _("No")), ("yes", _("Yes"))]


def _rating(label: _StrOrPromise, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
    )


class DiaryForm(forms.Form):
    felt_safe = _rating(_("How safe do you feel today?"))
    felt_close = _rating(_("How close do you feel to your partner today?"))
    triggered = forms.ChoiceField(
        label=_("Was something a trigger today?"),
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    trigger_kind = forms.ChoiceField(
        label=_("What was it?"),
        choices=DiaryEntry.TriggerKind.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    trigger_intensity = _rating(_("How strong was it?"), required=False)
    helped = forms.ChoiceField(
        label=_("What helped? (optional)"),
        choices=DiaryEntry.Helped.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    line = forms.CharField(
        label=_("One line for yourself (optional)"),
        max_length=LINE_MAX,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"maxlength": LINE_MAX, "autocomplete": "off"}),
    )
    not_safe_now = forms.BooleanField(label=_("Right now I don't feel safe"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "diary-%s")
        super().__init__(*args, **kwargs)
        self.fields["line"].error_messages["max_length"] = gettext(
            "Keep it to %(max)s characters."
        ) % {"max": LINE_MAX}
        self.fields["felt_safe"].error_messages["required"] = gettext(
            "Choose how safe you feel today, 0 to 10."
        )
        self.fields["felt_close"].error_messages["required"] = gettext(
            "Choose how close you feel today, 0 to 10."
        )
        for name in ("felt_safe", "felt_close", "trigger_intensity"):
            self.fields[name].error_messages["invalid_choice"] = gettext(
                "Choose a number from 0 to 10."
            )
        for name in ("trigger_kind", "helped", "triggered"):
            self.fields[name].error_messages["invalid_choice"] = gettext(
                "Choose one of the options."
            )

    def clean(self) -> dict[str, Any]:
        """Add the action's own checks (a trigger needs its kind and strength...), so that one
        submit shows every problem at once."""
        cleaned = super().clean() or {}
        for name, problems in validate(self.draft(complete=False)).items():
            if name not in self.errors:
                for problem in problems:
                    self.add_error(name if name in self.fields else None, problem)
        return cleaned

    def draft(self, *, complete: bool = True) -> DiaryDraft:
        """Return what the partner filled in, for `actions.write_entry` (call after is_valid;
        `complete=False` reads whatever parsed so far)."""
        data = self.cleaned_data if complete else dict.fromkeys(self.fields) | self.cleaned_data
        details = bool(data["trigger_kind"]) or data["trigger_intensity"] is not None
        # "No" wins over details left filled in (hidden once "No" is chosen); no answer with
        # details filled in reads as "yes".
        triggered = data["triggered"] == "yes" or (not data["triggered"] and details)
        return DiaryDraft(
            felt_safe=data["felt_safe"],
            felt_close=data["felt_close"],
            triggered=triggered,
            trigger_kind=(data["trigger_kind"] or "") if triggered else "",
            trigger_intensity=data["trigger_intensity"] if triggered else None,
            helped=(data["helped"] or "") if triggered else "",
            line=data["line"] or "",
            not_safe_now=bool(data["not_safe_now"]),
        )
