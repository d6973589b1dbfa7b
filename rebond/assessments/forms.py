"""The clinician's form to schedule a check-in."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from rebond.assessments.checkins import schedulable_instruments
from rebond.couples.models import Couple

BOTH = "both"


class ScheduleForm(forms.Form):
    instrument = forms.ChoiceField(label="Questionnaire")
    who = forms.ChoiceField(label="Who answers", widget=forms.RadioSelect, initial=BOTH)
    occasion = forms.CharField(
        label="Occasion (optional)",
        max_length=60,
        required=False,
        help_text='E.g. "Intake" or "Session 4". Partners never see it.',
    )

    def __init__(self, couple: Couple, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "schedule-%s")
        super().__init__(*args, **kwargs)
        instrument = cast(forms.ChoiceField, self.fields["instrument"])
        who = cast(forms.ChoiceField, self.fields["who"])
        instrument.choices = [
            (inst.code, f"{inst.code} · {inst.name}") for inst in schedulable_instruments()
        ]
        who.choices = [(BOTH, "Both partners")] + [
            (str(p.id), f"Only {p.display_name}") for p in couple.partners.order_by("role")
        ]
