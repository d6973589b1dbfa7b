"""Sessions scheduled ahead from a case: schedule (once or as a series), move, cancel, mark a
no-show, and record the session once it happened (issue 18 items 3 and 6).

Each verb (1) locks the case, then fetches through the access gateway, (2) checks, (3) writes,
(4) audits in the same transaction, naming fields but never their values, and (5) queues the
messages to the invited partners (rebond/appointments/recipients.py), sent later by the outbox
at a safe time through a safe channel with neutral wording.

- Every new or moved time goes through `booking.place`, the one writer of a time, which the
  database backs (no two blocking appointments of one clinician overlap). A series is placed
  whole or not at all: any occurrence that collides fails the whole transaction, and the error
  lists each colliding date.
- A series keeps the clinic's clock time across a daylight-saving change (every Tuesday at
  18:00 stays 18:00 at the clinic, so its UTC time moves by the hour). A date on which that
  clock time does not exist, or exists twice, is refused and named, like a collision.
- The session record is the same object as the appointment once it happened: recording it
  (`record_appointment`) writes the therapy Session with `therapy.actions.record_session`
  and links it in the same transaction; a late cancellation or a no-show writes the Session
  record too (attendance "cancelled" or "missed"), so it counts on the case's timeline and in
  its sessions exactly as one recorded by hand would.

Times: verbs that depend on the clock take `at` (default: now), so tests can travel in time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import dateformat
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond import access, audit
from rebond.accounts.models import User
from rebond.appointments import booking, recipients
from rebond.appointments.models import (
    Appointment,
    AppointmentMessage,
    AppointmentSeries,
    SessionType,
)
from rebond.couples import lifecycle
from rebond.couples.models import Couple, Partner
from rebond.lib.clinic_time import clinic_zone
from rebond.lib.errors import ActionError
from rebond.therapy import actions as therapy_actions
from rebond.therapy.models import Session

# How many appointments one series may hold (AppointmentSeries allows up to 52).
SERIES_MIN, SERIES_MAX = 2, 26
# Repeat every how many weeks: 0 = once.
REPEATS = (0, 1, 2)
VIDEO_LINK_MAX = 500  # Appointment.video_link's max_length
# The kinds of appointment that become a therapy Session (a consultation does not).
RECORDED_KINDS = (SessionType.Kind.CONJOINT, SessionType.Kind.INDIVIDUAL)
NOT_SCHEDULED = gettext_noop("This appointment is no longer scheduled: nothing was changed.")


@dataclass(frozen=True)
class ScheduleDraft:
    """What the scheduling form asks: the first time in the clinic's zone, and how it repeats."""

    session_type_id: uuid.UUID | str
    clinician_id: uuid.UUID | str
    day: date
    clock: time
    mode: str = Appointment.Mode.IN_PERSON
    video_link: str = ""
    # An individual session invites this partner only; a conjoint one invites both.
    partner_id: uuid.UUID | str | None = None
    every_weeks: int = 0
    count: int = 1


def local_moment(day: date, clock: time, zone: ZoneInfo) -> datetime | None:
    """Return `clock` on `day` at the clinic as an aware time, or None when the clocks skip
    that time that day (spring forward) or show it twice (fall back): it names no one moment."""
    naive = datetime.combine(day, clock.replace(tzinfo=None))
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        return None
    return first


def series_days(first: date, every_weeks: int, count: int) -> list[date]:
    """Return the calendar days of a series: the first, then every `every_weeks` weeks."""
    if every_weeks == 0:
        return [first]
    return [first + timedelta(weeks=every_weeks * n) for n in range(count)]


def day_label(day: date) -> str:
    """Return a date as a clinician reads it in an error, e.g. "Sun 28 Mar 2027"."""
    return dateformat.format(day, "D j M Y")


def is_late_cancellation(appointment: Appointment, at: datetime) -> bool:
    """Return whether cancelling at `at` is late: within the clinic's late-cancel hours of the
    start (AppointmentSettings.late_cancel_hours; 0 hours: never late)."""
    settings = recipients.clinic_settings(appointment.clinic_id)
    return appointment.starts_at - at < timedelta(hours=settings.late_cancel_hours)


# --- Scheduling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    session_type: SessionType
    clinician: User
    invited: list[Partner]


