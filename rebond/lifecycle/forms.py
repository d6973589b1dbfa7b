"""The retention policy form and the erasure request form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rebond.lifecycle.models import MAX_KEEP_YEARS, MAX_NOTICE_DAYS, REQUEST_REASONS

KEEP_INDEFINITELY = "indefinitely"
KEEP_FOR_YEARS = "years"


class RetentionPolicyForm(forms.Form):
    keep = forms.ChoiceField(
        label=gettext_lazy("Closed cases are"),
        choices=[
            (KEEP_INDEFINITELY, gettext_lazy("Kept indefinitely (nothing is erased)")),
            (KEEP_FOR_YEARS, gettext_lazy("Erased after a number of years")),
        ],
        widget=forms.RadioSelect,
    )
    keep_years = forms.IntegerField(
        label=gettext_lazy("Years to keep a case after it is closed"),
        min_value=1,
        max_value=MAX_KEEP_YEARS,
        required=False,
        help_text=gettext_lazy("Counted from the day the case was closed."),
    )
    notice_days = forms.IntegerField(
        label=gettext_lazy("Tell clinic admins this many days ahead"),
        min_value=1,
        max_value=MAX_NOTICE_DAYS,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("keep") == KEEP_FOR_YEARS and cleaned.get("keep_years") is None:
            self.add_error("keep_years", _("Say how many years, or choose to keep indefinitely."))
        return cleaned

    def chosen_years(self) -> int | None:
        if self.cleaned_data["keep"] == KEEP_INDEFINITELY:
            return None
        return int(self.cleaned_data["keep_years"])


class ErasureRequestForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why is this partner's data to be erased?"),
        choices=[(reason.value, reason.label) for reason in REQUEST_REASONS],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I checked that the law does not require the clinic to keep these records"
        ),
        required=True,
    )
