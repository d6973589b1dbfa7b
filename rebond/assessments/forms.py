"""The clinician's forms: schedule a check-in, the schedule's sets, reminder settings."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rebond.assessments.actions import MAX_REMINDERS_RANGE, REMIND_AFTER_DAYS_RANGE
from rebond.assessments.checkins import schedulable_instruments
from rebond.assessments.models import Occasion
from rebond.couples.models import Couple

BOTH = "both"


class ScheduleForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Questionnaire"))
    who = forms.ChoiceField(label=_("Who answers"), widget=forms.RadioSelect, initial=BOTH)
    occasion = forms.CharField(
        label=_("Occasion (optional)"),
        max_length=60,
        required=False,
        help_text=_('E.g. "Intake" or "Session 4". Partners never see it.'),
    )

    def __init__(self, couple: Couple, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "schedule-%s")
        super().__init__(*args, **kwargs)
        instrument = cast(forms.ChoiceField, self.fields["instrument"])
        who = cast(forms.ChoiceField, self.fields["who"])
        instrument.choices = [
            (inst.code, f"{inst.code} · {inst.name}")
            for inst in schedulable_instruments(couple.clinic_id)
        ]
        who.choices = [(BOTH, gettext("Both partners"))] + [
            (str(p.id), gettext("Only %(name)s") % {"name": p.display_name})
            for p in couple.partners.order_by("role")
        ]


class ApproveInstrumentForm(forms.Form):
    """A clinic admin confirms they checked a key before offering an instrument."""

    instrument = forms.CharField(widget=forms.HiddenInput, max_length=20)
    key_checked = forms.BooleanField(
        label=_("I have checked this questionnaire's scoring key against the authors' form"),
        error_messages={"required": _("Tick the box to confirm you checked the scoring key.")},
    )


class OccasionSetsForm(forms.Form):
    """Which questionnaires make up each occasion's set (one checkbox group per occasion)."""

    def __init__(self, *args: Any, clinic_id: uuid.UUID, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (inst.code, f"{inst.code} · {inst.name}") for inst in schedulable_instruments(clinic_id)
        ]
        for occasion in Occasion:
            self.fields[occasion.value] = forms.MultipleChoiceField(
                label=occasion.label,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": gettext("Choose questionnaires from the list.")},
            )

    def occasion_fields(self) -> list[forms.BoundField]:
        return [self[occasion.value] for occasion in Occasion]


class ApplyScheduleForm(forms.Form):
    occasion = forms.ChoiceField(
        choices=Occasion.choices,
        error_messages={"invalid_choice": _("There is no such occasion.")},
    )


class ReminderSettingsForm(forms.Form):
    remind_after_days = forms.IntegerField(
        label=_("Remind after (days)"),
        min_value=REMIND_AFTER_DAYS_RANGE[0],
        max_value=REMIND_AFTER_DAYS_RANGE[1],
        help_text=_("Days a check-in may stay open before its first reminder, and between two."),
    )
    max_reminders = forms.IntegerField(
        label=_("Reminders per check-in, at most"),
        min_value=MAX_REMINDERS_RANGE[0],
        max_value=MAX_REMINDERS_RANGE[1],
        help_text=_("0 sends none."),
    )