def _check_schedule(couple: Couple, draft: ScheduleDraft) -> tuple[dict[str, list[str]], _Checked]:
    """Return the draft's errors by form field, and what it names, found under the case."""
    errors: dict[str, list[str]] = {}
    session_type = access.session_types_for_case(couple).filter(id=draft.session_type_id).first()
    if session_type is None:
        errors["session_type"] = [_("Choose one of the clinic's conjoint or individual sessions.")]
    clinician = next(
        (c for c in access.appointment_clinicians(couple) if str(c.pk) == str(draft.clinician_id)),
        None,
    )
    if clinician is None:
        errors["clinician"] = [_("Choose a clinician on this case.")]
    partners = list(couple.partners.all())
    invited: list[Partner] = []
    if session_type is not None and session_type.kind == SessionType.Kind.INDIVIDUAL:
        invited = [p for p in partners if str(p.pk) == str(draft.partner_id)]
        if not invited:
            errors["partner"] = [_("Choose the partner this individual session is with.")]
    else:
        invited = partners
    is_conjoint = session_type is not None and session_type.kind == SessionType.Kind.CONJOINT
    if is_conjoint and couple.status == Couple.Status.PAUSED_SAFETY:
        errors["session_type"] = [
            _(
                "Conjoint work is paused by a HIGH safety alert: record a decision on the "
                "safety page before scheduling a conjoint session."
            )
        ]
    if draft.mode not in Appointment.Mode.values:
        errors["mode"] = [_("Choose in person or by video.")]
    link = draft.video_link.strip()
    if draft.mode == Appointment.Mode.VIDEO:
        try:
            URLValidator(schemes=["https"])(link)
        except ValidationError:
            errors["video_link"] = [
                _("Give the video room's full address, starting with https://.")
            ]
        if len(link) > VIDEO_LINK_MAX:
            errors["video_link"] = [
                _("Use at most %(count)s characters.") % {"count": VIDEO_LINK_MAX}
            ]
    if draft.every_weeks not in REPEATS:
        errors["repeat"] = [_("Choose once, every week or every two weeks.")]
    elif draft.every_weeks and not SERIES_MIN <= draft.count <= SERIES_MAX:
        errors["count"] = [
            _("A series holds %(low)s to %(high)s appointments.")
            % {"low": SERIES_MIN, "high": SERIES_MAX}
        ]
    if not couple.is_active:
        errors[""] = [_("This case is closed: nothing can be scheduled on it.")]
    checked = _Checked(session_type, clinician, invited)  # type: ignore[arg-type]
    return errors, checked


@transaction.atomic
def schedule_sessions(
    user: User, couple_id: uuid.UUID | str, draft: ScheduleDraft, *, at: datetime | None = None
) -> list[Appointment]:
    """Schedule one appointment, or a weekly or fortnightly series, on a case.

    1. Everything is checked first: the clinic's session type, a clinician on the case, the
       invited partner of an individual session, an https video link, the series' length.
    2. Each occurrence keeps the first one's clock time at the clinic; it is placed through
       `booking.place`. Any occurrence that collides, or whose time does not exist that day,
       is collected; if there is one, nothing is saved and the error names every such date.
    3. The invited partners are sent one confirmation, about the first appointment (each
       appointment has its own reminder later): a series is not announced 26 times.
    """
    at = at or now()
    couple = access.get_couple_for_clinician(user, couple_id)
    couple = lifecycle.lock_case(couple.pk)
    errors, checked = _check_schedule(couple, draft)
    zone = clinic_zone(couple.clinic)
    first = local_moment(draft.day, draft.clock, zone)
    if first is None:
        errors["clock"] = [
            _(
                "The clocks change at that time on that day, so it names no single moment: "
                "choose another time."
            )
        ]
    elif first <= at:
        errors["day"] = [_("Choose a time from now on.")]
    if errors:
        raise ActionError(_("The appointment could not be scheduled."), errors)
    series = None
    days = series_days(draft.day, draft.every_weeks, draft.count)
    if len(days) > 1:
        series = AppointmentSeries.objects.create(
            couple=couple,
            every_weeks=draft.every_weeks,
            count=len(days),
            created_by=user,
            created_at=at,
        )
    minutes = timedelta(minutes=checked.session_type.duration_minutes)
    placed: list[Appointment] = []
    refused: list[str] = []
    for day in days:
        starts = local_moment(day, draft.clock, zone)
        if starts is None:
            refused.append(_("%(day)s (the clocks change at that time)") % {"day": day_label(day)})
            continue
        appointment = Appointment(
            clinic=couple.clinic,
            clinician=checked.clinician,
            session_type=checked.session_type,
            kind=checked.session_type.kind,
            starts_at=starts.astimezone(UTC),
            # Added in UTC: aware arithmetic in a zone would add wall-clock minutes.
            ends_at=starts.astimezone(UTC) + minutes,
            status=Appointment.Status.SCHEDULED,
            mode=draft.mode,
            video_link=draft.video_link.strip() if draft.mode == Appointment.Mode.VIDEO else "",
            couple=couple,
            series=series,
            created_by=user,
            created_at=at,
        )
        try:
            booking.place(appointment, field="day")
        except ActionError as refusal:
            if refusal.status != HTTPStatus.CONFLICT:
                raise
            refused.append(day_label(day))
            continue
        appointment.invited.set(checked.invited)
        placed.append(appointment)
    if refused:
        if len(days) == 1:
            text = _(
                "That time is not free in %(name)s's calendar: %(dates)s. "
                "Nothing was scheduled: choose another time."
            )
        else:
            text = _(
                "These dates are not free in %(name)s's calendar: %(dates)s. "
                "Nothing was scheduled: choose another time."
            )
        message = text % {"name": checked.clinician.display_name, "dates": "; ".join(refused)}
        # Raising rolls back the whole transaction: the placed occurrences and the series too.
        raise ActionError(message, {"": [message]}, status=HTTPStatus.CONFLICT)
    if series is not None:
        audit.log(
            actor=user,
            action="appointments.series.create",
            obj=series,
            clinic_id=couple.clinic_id,
            fields=["every_weeks", "count"],
        )
    for appointment in placed:
        audit.log(
            actor=user,
            action="appointments.appointment.schedule",
            obj=appointment,
            clinic_id=couple.clinic_id,
            fields=[
                "starts_at",
                "clinician",
                "session_type",
                "mode",
                "invited",
                *(["video_link"] if appointment.video_link else []),
            ],
        )
    recipients.queue_partner_messages(placed[0], AppointmentMessage.Purpose.CONFIRMATION, at)
    return placed


