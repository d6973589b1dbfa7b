"""Forms of the therapy pages. They parse input only; the actions validate and decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from rebond.couples.models import Couple
from rebond.lib.forms import NameField, Textarea
from rebond.therapy.models import CycleMap, CyclePosition, Note, Session


class SessionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of session"), choices=Session.Kind.choices, widget=forms.RadioSelect
    )
    occurred_at = forms.DateTimeField(
        label=_("When it took place"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=[("", _("Choose what happened")), *Session.Attendance.choices],
        error_messages={"required": _("Choose what happened: held, partly, cancelled or missed.")},
    )
    attendees = forms.MultipleChoiceField(
        label=_("Who came"), widget=forms.CheckboxSelectMultiple, required=False
    )
    shared_label = NameField(
        label=_("Label partners may see"),
        max_length=80,
        initial=_("Session"),
        help_text=_("Neutral words only: this is what an appointment shows to either partner."),
    )
    clinical_purpose = forms.CharField(
        label=_("Clinical purpose (clinicians only)"),
        max_length=200,
        required=False,
        help_text=_("E.g. 'AIRM: the hurt partner's account'. Never shown to a partner."),
    )

    def __init__(self, couple: Couple, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["attendees"]).choices = [
            (str(p.id), p.display_name) for p in couple.partners.all()
        ]


class VoidSessionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this session voided?"),
        max_length=500,
        widget=Textarea(attrs={"rows": 2}),
        help_text=_(
            "E.g. recorded on the wrong case or twice. The session is kept, marked voided."
        ),
    )


class StageMoveForm(forms.Form):
    to_position = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=Textarea(attrs={"rows": 2}),
        help_text=_("Needed for a move back, and for an override."),
    )
    attest = forms.BooleanField(
        label=_("I attest that the markers for this move were observed in session"),
        required=False,
    )
    override = forms.BooleanField(
        label=_("Override an unmet gate (give the reason above)"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, choices: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        # Its own element ids: the therapy page also holds AIRM forms with the same field names.
        kwargs.setdefault("auto_id", "stage-%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_position"]).choices = choices


class AirmMoveForm(forms.Form):
    to_state = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=Textarea(attrs={"rows": 2}),
        help_text=_("Needed to move back, suspend, resume or close unresolved."),
    )
    attest = forms.BooleanField(
        label=_("I attest that the injury is resolved (only for “Resolved”)"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, choices: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_state"]).choices = choices


class CycleForm(forms.Form):
    pattern = forms.ChoiceField(label=_("Pattern"), choices=CycleMap.Pattern.choices)
    trigger = forms.CharField(
        label=_("What sets it off"),
        max_length=200,
        required=False,
        help_text=_("The hot topic or moment, in a few words."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PositionForm(forms.Form):
    position = forms.ChoiceField(
        label=_("Position"), choices=CyclePosition.Position.choices, required=False
    )
    action = forms.CharField(label=_("What they do"), max_length=120, required=False)
    reactive_emotion = forms.CharField(
        label=_("Reactive (secondary) emotion"), max_length=120, required=False
    )
    primary_emotion = forms.CharField(
        label=_("Primary emotion underneath"), max_length=120, required=False
    )
    attachment_fear = forms.CharField(label=_("Attachment fear"), max_length=160, required=False)
    need = forms.CharField(label=_("Attachment need"), max_length=160, required=False)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of note"), choices=Note.Kind.choices)
    session = forms.ChoiceField(label=_("About session"), required=False)
    body = forms.CharField(label=_("Note"), widget=Textarea(attrs={"rows": 6}), max_length=20000)

    def __init__(self, sessions: list[Session], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["session"]).choices = [
            ("", _("None (about the case)"))
        ] + [
            (str(s.id), f"{s} · {date_format(localtime(s.occurred_at), 'd M Y')}") for s in sessions
        ]


class NoteEditForm(forms.Form):
    body = forms.CharField(label=_("Note"), widget=Textarea(attrs={"rows": 6}), max_length=20000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddendumForm(forms.Form):
    body = forms.CharField(
        label=_("Addendum"), widget=Textarea(attrs={"rows": 3}), max_length=20000
    )


class SettingsForm(forms.Form):
    airm_stall_sessions = forms.IntegerField(
        label=_("Sessions without an AIRM step before a track is flagged as stalled"),
        min_value=1,
        max_value=20,
        help_text=_("A practice choice, not a clinical norm. Default 4."),
    )
