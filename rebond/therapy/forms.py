"""Forms of the therapy pages. They parse input only; the actions validate and decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.timezone import localtime

from rebond.couples.models import Couple
from rebond.lib.forms import NameField, Textarea
from rebond.therapy.models import CycleMap, CyclePosition, Note, Session


class SessionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of session", choices=Session.Kind.choices, widget=forms.RadioSelect
    )
    occurred_at = forms.DateTimeField(
        label="When it took place",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    attendance = forms.ChoiceField(
        label="Attendance",
        choices=[("", "Choose what happened"), *Session.Attendance.choices],
        error_messages={"required": "Choose what happened: held, partly, cancelled or missed."},
    )
    attendees = forms.MultipleChoiceField(
        label="Who came", widget=forms.CheckboxSelectMultiple, required=False
    )
    shared_label = NameField(
        label="Label partners may see",
        max_length=80,
        initial="Session",
        help_text="Neutral words only: this is what an appointment shows to either partner.",
    )
    clinical_purpose = forms.CharField(
        label="Clinical purpose (clinicians only)",
        max_length=200,
        required=False,
        help_text="E.g. 'AIRM: the hurt partner's account'. Never shown to a partner.",
    )

    def __init__(self, couple: Couple, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["attendees"]).choices = [
            (str(p.id), p.display_name) for p in couple.partners.all()
        ]


class VoidSessionForm(forms.Form):
    reason = forms.CharField(
        label="Why is this session voided?",
        max_length=500,
        widget=Textarea(attrs={"rows": 2}),
        help_text="E.g. recorded on the wrong case or twice. The session is kept, marked voided.",
    )


class StageMoveForm(forms.Form):
    to_position = forms.ChoiceField(label="Move to")
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=Textarea(attrs={"rows": 2}),
        help_text="Needed for a move back, and for an override.",
    )
    attest = forms.BooleanField(
        label="I attest that the markers for this move were observed in session",
        required=False,
    )
    override = forms.BooleanField(
        label="Override an unmet gate (give the reason above)", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, choices: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        # Its own element ids: the therapy page also holds AIRM forms with the same field names.
        kwargs.setdefault("auto_id", "stage-%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_position"]).choices = choices


class AirmMoveForm(forms.Form):
    to_state = forms.ChoiceField(label="Move to")
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=Textarea(attrs={"rows": 2}),
        help_text="Needed to move back, suspend, resume or close unresolved.",
    )
    attest = forms.BooleanField(
        label="I attest that the injury is resolved (only for “Resolved”)", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, choices: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_state"]).choices = choices


class CycleForm(forms.Form):
    pattern = forms.ChoiceField(label="Pattern", choices=CycleMap.Pattern.choices)
    trigger = forms.CharField(
        label="What sets it off",
        max_length=200,
        required=False,
        help_text="The hot topic or moment, in a few words.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PositionForm(forms.Form):
    position = forms.ChoiceField(
        label="Position", choices=CyclePosition.Position.choices, required=False
    )
    action = forms.CharField(label="What they do", max_length=120, required=False)
    reactive_emotion = forms.CharField(
        label="Reactive (secondary) emotion", max_length=120, required=False
    )
    primary_emotion = forms.CharField(
        label="Primary emotion underneath", max_length=120, required=False
    )
    attachment_fear = forms.CharField(label="Attachment fear", max_length=160, required=False)
    need = forms.CharField(label="Attachment need", max_length=160, required=False)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of note", choices=Note.Kind.choices)
    session = forms.ChoiceField(label="About session", required=False)
    body = forms.CharField(label="Note", widget=Textarea(attrs={"rows": 6}), max_length=20000)

    def __init__(self, sessions: list[Session], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["session"]).choices = [
            ("", "None (about the case)")
        ] + [(str(s.id), f"{s} · {localtime(s.occurred_at):%d %b %Y}") for s in sessions]


class NoteEditForm(forms.Form):
    body = forms.CharField(label="Note", widget=Textarea(attrs={"rows": 6}), max_length=20000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AddendumForm(forms.Form):
    body = forms.CharField(label="Addendum", widget=Textarea(attrs={"rows": 3}), max_length=20000)


class SettingsForm(forms.Form):
    airm_stall_sessions = forms.IntegerField(
        label="Sessions without an AIRM step before a track is flagged as stalled",
        min_value=1,
        max_value=20,
        help_text="A practice choice, not a clinical norm. Default 4.",
    )