# --- Changing one appointment ------------------------------------------------------------------


def _locked(
    user: User, couple_id: uuid.UUID | str, appointment_id: uuid.UUID | str
) -> tuple[Couple, Appointment]:
    """Return the case and its appointment, locked in that order: the case first (before the
    audit head: rebond/couples/lifecycle.py `lock_case`), then the appointment."""
    couple = access.get_couple_for_clinician(user, couple_id)
    couple = lifecycle.lock_case(couple.pk)
    access.get_appointment_of_case(user, couple.pk, appointment_id, for_update=True)
    return couple, access.get_appointment_of_case(user, couple.pk, appointment_id)


def _require_scheduled(appointment: Appointment) -> None:
    if appointment.status != Appointment.Status.SCHEDULED:
        raise ActionError(_(NOT_SCHEDULED), status=HTTPStatus.CONFLICT)


@transaction.atomic
def move_appointment(
    user: User,
    couple_id: uuid.UUID | str,
    appointment_id: uuid.UUID | str,
    day: date,
    clock: time,
    *,
    at: datetime | None = None,
) -> Appointment:
    """Move a scheduled appointment to a new time (same length); tell the invited partners."""
    at = at or now()
    couple, appointment = _locked(user, couple_id, appointment_id)
    _require_scheduled(appointment)
    if not couple.is_active:
        raise ActionError(_("This case is closed: its appointments cannot be moved."))
    zone = clinic_zone(appointment.clinic)
    starts = local_moment(day, clock, zone)
    if starts is None:
        message = _("The clocks change at that time on that day: choose another time.")
        raise ActionError(message, {"clock": [message]})
    if starts <= at:
        message = _("Choose a time from now on.")
        raise ActionError(message, {"day": [message]})
    if starts == appointment.starts_at:
        message = _("That is its time already: choose a new one.")
        raise ActionError(message, {"day": [message]})
    length = appointment.ends_at - appointment.starts_at
    appointment.starts_at = starts.astimezone(UTC)
    appointment.ends_at = appointment.starts_at + length
    booking.place(appointment, field="day")
    audit.log(
        actor=user,
        action="appointments.appointment.move",
        obj=appointment,
        clinic_id=appointment.clinic_id,
        fields=["starts_at", "ends_at"],
    )
    recipients.queue_partner_messages(appointment, AppointmentMessage.Purpose.CHANGE, at)
    return appointment


def _record_on_session(
    user: User,
    couple: Couple,
    appointment: Appointment,
    attendance: str,
    occurred_at: datetime,
    at: datetime,
) -> Session:
    """Write the therapy Session of an appointment nobody attended, and link it."""
    session = therapy_actions.record_session(
        user,
        couple.pk,
        therapy_actions.SessionDraft(
            kind=appointment.kind, occurred_at=occurred_at, attendance=attendance
        ),
        at=at,
    )
    appointment.session = session
    return session


