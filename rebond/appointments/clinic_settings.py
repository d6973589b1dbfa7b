"""A clinic's choices about appointments: its session types and its appointment settings.

Clinic admins change both (rebond/access/clinic.py `get_admin_clinic`); every change is
audited by the names of the fields that changed, never their values (a wording is the clinic's
own text, but the trail records what changed, not what it says).

Session types are deactivated, never deleted: an appointment keeps the type it was booked as.
A clinic starts with the three usual types (`ensure_session_types`), once: only while it has
none at all, so a clinic that renamed or deactivated them never gets them back unasked.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond import access, audit
from rebond.accounts.models import Clinic, User
from rebond.appointments.models import AppointmentSettings, SessionType
from rebond.appointments.wording import wording_errors
from rebond.audit.updates import audited_update
from rebond.lib.errors import ActionError
from rebond.lib.language import first_supported
from rebond.lib.text import BIDI_MESSAGE, has_bidi_controls

# The usual session types of a couples practice. These lengths are practice choices, not
# rules: a free first consultation of half an hour, a conjoint session of 80 minutes (couple
# therapists commonly book longer conjoint sessions than the 50-minute individual hour) and
# an individual session of 50. Each clinic renames, re-times or deactivates them.
DEFAULT_SESSION_TYPES: tuple[tuple[str, str, int], ...] = (
    (SessionType.Kind.CONSULTATION, gettext_noop("Free consultation"), 30),
    (SessionType.Kind.CONJOINT, gettext_noop("Conjoint session"), 80),
    (SessionType.Kind.INDIVIDUAL, gettext_noop("Individual session"), 50),
)
MIN_MINUTES, MAX_MINUTES = 10, 240
NAME_TAKEN = gettext_noop("Your clinic already has a session type of that name.")

# The settings a clinic admin changes on the appointment settings page, in its order.
SETTINGS_FIELDS = (
    "consultation_booking",
    "slots_offered",
    "booking_horizon_days",
    "booking_notice_hours",
    "hold_hours",
    "neutral_wording",
    "open_wording",
    "reminder_lead_hours",
    "checkin_lead_hours",
    "late_cancel_hours",
    "default_window_start",
    "default_window_end",
)


def _refuse(message: str, field: str = "") -> ActionError:
    return ActionError(message, {field: [message]}, status=HTTPStatus.UNPROCESSABLE_ENTITY)


def default_session_types(clinic: Clinic) -> list[tuple[str, str, int]]:
    """Return the usual session types (kind, name, minutes), named in the clinic's default
    language: a new clinic's types are stored so, and the clinic renames them as it likes."""
    with translation.override(first_supported(clinic.default_language)):
        return [(kind, _(name), minutes) for kind, name, minutes in DEFAULT_SESSION_TYPES]


def ensure_session_types(clinic: Clinic, *, by: User | None = None) -> list[SessionType]:
    """Give the clinic the usual session types if it has none yet; return its types.

    Safe to call from any action that needs session types: it writes only once per clinic.
    The clinic row is locked first, so two first callers at once cannot both seed. They are
    named in the clinic's default language (stored as written: the clinic renames them).
    """
    with transaction.atomic():
        list(Clinic.objects.select_for_update().filter(pk=clinic.pk).values_list("pk"))
        existing = list(SessionType.objects.filter(clinic=clinic).order_by("kind", "name"))
        if existing:
            return existing
        for kind, name, minutes in default_session_types(clinic):
            session_type = SessionType.objects.create(
                clinic=clinic, kind=kind, name=name, duration_minutes=minutes
            )
            audit.log(
                actor=by,
                action="appointments.session_type.seed",
                obj=session_type,
                clinic_id=clinic.pk,
            )
        return list(SessionType.objects.filter(clinic=clinic).order_by("kind", "name"))


@dataclass(frozen=True)
class SessionTypeDraft:
    name: str
    duration_minutes: int
    kind: str = ""  # only when adding: a type keeps its kind


def _checked(draft: SessionTypeDraft) -> str:
    name = draft.name.strip()
    if not name:
        raise _refuse(_("Give the session type a name."), "name")
    if has_bidi_controls(name):
        raise _refuse(BIDI_MESSAGE, "name")
    if not MIN_MINUTES <= draft.duration_minutes <= MAX_MINUTES:
        raise _refuse(
            _("A session lasts %(low)s to %(high)s minutes.")
            % {"low": MIN_MINUTES, "high": MAX_MINUTES},
            "duration_minutes",
        )
    return name


