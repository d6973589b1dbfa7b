"""A clinician's own availability: weekly hours and time off (leave, holidays, training days).

Weekly hours are clock times at the clinic (rebond/appointments/slots.py reads them so), several
stretches per weekday; a stretch cannot cross midnight, and two stretches of one weekday may not
overlap (nothing could be booked in the overlap twice anyway: it would only confuse). Time off is
a span of moments, typed as whole days or as date-times at the clinic. Each change is audited,
without its clock times or reason (the audit trail records that, never what).

Nothing here touches an appointment already booked: time off removes free slots, and the
clinician moves or cancels what is already in the calendar themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from http import HTTPStatus

from django.db import transaction
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.translation import gettext as _

from rebond import access, audit
from rebond.accounts.models import User
from rebond.appointments.models import TimeOff, WeeklyHours
from rebond.lib.errors import ActionError
from rebond.lib.text import BIDI_MESSAGE, has_bidi_controls

# Monday first, in the reader's language (Django's own translations of the day names).
WEEKDAYS = tuple(DAY_NAMES[number] for number in range(7))
REASON_MAX_LENGTH = 80


def _refuse(message: str, field: str) -> ActionError:
    return ActionError(message, {field: [message]}, status=HTTPStatus.UNPROCESSABLE_ENTITY)


@transaction.atomic
def add_weekly_hours(
    user: User, weekdays: Iterable[int], starts: time, ends: time
) -> list[WeeklyHours]:
    """Add the stretch starts-ends on each of these weekdays (0 is Monday): all or none."""
    days = sorted(set(weekdays))
    if not days:
        raise _refuse(_("Choose at least one day."), "weekdays")
    if any(day not in range(7) for day in days):
        raise _refuse(_("Choose days of the week."), "weekdays")
    if ends <= starts:
        raise _refuse(_("End after the start: a stretch ends on the day it starts."), "ends")
    # The check is for the clinician's sake (a clear message). Two tabs adding at the same
    # moment could still both pass it; overlapping stretches would then offer overlapping
    # slots, and booking.place, checked by the database, takes only one of them.
    mine = list(access.weekly_hours_of(user))
    for day in days:
        for other in mine:
            if other.weekday == day and other.starts < ends and starts < other.ends:
                raise _refuse(
                    # Translators: %(hours)s is a stretch of clock times, e.g. "09:00-12:00".
                    _("That overlaps your hours on %(day)s (%(hours)s). Remove those first.")
                    % {
                        "day": WEEKDAYS[day],
                        "hours": f"{other.starts:%H:%M}\u2013{other.ends:%H:%M}",
                    },
                    "starts",
                )
    added = []
    for day in days:
        hours = WeeklyHours.objects.create(clinician=user, weekday=day, starts=starts, ends=ends)
        audit.log(actor=user, action="appointments.hours.add", obj=hours, clinic_id=user.clinic_id)
        added.append(hours)
    return added


@transaction.atomic
def remove_weekly_hours(user: User, hours_id: int) -> None:
    """Remove one stretch of the clinician's own weekly hours (another's is a 404)."""
    hours = access.get_weekly_hours_of(user, hours_id)
    audit.log(actor=user, action="appointments.hours.remove", obj=hours, clinic_id=user.clinic_id)
    hours.delete()


@dataclass(frozen=True)
class TimeOffDraft:
    starts_at: datetime  # aware
    ends_at: datetime
    reason: str = ""


@transaction.atomic
def add_time_off(user: User, draft: TimeOffDraft) -> TimeOff:
    """Record time off for the clinician; the reason is their own word, for colleagues."""
    access.time_off_of(user)  # the clinician has a clinic (404 otherwise)
    if draft.ends_at <= draft.starts_at:
        raise _refuse(_("The time off must end after it starts."), "last_day")
    reason = draft.reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise _refuse(
            _("Keep the reason under %(count)s characters.") % {"count": REASON_MAX_LENGTH},
            "reason",
        )
    if has_bidi_controls(reason):
        raise _refuse(BIDI_MESSAGE, "reason")
    time_off = TimeOff.objects.create(
        clinician=user, starts_at=draft.starts_at, ends_at=draft.ends_at, reason=reason
    )
    audit.log(
        actor=user, action="appointments.time_off.add", obj=time_off, clinic_id=user.clinic_id
    )
    return time_off


@transaction.atomic
def remove_time_off(user: User, time_off_id: int) -> None:
    """Remove one of the clinician's own time off (another's is a 404)."""
    time_off = access.get_time_off_of(user, time_off_id)
    audit.log(
        actor=user, action="appointments.time_off.remove", obj=time_off, clinic_id=user.clinic_id
    )
    time_off.delete()
