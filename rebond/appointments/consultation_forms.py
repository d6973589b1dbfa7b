"""Forms of free consultations: the requester's choice of a time, the clinician's proposal.

They parse input only; the actions (consultations.py) decide whether the time can be had.
Times typed by a clinician are read in the clinic's zone (activated for the request): a time
the clocks skip or repeat that day is refused with a message, never guessed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rebond.accounts.models import User

CHOOSE_A_TIME = _("Choose one of the times shown.")


def slot_value(starts_at: datetime, clinician_id: object | None = None) -> str:
    """Return the form value of a free time (and, for clinicians, whose time it is)."""
    moment = starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return moment if clinician_id is None else f"{clinician_id}/{moment}"


def _moment(value: str) -> datetime:
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%MZ")  # noqa: DTZ007 (UTC, set below)
    except ValueError as exc:
        raise ValidationError(CHOOSE_A_TIME) from exc
    return moment.replace(tzinfo=UTC)


class ChosenTimeForm(forms.Form):
    """The requester's choice among the offered times."""

    slot = forms.CharField(
        label=_("Free times"), max_length=40, error_messages={"required": _("Choose a time.")}
    )

    def clean_slot(self) -> datetime:
        return _moment(self.cleaned_data["slot"])


class ProposedSlotForm(forms.Form):
    """A clinician's pick among the clinic's therapists' free times."""

    slot = forms.CharField(
        label=_("Free times"), max_length=80, error_messages={"required": _("Choose a time.")}
    )

    def clean_slot(self) -> tuple[uuid.UUID, datetime]:
        clinician_id, _slash, moment = self.cleaned_data["slot"].partition("/")
        try:
            clinician = uuid.UUID(clinician_id)
        except ValueError as exc:
            raise ValidationError(CHOOSE_A_TIME) from exc
        return clinician, _moment(moment)


class TherapistChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class TypedTimeForm(forms.Form):
    """A time a clinician types, in the clinic's zone, for one of the clinic's therapists."""

    clinician = TherapistChoiceField(
        label=_("With"),
        queryset=User.objects.none(),
        empty_label=_("Choose a therapist"),
        error_messages={
            "required": _("Choose the therapist."),
            "invalid_choice": _("Choose one of the clinic's therapists."),
        },
    )
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Enter the date and time."),
            "invalid": _("Enter a date and time, for example 2027-03-08 14:00."),
        },
    )

    def __init__(self, *args: Any, clinicians: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinician"]
        if not isinstance(field, TherapistChoiceField):  # pragma: no cover - declared above
            raise TypeError(field)
        field.queryset = clinicians
