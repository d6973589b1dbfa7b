"""Forms of a case's appointments: schedule one or a series, and move one. They parse input
only; `rebond.appointments.sessions` checks and decides (and names errors by these fields)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from rebond import access
from rebond.accounts.models import User
from rebond.appointments.models import Appointment
from rebond.appointments.sessions import SERIES_MAX, SERIES_MIN, VIDEO_LINK_MAX, ScheduleDraft
from rebond.couples.models import Couple

REPEAT_CHOICES = [
    ("0", pgettext_lazy("repeat", "Once")),
    ("1", _("Every week")),
    ("2", _("Every two weeks")),
]


class DayField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClockField(forms.TimeField):
    widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ScheduleForm(forms.Form):
    session_type = forms.ChoiceField(
        label=_("Session"),
        error_messages={"required": _("Choose a conjoint or an individual session.")},
    )
    clinician = forms.ChoiceField(label=_("Clinician"))
    day = DayField(label=_("Date"), help_text=_("The first date, for a series."))
    clock = ClockField(label=_("Time"), help_text=_("The clinic's time."))
    mode = forms.ChoiceField(
        label=_("Where"),
        choices=Appointment.Mode.choices,
        initial=Appointment.Mode.IN_PERSON,
        widget=forms.RadioSelect,
    )
    video_link = forms.CharField(
        label=_("Video room address"),
        required=False,
        max_length=VIDEO_LINK_MAX,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
        help_text=_(
            "For a video session: the clinic's own room (https only). Only the invited "
            "partners see it."
        ),
    )
    partner = forms.ChoiceField(
        label=_("With (an individual session)"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "A conjoint session invites both partners. An individual one is never shown "
            "to the other partner."
        ),
    )
    repeat = forms.ChoiceField(
        label=_("Repeat"), choices=REPEAT_CHOICES, initial="0", widget=forms.RadioSelect
    )
    count = forms.IntegerField(
        label=_("How many appointments in all"),
        required=False,
        min_value=SERIES_MIN,
        max_value=SERIES_MAX,
    )

    def __init__(self, couple: Couple, user: User, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "appointment")
        super().__init__(*args, **kwargs)
        types = list(access.session_types_for_case(couple))
        clinicians = access.appointment_clinicians(couple)
        self.has_session_types = bool(types)
        self.fields["count"].help_text = gettext(
            "For a series: %(low)s to %(high)s, each at the same clinic time."
        ) % {"low": SERIES_MIN, "high": SERIES_MAX}
        cast(forms.ChoiceField, self.fields["session_type"]).choices = [
            ("", gettext("Choose a session")),
            *[
                (
                    str(t.pk),
                    # Translators: a session type and its length, e.g. "Conjoint session (80 min)".
                    gettext("%(name)s (%(minutes)s min)")
                    % {"name": t.name, "minutes": t.duration_minutes},
                )
                for t in types
            ],
        ]
        cast(forms.ChoiceField, self.fields["clinician"]).choices = [
            (str(c.pk), c.display_name) for c in clinicians
        ]
        if any(c.pk == user.pk for c in clinicians):
            self.fields["clinician"].initial = str(user.pk)
        cast(forms.ChoiceField, self.fields["partner"]).choices = [
            (str(p.pk), p.display_name) for p in couple.partners.all()
        ]

    def draft(self) -> ScheduleDraft:
        data = self.cleaned_data
        every_weeks = int(data["repeat"])
        return ScheduleDraft(
            session_type_id=data["session_type"],
            clinician_id=data["clinician"],
            day=data["day"],
            clock=data["clock"],
            mode=data["mode"],
            video_link=data["video_link"],
            partner_id=data["partner"] or None,
            every_weeks=every_weeks,
            count=(data["count"] or 0) if every_weeks else 1,
        )


class MoveForm(forms.Form):
    day = DayField(label=_("New date"))
    clock = ClockField(label=_("New time"), help_text=_("The clinic's time."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "move")
        super().__init__(*args, **kwargs)