def _saved(
    session_type: SessionType, values: Mapping[str, object], user: User, action: str
) -> None:
    try:
        with transaction.atomic():
            audited_update(session_type, values, user, action, clinic_id=session_type.clinic_id)
    except IntegrityError as error:
        raise _refuse(_(NAME_TAKEN), "name") from error


@transaction.atomic
def add_session_type(user: User, draft: SessionTypeDraft) -> SessionType:
    """Add a session type to the admin's clinic (after the usual ones, if it had none)."""
    clinic = access.get_admin_clinic(user)
    name = _checked(draft)
    if draft.kind not in SessionType.Kind.values:
        raise _refuse(_("Choose what kind of appointment this is."), "kind")
    ensure_session_types(clinic, by=user)
    if SessionType.objects.filter(clinic=clinic, name__iexact=name).exists():
        raise _refuse(_(NAME_TAKEN), "name")
    session_type = SessionType(clinic=clinic, kind=draft.kind)
    _saved(
        session_type,
        {"name": name, "duration_minutes": draft.duration_minutes},
        user,
        "appointments.session_type.add",
    )
    return session_type


@transaction.atomic
def change_session_type(
    user: User, session_type_id: uuid.UUID | str, draft: SessionTypeDraft
) -> SessionType:
    """Rename a session type or change its length; appointments booked keep their times."""
    session_type = access.get_session_type_for_admin(user, session_type_id)
    name = _checked(draft)
    clash = SessionType.objects.filter(clinic_id=session_type.clinic_id, name__iexact=name)
    if clash.exclude(pk=session_type.pk).exists():
        raise _refuse(_(NAME_TAKEN), "name")
    _saved(
        session_type,
        {"name": name, "duration_minutes": draft.duration_minutes},
        user,
        "appointments.session_type.update",
    )
    return session_type


@transaction.atomic
def set_session_type_active(
    user: User, session_type_id: uuid.UUID | str, *, is_active: bool
) -> SessionType:
    """Offer a session type again, or no longer (appointments booked as it are kept)."""
    session_type = access.get_session_type_for_admin(user, session_type_id)
    audited_update(
        session_type,
        {"is_active": is_active},
        user,
        "appointments.session_type.update",
        clinic_id=session_type.clinic_id,
    )
    return session_type


@transaction.atomic
def seed_session_types(user: User) -> list[SessionType]:
    """Give the admin's clinic the usual session types, if it has none yet."""
    return ensure_session_types(access.get_admin_clinic(user), by=user)


def appointment_settings(clinic: Clinic) -> AppointmentSettings:
    """Return the clinic's appointment settings (the defaults, unsaved, when it has none)."""
    return AppointmentSettings.objects.filter(clinic=clinic).first() or AppointmentSettings(
        clinic=clinic
    )


def settings_errors(values: Mapping[str, object]) -> dict[str, list[str]]:
    """Return what is wrong with these settings, by field (the rules every caller shares).

    The model's own ranges, then the wording rules of rebond/appointments/wording.py: the
    neutral wording names nothing but the time, the open one may name the clinic.
    """
    errors: dict[str, list[str]] = {}
    for name in SETTINGS_FIELDS:
        field = cast(models.Field[Any, Any], AppointmentSettings._meta.get_field(name))
        value = values.get(name)
        if value is None:
            if not field.null:
                errors[name] = [_("Fill this in.")]
            continue
        for validator in field.validators:
            try:
                validator(value)
            except ValidationError as error:
                errors.setdefault(name, []).extend(error.messages)
    for name, is_open in (("neutral_wording", False), ("open_wording", True)):
        if name not in errors:
            found = wording_errors(str(values[name]), is_open=is_open)
            if found:
                errors[name] = found
    return errors


@transaction.atomic
def set_appointment_settings(user: User, values: Mapping[str, object]) -> AppointmentSettings:
    """Save the admin's clinic's appointment settings; refuse any that break a rule."""
    clinic = access.get_admin_clinic(user)
    errors = settings_errors(values)
    if errors:
        raise ActionError(
            _("The appointment settings could not be saved."),
            errors,
            status=HTTPStatus.UNPROCESSABLE_ENTITY,
        )
    ensure_session_types(clinic, by=user)
    settings, _created = AppointmentSettings.objects.select_for_update().get_or_create(
        clinic=clinic
    )
    audited_update(
        settings,
        {name: values[name] for name in SETTINGS_FIELDS},
        user,
        "appointments.settings.update",
        clinic_id=clinic.pk,
    )
    return settings