@transaction.atomic
def cancel_appointment(
    user: User,
    couple_id: uuid.UUID | str,
    appointment_id: uuid.UUID | str,
    *,
    at: datetime | None = None,
) -> Appointment:
    """Cancel a scheduled appointment before it starts; tell the invited partners.

    Within the clinic's late-cancel hours of the start it is a late cancellation, recorded on
    the session too: a therapy Session with attendance "cancelled", dated now (a record is
    never dated ahead), linked to the appointment.
    """
    at = at or now()
    couple, appointment = _locked(user, couple_id, appointment_id)
    _require_scheduled(appointment)
    if appointment.starts_at <= at:
        raise ActionError(
            _("It has started: record the session, or mark it as a no-show."),
            status=HTTPStatus.CONFLICT,
        )
    fields = ["status", "cancelled_at"]
    if is_late_cancellation(appointment, at):
        appointment.status = Appointment.Status.LATE_CANCELLED
        _record_on_session(user, couple, appointment, Session.Attendance.CANCELLED, at, at)
        fields.append("session")
    else:
        appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled_at = at
    appointment.save(update_fields=[*fields, "updated_at"])
    audit.log(
        actor=user,
        action="appointments.appointment.cancel",
        obj=appointment,
        clinic_id=appointment.clinic_id,
        fields=fields,
    )
    recipients.queue_partner_messages(appointment, AppointmentMessage.Purpose.CANCELLATION, at)
    return appointment


@transaction.atomic
def mark_no_show(
    user: User,
    couple_id: uuid.UUID | str,
    appointment_id: uuid.UUID | str,
    *,
    at: datetime | None = None,
) -> Appointment:
    """Record that nobody came, once the appointment has started: NO_SHOW on the appointment
    and a therapy Session with attendance "missed" at its time, linked to it."""
    at = at or now()
    couple, appointment = _locked(user, couple_id, appointment_id)
    _require_scheduled(appointment)
    if appointment.starts_at > at:
        raise ActionError(
            _("A no-show can be recorded only once the appointment has started."),
            status=HTTPStatus.CONFLICT,
        )
    appointment.status = Appointment.Status.NO_SHOW
    _record_on_session(
        user, couple, appointment, Session.Attendance.MISSED, appointment.starts_at, at
    )
    appointment.save(update_fields=["status", "session", "updated_at"])
    audit.log(
        actor=user,
        action="appointments.appointment.no_show",
        obj=appointment,
        clinic_id=appointment.clinic_id,
        fields=["status", "session"],
    )
    return appointment


# What a session record says happened, as the appointment's status.
STATUS_OF_ATTENDANCE: dict[str, str] = {
    Session.Attendance.HELD: Appointment.Status.ATTENDED,
    Session.Attendance.PARTLY: Appointment.Status.ATTENDED,
    # Cancelled once it had started: late by any measure.
    Session.Attendance.CANCELLED: Appointment.Status.LATE_CANCELLED,
    Session.Attendance.MISSED: Appointment.Status.NO_SHOW,
}


@transaction.atomic
def record_appointment(
    user: User,
    couple_id: uuid.UUID | str,
    appointment_id: uuid.UUID | str,
    draft: therapy_actions.SessionDraft,
    ratings: Sequence[therapy_actions.RatingDraft] = (),
    *,
    at: datetime | None = None,
) -> Session:
    """Record the session an appointment was, once it has started: one object, no double entry.

    The therapy Session is written by `therapy.actions.record_session` (its checks, numbering,
    ratings and audit), then linked to the appointment in the same transaction; the
    appointment's status follows the attendance recorded (held: attended; missed: no-show).
    """
    at = at or now()
    couple, appointment = _locked(user, couple_id, appointment_id)
    _require_scheduled(appointment)
    if appointment.kind not in RECORDED_KINDS:
        raise ActionError(_("Only a conjoint or individual session is recorded here."))
    if appointment.starts_at > at:
        message = _("Record the session once it has started.")
        raise ActionError(message, {"occurred_at": [message]})
    session = therapy_actions.record_session(user, couple.pk, draft, ratings, at=at)
    appointment.session = session
    appointment.status = STATUS_OF_ATTENDANCE[session.attendance]
    appointment.save(update_fields=["session", "status", "updated_at"])
    audit.log(
        actor=user,
        action="appointments.appointment.record",
        obj=appointment,
        clinic_id=appointment.clinic_id,
        fields=["status", "session"],
    )
    return session
