"""Who sees an appointment of a case: the clinicians on the case, and the partners invited.

An appointment of a case (a conjoint or an individual session scheduled ahead) is seen by
everyone who may see the case (rebond/access/cases.py: the case team, or a live emergency
grant), and by the partners it invites, while it is ahead of them. A consultation booked from
a request is the inbox's (rebond/intake/access.py), and a clinic's calendar is
rebond/access/calendar.py's: neither is decided here.

Who sees what of one appointment (DOMAIN.md 7.5; rule 4, symmetry: an individual session must
not tell the other partner anything, so they never learn that it exists):

  kind         | invited | status    | time          | case     | an invited    | the partner
               |         |           |               |          | partner       | not invited
  -------------+---------+-----------+---------------+----------+---------------+--------------
  conjoint     | A and B | scheduled | not yet ended | active   | time, mode,   | (none: both
               |         |           |               |          | video link,   |  are invited)
               |         |           |               |          | calendar file |
  individual   | A only  | scheduled | not yet ended | active   | the same      | nothing: 404
  consultation | -       | any       | any           | any      | nothing       | nothing
  any          | any     | any other | any           | any      | nothing       | nothing
  any          | any     | scheduled | ended         | any      | nothing       | nothing
  any          | any     | any       | any           | inactive | nothing       | nothing

  "Any other" status: requested, attended, cancelled, cancelled late, no-show, released.
  "Inactive" case: closed, dropped out, referred out, archived (Couple.INACTIVE_STATUSES).
  "Mode": in person or by video. "Nothing: 404": not in the list, and its calendar file
  answers 404 like a missing one, so the other partner never learns that it exists.

  Video link: shown to a partner only beside an appointment they are shown (so only to an
  invited partner), and only when it is by video and a link was given; never in a calendar
  file (rebond/appointments/ical.py) or a message.

  The partner's private link, for all of the above:
    valid, opened in its own browser (or after the PIN)  -> as the table says
    revoked, expired, logged out, another browser        -> nothing: the calm 404 page
    a clinician's login (no private-link session)        -> nothing: the same 404 page

  Clinicians, for every kind, status and case state, video link included: the case's primary
  clinician, co-therapists and assigned supervisor see it whole (time, clinician, kind, mode,
  link, invited partners, messages, the partners' latest scores); so does a clinician holding a
  live emergency grant to the case. A colleague off the case, a clinic admin (as admin) and
  anyone of another clinic get a 404, like a missing row.

Partners are shown a `PartnerAppointment`, never the row: no clinician, no kind, no case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.timezone import now

from rebond.access.base import clinic_id_of, get_or_404
from rebond.access.cases import couples_for_clinician
from rebond.access.membership import case_clinicians
from rebond.accounts.models import User
from rebond.appointments.models import Appointment, SessionType
from rebond.couples.models import Couple, Partner

# The kinds of appointment a case schedules ahead (a consultation belongs to a request).
CASE_KINDS = (SessionType.Kind.CONJOINT, SessionType.Kind.INDIVIDUAL)


# --- Clinicians --------------------------------------------------------------------------------


def appointments_for_clinician(user: User) -> QuerySet[Appointment]:
    """Return the appointments of the cases the clinician may see, in their clinic only."""
    clinic_id = clinic_id_of(user)
    if clinic_id is None:
        return Appointment.objects.none()
    return Appointment.objects.filter(
        clinic_id=clinic_id, couple__in=couples_for_clinician(user).values("id")
    )


def appointments_of_case(user: User, couple: Couple) -> QuerySet[Appointment]:
    """Return the appointments of one case the clinician may see (none if they may not)."""
    return appointments_for_clinician(user).filter(couple_id=couple.pk)


def get_appointment_of_case(
    user: User,
    couple_id: uuid.UUID | str,
    appointment_id: uuid.UUID | str,
    *,
    for_update: bool = False,
) -> Appointment:
    """Return one appointment of this case (locked with `for_update`), or raise Http404."""
    appointments = appointments_for_clinician(user)
    if for_update:
        # Locked alone: a join would lock the case's row too (the caller locks it first).
        return get_or_404(appointments.select_for_update(), appointment_id, couple_id=couple_id)
    appointments = appointments.select_related("couple", "clinician", "session_type", "session")
    return get_or_404(appointments, appointment_id, couple_id=couple_id)


def session_types_for_case(couple: Couple) -> QuerySet[SessionType]:
    """Return the session types a case's appointments may use: its clinic's active conjoint
    and individual ones (never another clinic's, never a consultation)."""
    return SessionType.objects.filter(
        clinic_id=couple.clinic_id, is_active=True, kind__in=CASE_KINDS
    ).order_by("kind", "name")


def appointment_clinicians(couple: Couple) -> list[User]:
    """Return the clinicians who may hold the case's appointments: its team, active, of its
    clinic (the same people an alert on the case goes to)."""
    return case_clinicians(couple)


# --- Partners ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerAppointment:
    """All a partner is shown of one appointment: when, and how to join it."""

    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    is_video: bool
    video_link: str  # empty unless by video and the partner is invited


def appointments_visible_to_partner(
    partner: Partner, *, at: datetime | None = None
) -> QuerySet[Appointment]:
    """Return the appointments a partner may be shown (the table above), soonest first."""
    return (
        Appointment.objects.filter(
            clinic_id=partner.couple.clinic_id,
            couple_id=partner.couple_id,
            invited=partner,
            kind__in=CASE_KINDS,
            status=Appointment.Status.SCHEDULED,
            ends_at__gt=at or now(),
        )
        .exclude(couple__status__in=Couple.INACTIVE_STATUSES)
        .order_by("starts_at")
    )


def shows_video_link(appointment: Appointment, *, is_invited: bool) -> bool:
    """Return whether a partner is shown this appointment's video link: only when it is by
    video and they are invited (ask only about an appointment they may be shown)."""
    if appointment.mode != Appointment.Mode.VIDEO:
        return False
    if not appointment.video_link:
        return False
    return is_invited


def _for_partner(appointment: Appointment) -> PartnerAppointment:
    """Return what a partner is shown of an appointment of `appointments_visible_to_partner`
    (each of which invites them)."""
    link = appointment.video_link if shows_video_link(appointment, is_invited=True) else ""
    is_video = appointment.mode == Appointment.Mode.VIDEO
    return PartnerAppointment(
        appointment.id, appointment.starts_at, appointment.ends_at, is_video, link
    )


def appointments_for_partner(
    partner: Partner, *, at: datetime | None = None
) -> list[PartnerAppointment]:
    """Return what the partner is shown of each appointment they may see, soonest first."""
    return [_for_partner(a) for a in appointments_visible_to_partner(partner, at=at)]


def get_appointment_for_partner(
    partner: Partner, appointment_id: uuid.UUID | str, *, at: datetime | None = None
) -> PartnerAppointment:
    """Return one appointment the partner may be shown, or raise Http404 (no probing)."""
    appointment = get_or_404(appointments_visible_to_partner(partner, at=at), appointment_id)
    return _for_partner(appointment)
