"""The case page's diary form: offer the diary or not, and how often to remind (clinicians)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rebond.diary.models import DiaryPlan


class DiaryPlanForm(forms.Form):
    offered = forms.BooleanField(
        required=False,
        label=_("Offer the diary to both partners"),
        help_text=_(
            "Each partner writes privately; the other sees only entries its author shares."
        ),
    )
    prompt = forms.ChoiceField(
        choices=DiaryPlan.Prompt.choices,
        widget=forms.RadioSelect,
        label=_("Reminders"),
        help_text=_(
            "Never more than once a day, only through a channel marked safe, at safe hours."
        ),
        initial=DiaryPlan.Prompt.NEVER,
    )
