"""Forms of the alert, safety and settings pages. They parse input only; every rule lives in
`rebond.alerts.actions` (or `couples.actions.transition_case`), whose errors are mapped back
onto the form with `rebond.lib.forms.add_action_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rebond.alerts import rules
from rebond.alerts.models import Alert
from rebond.couples.models import Couple, SafetyConcern
from rebond.lib.forms import NameField, Textarea

TEXT_MAX = 5000
# What a clinician may decide for a case paused for safety (DOMAIN 7.2: resume with a record).
RESUME_CHOICES = [
    (Couple.Status.CONJOINT_ACTIVE, _("Continue conjoint therapy")),
    (Couple.Status.INDIVIDUAL_ONLY, _("Individual work only")),
    (Couple.Status.REFERRED_OUT, _("Refer out")),
]


class Form(forms.Form):
    """A form whose labels carry no trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CloseAlertForm(Form):
    disposition = forms.ChoiceField(
        choices=Alert.Disposition.choices, widget=forms.RadioSelect, label=_("What was decided")
    )
    reason = forms.CharField(
        max_length=TEXT_MAX,
        widget=Textarea(attrs={"rows": 3}),
        label=_("Reason"),
        help_text=_("Recorded with the alert for the clinicians on the case. Never sent anywhere."),
    )


class ResumeCaseForm(Form):
    to_status = forms.ChoiceField(
        choices=RESUME_CHOICES, widget=forms.RadioSelect, label=_("Your decision")
    )
    reason = forms.CharField(
        max_length=TEXT_MAX,
        widget=Textarea(attrs={"rows": 3}),
        label=_("Reason for the decision"),
    )
    override = forms.BooleanField(
        required=False,
        label=_("Move the case even if a guard is not met"),
        help_text=_("Use only with a reason that explains why."),
    )


class EscalationWindowForm(Form):
    minutes = forms.IntegerField(
        label=_("Escalate an unacknowledged HIGH alert after (minutes)"),
        help_text=_("From 5 to 1440 minutes (24 hours)."),
        widget=forms.NumberInput(attrs={"min": 5, "max": 1440, "inputmode": "numeric"}),
    )


class CrisisResourceForm(Form):
    name = NameField(max_length=120, label=_("Name of the service"))
    phone = forms.CharField(max_length=40, required=False, label=_("Phone number"))
    text_number = forms.CharField(max_length=40, required=False, label=_("Text number"))
    url = forms.CharField(
        max_length=200,
        required=False,
        label=_("Web address"),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    hours = forms.CharField(
        max_length=120, required=False, label=_("Hours"), help_text=_("E.g. “24 hours, every day”.")
    )
    position = forms.IntegerField(
        initial=0,
        label=_("Order"),
        help_text=_("Lower numbers are shown first."),
        widget=forms.NumberInput(attrs={"min": 0, "max": 999, "inputmode": "numeric"}),
    )


class AlertRuleForm(Form):
    enabled = forms.BooleanField(required=False, label=pgettext_lazy("rule switched on", "On"))
    threshold = forms.IntegerField(required=False, label=_("HIGH alert from"))

    def __init__(
        self, *args: Any, thresholds: tuple[int, ...] = (), core: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if core:
            # Always on (issue 15 B6): the page sends "on"; a POST without it is refused.
            self.fields["enabled"] = forms.BooleanField(
                initial=True,
                widget=forms.HiddenInput,
                error_messages={"required": _(rules.CORE_RULE_ALWAYS_ON)},
            )
        if thresholds:
            self.fields["threshold"].widget = forms.Select(
                choices=[(value, THRESHOLD_LABELS.get(value, str(value))) for value in thresholds]
            )
        else:
            del self.fields["threshold"]


# PHQ-9 item 9 answer values (Kroenke, Spitzer & Williams 2001), for the threshold select.
THRESHOLD_LABELS = {
    1: _("“Several days” or more"),
    2: _("“More than half the days” or more"),
}


class ConcernForm(Form):
    level = forms.IntegerField(widget=forms.Select(choices=SafetyConcern.Level.choices))
    status = forms.CharField(widget=forms.Select(choices=SafetyConcern.Status.choices))


class SafetyPlanForm(Form):
    warning_signs = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        label=_("Warning signs"),
        help_text=_("Thoughts, feelings or situations that come before a crisis."),
    )
    coping_steps = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        label=_("Things I can do on my own"),
    )
    people_and_places = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        label=_("People and places that help"),
    )
    professional_contacts = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        label=_("Professionals and services to contact"),
    )
    making_environment_safe = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=Textarea(attrs={"rows": 3}),
        label=_("Making the environment safe"),
    )
    shared_with_partner = forms.BooleanField(
        required=False,
        label=_("Show this plan in the partner's own private space"),
        help_text=_("Only the partner it is written for can see it; never the other partner."),
    )
