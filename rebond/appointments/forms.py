"""Forms of the calendar and appointment settings pages. They parse input; actions decide.

Times are typed as clock times at the clinic (the clinic's zone is active in a request, and the
forms that combine a day and a time are given the zone): a time the clocks skip or repeat on
that day is refused with a question, never guessed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rebond.appointments.availability import REASON_MAX_LENGTH, WEEKDAYS
from rebond.appointments.clinic_settings import MAX_MINUTES, MIN_MINUTES
from rebond.appointments.models import SessionType
from rebond.appointments.week import (
    FIRST_YEAR,
    LAST_YEAR,
    LocalTimeError,
    local_moment,
    start_of_day,
)
from rebond.appointments.wording import wording_errors
from rebond.lib.forms import NameField

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEKDAY_CHOICES = [(str(number), name) for number, name in enumerate(WEEKDAYS)]


class Form(forms.Form):
    """A form whose labels end as written (no colon added): the pages' own style."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class WeeklyHoursForm(Form):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day.")},
    )
    starts = forms.TimeField(
        label=pgettext_lazy("a clock time", "From"),
        widget=TIME,
        error_messages={"required": _("Give the time you start.")},
    )
    ends = forms.TimeField(
        label=pgettext_lazy("a clock time", "Until"),
        widget=TIME,
        error_messages={"required": _("Give the time you stop.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "hours")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends", _("End after the start: a stretch ends on the day it starts."))
        return data


class TimeOffForm(Form):
    first_day = forms.DateField(
        label=_("First day"), widget=DATE, error_messages={"required": _("Give the first day.")}
    )
    last_day = forms.DateField(
        label=_("Last day (optional)"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty for a single day."),
    )
    from_time = forms.TimeField(
        label=_("From (optional)"),
        widget=TIME,
        required=False,
        help_text=_("On the first day. Leave empty to start at the beginning of the day."),
    )
    until_time = forms.TimeField(
        label=_("Until (optional)"),
        widget=TIME,
        required=False,
        help_text=_("On the last day. Leave empty to take the whole day."),
    )
    reason = NameField(
        label=_("Reason (optional)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("A word for your colleagues, e.g. “Leave”. Never shown to clients."),
    )

    def __init__(self, zone: ZoneInfo, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "time_off")
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first = data.get("first_day")
        if first is None:
            return data
        last = data.get("last_day") or first
        for name, day in (("first_day", first), ("last_day", last)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("Choose a day between %(first)s and %(last)s.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
                return data
        if last < first:
            self.add_error("last_day", _("The last day cannot come before the first day."))
            return data
        try:
            starts = self._moment(first, data.get("from_time"), "from_time")
            ends = (
                self._moment(last, data.get("until_time"), "until_time")
                if data.get("until_time") is not None
                else start_of_day(last + timedelta(days=1), self.zone)
            )
        except forms.ValidationError:
            return data
        if ends <= starts:
            self.add_error("until_time", _("End the time off after it starts."))
            return data
        data["starts_at"], data["ends_at"] = starts, ends
        return data

    def _moment(self, day: Any, clock: time | None, field: str) -> datetime:
        if clock is None:
            return start_of_day(day, self.zone)
        try:
            return local_moment(day, clock, self.zone)
        except LocalTimeError as error:
            self.add_error(field, str(error))
            raise forms.ValidationError(str(error)) from error


class SessionTypeForm(Form):
    name = NameField(label=_("Name"), max_length=80)
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=MIN_MINUTES, max_value=MAX_MINUTES
    )


class NewSessionTypeForm(SessionTypeForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Choose a kind")), *SessionType.Kind.choices],
        help_text=_("What it is for: it decides who is invited and where it is offered."),
    )

    field_order = ("kind", "name", "duration_minutes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)


def _hours(
    label: _StrOrPromise, low: int, high: int, help_text: _StrOrPromise = ""
) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=low, max_value=high, help_text=help_text)


class AppointmentSettingsForm(Form):
    consultation_booking = forms.BooleanField(
        label=_("Let people who ask for a consultation choose a time"),
        required=False,
        help_text=_("Off: requests arrive in the inbox and a clinician answers each one."),
    )
    slots_offered = forms.IntegerField(
        label=_("Times offered to choose from"), min_value=1, max_value=20
    )
    booking_horizon_days = forms.IntegerField(
        label=_("How far ahead times are offered (days)"), min_value=1, max_value=90
    )
    booking_notice_hours = _hours(
        _("Earliest time offered (hours from now)"),
        0,
        24 * 14,
        _("Leaves a clinician time to confirm before the appointment."),
    )
    hold_hours = _hours(
        _("A chosen time is held for (hours)"),
        1,
        24 * 14,
        _("If no clinician confirms it by then, the time is offered to others again."),
    )
    neutral_wording = forms.CharField(
        label=_("Neutral wording"),
        max_length=200,
        help_text=_(
            "What every message says unless the person allowed more. Include {when}; "
            "name nothing else: someone else may read the message."
        ),
    )
    open_wording = forms.CharField(
        label=_("Open wording"),
        max_length=200,
        help_text=_(
            "For people who allowed the clinic to name itself. Include {when}; "
            "{clinic} is your clinic's name."
        ),
    )
    reminder_lead_hours = _hours(_("Reminders are sent (hours before)"), 1, 24 * 7)
    checkin_lead_hours = forms.IntegerField(
        label=_("Check-ins are sent before each conjoint session (hours, optional)"),
        min_value=0,
        max_value=24 * 7,
        required=False,
        help_text=_("Leave empty to send check-ins on their own schedule only."),
    )
    late_cancel_hours = _hours(
        _("A cancellation is late within (hours before)"),
        0,
        24 * 7,
        _("Recorded as a late cancellation on the session."),
    )
    default_window_start = forms.TimeField(label=_("Messages from"), widget=TIME)
    default_window_end = forms.TimeField(label=_("Messages until"), widget=TIME)

    def clean_neutral_wording(self) -> str:
        return self._wording("neutral_wording", is_open=False)

    def clean_open_wording(self) -> str:
        return self._wording("open_wording", is_open=True)

    def _wording(self, name: str, *, is_open: bool) -> str:
        value = str(self.cleaned_data[name]).strip()
        errors = wording_errors(value, is_open=is_open)
        if errors:
            raise forms.ValidationError(errors)
        return value


class FeedForm(Form):
    shows_case_labels = forms.BooleanField(
        label=_("Show case labels as event titles"),
        required=False,
        help_text=_(
            "Off: every event is titled “Appointment”. Turn on only if no one "
            "else sees the calendars this feed reaches."
        ),
    )
