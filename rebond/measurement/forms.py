"""The clinic's measurement settings form; the action holds the rules (actions.py)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from psychometrics.signals import REVIEW_SESSION_RANGE
from rebond.measurement.actions import SettingsDraft, outcome_choices
from rebond.measurement.models import MeasurementSettings


class MeasurementSettingsForm(forms.Form):
    outcome_instrument = forms.ChoiceField(
        label=_("Outcome questionnaire"),
        help_text=_(
            "Given every session; the caseload's signal and the alert use it. The RDAS is listed "
            "once the clinic has loaded its licensed wording and chosen to offer it (Check-in "
            "settings)."
        ),
    )
    review_session = forms.IntegerField(
        label=_("Review session: flag a partner with no reliable improvement from session"),
        help_text=format_lazy(
            _(
                "A practice choice of your clinic, not a norm (default 6; {low} to {high}). "
                "From this session, a partner still in the clinical range who has not reliably "
                "improved since intake is flagged amber. Only for questionnaires with a "
                "published reliable-change figure."
            ),
            low=REVIEW_SESSION_RANGE[0],
            high=REVIEW_SESSION_RANGE[1],
        ),
    )
    divergence = forms.FloatField(
        label=_("Divergence, in points between the partners' gains"),
        required=False,
        help_text=_(
            "Empty: sqrt(2) times the reliable-change figure, or none without a figure. A value "
            "here is your clinic's choice and is labelled so."
        ),
    )
    local_sd = forms.FloatField(
        label=_("Local norms: SD of your pre-treatment sample"), required=False
    )
    local_reliability = forms.FloatField(
        label=_("Local norms: test-retest reliability"),
        required=False,
        help_text=_(
            "Use a test-retest r from a sample retested without treatment in between; an alpha "
            "makes the reliable-change figure too small."
        ),
    )
    local_norms_source = forms.CharField(
        label=_("Local norms: where they come from"), required=False, max_length=200
    )

    def __init__(self, *args: object, clinic_id: uuid.UUID | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["outcome_instrument"]
        field.choices = [(code, code) for code in outcome_choices(clinic_id)]  # type: ignore[attr-defined]

    @classmethod
    def for_settings(
        cls, settings: MeasurementSettings, clinic_id: uuid.UUID
    ) -> MeasurementSettingsForm:
        return cls(
            initial={name: getattr(settings, name) for name in cls.base_fields},
            clinic_id=clinic_id,
        )

    def draft(self) -> SettingsDraft:
        return SettingsDraft(**self.cleaned_data)
