"""The clinic's measurement settings form; the action holds the rules (actions.py)."""

from __future__ import annotations

from django import forms

from rebond.measurement.actions import SettingsDraft, outcome_choices
from rebond.measurement.models import MeasurementSettings


class MeasurementSettingsForm(forms.Form):
    outcome_instrument = forms.ChoiceField(
        label="Outcome questionnaire",
        help_text="Given every session; the caseload's signal and the alert use it.",
    )
    planned_sessions = forms.IntegerField(
        label="Planned course, in sessions",
        help_text="Expected recovery reaches the cut-off at this session (DOMAIN 6: 8 to 24).",
    )
    flag_from_session = forms.IntegerField(
        label="Judge from session",
        help_text="Pepping, Halford & Doss (2015): off-track couples show by session 3.",
    )
    tolerance = forms.FloatField(
        label="Tolerance, in points below the expected score",
        required=False,
        help_text="Empty: the reliable-change amount, or 10% of the range (a practice choice).",
    )
    divergence = forms.FloatField(
        label="Divergence, in points between the partners' gains",
        required=False,
        help_text="Empty: sqrt(2) times the tolerance default.",
    )
    local_sd = forms.FloatField(
        label="Local norms: SD of your pre-treatment sample", required=False
    )
    local_reliability = forms.FloatField(
        label="Local norms: reliability (e.g. test-retest)", required=False
    )
    local_norms_source = forms.CharField(
        label="Local norms: where they come from", required=False, max_length=200
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["outcome_instrument"]
        field.choices = [(code, code) for code in outcome_choices()]  # type: ignore[attr-defined]

    @classmethod
    def for_settings(cls, settings: MeasurementSettings) -> MeasurementSettingsForm:
        return cls(initial={name: getattr(settings, name) for name in cls.base_fields})

    def draft(self) -> SettingsDraft:
        return SettingsDraft(**self.cleaned_data)
