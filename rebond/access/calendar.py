"""Calendars: what a clinician sees of their own appointments, what a clinic admin sees of the
clinic's, what a private calendar feed carries, and whose hours, time off and feeds are whose.

Rules (DOMAIN.md 7.5, "Conjoint appointment times ... clinic admin: metadata only"):

1. A clinician's calendar holds their own appointments only, in their own clinic (clinic first).
   Each shows its case label only while the clinician is on that case's team; a consultation
   hold never shows the requester's name, and no entry carries a partner, a clinical purpose
   or a video link.
2. A clinic admin's clinic calendar holds every clinician's appointments of the clinic as
   metadata only: whose, when, what kind, what status. The rows have no field for a case,
   a label, a partner or a request, so no template can show one by mistake.
3. A calendar feed answers only a live token of an active clinician, with neutral entries;
   a case label only where the clinician chose to show labels and is on the case.
4. Weekly hours, time off and feeds are their clinician's own: anyone else's id is a 404.
   Session types are the clinic's: its clinic admins change them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from rebond.access.base import clinic_id_of, get_or_404
from rebond.access.clinic import get_admin_clinic
from rebond.access.membership import on_case_filter
from rebond.accounts.models import Clinic, User
from rebond.appointments.models import (
    Appointment,
    CalendarFeed,
    SessionType,
    TimeOff,
    WeeklyHours,
)
from rebond.couples.models import Couple

# A released hold took up no time that anyone needs to see again.
HIDDEN_STATUSES = (Appointment.Status.RELEASED,)
CANCELLED_STATUSES = (Appointment.Status.CANCELLED, Appointment.Status.LATE_CANCELLED)


@dataclass(frozen=True)
class CalendarEntry:
    """One appointment in a clinician's own calendar, with only what they may see of it."""

    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    kind: str
    status: str
    # The case's label and id while the clinician is on the case's team; empty otherwise.
    case_label: str = ""
    couple_id: uuid.UUID | None = None

    @property
    def is_cancelled(self) -> bool:
        return self.status in CANCELLED_STATUSES

    @property
    def is_held_consultation(self) -> bool:
        return self.kind == Appointment.Kind.CONSULTATION and self.status == (
            Appointment.Status.REQUESTED
        )

    @property
    def kind_label(self) -> str:
        return str(Appointment.Kind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(Appointment.Status(self.status).label)


@dataclass(frozen=True)
class ClinicCalendarEntry:
    """One appointment in the clinic calendar: metadata only (no case, partner or request)."""

    clinician_id: uuid.UUID
    clinician_name: str
    starts_at: datetime
    ends_at: datetime
    kind: str
    status: str

    @property
    def is_cancelled(self) -> bool:
        return self.status in CANCELLED_STATUSES

    @property
    def kind_label(self) -> str:
        return str(Appointment.Kind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(Appointment.Status(self.status).label)


def _clinic_id_or_404(user: User) -> uuid.UUID:
    clinic_id = clinic_id_of(user)
    if clinic_id is None:
        raise Http404("Not found.")
    return clinic_id


def get_calendar_clinic(user: User) -> Clinic:
    """Return the clinic whose calendar the clinician keeps (an active clinician's own); 404
    for anyone without one (a server operator)."""
    _clinic_id_or_404(user)
    if user.clinic is None:  # pragma: no cover - clinic_id_of said there is one
        raise Http404("Not found.")
    return user.clinic


def _overlapping(
    queryset: QuerySet[Appointment], start: datetime, end: datetime
) -> QuerySet[Appointment]:
    return queryset.filter(starts_at__lt=end, ends_at__gt=start).exclude(status__in=HIDDEN_STATUSES)


def _labels_of_cases_on_team(
    user: User, clinic_id: uuid.UUID, couple_ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Return the label of each of these cases whose team the user is on (one query)."""
    if not couple_ids:
        return {}
    couples = Couple.objects.filter(clinic_id=clinic_id, id__in=couple_ids).filter(
        on_case_filter(user)
    )
    # Labels are encrypted: read in Python, never filtered or sorted in SQL.
    return {couple.id: couple.label for couple in couples.distinct()}


def calendar_of_clinician(user: User, start: datetime, end: datetime) -> list[CalendarEntry]:
    """Return the clinician's own appointments overlapping [start, end), oldest first.

    A case label (and the case's id, for a link to the appointment) only for the cases the
    clinician is on; nothing about a consultation's requester.
    """
    clinic_id = _clinic_id_or_404(user)
    appointments = list(
        _overlapping(Appointment.objects.filter(clinic_id=clinic_id, clinician=user), start, end)
        .only("id", "starts_at", "ends_at", "kind", "status", "couple_id")
        .order_by("starts_at")
    )
    labels = _labels_of_cases_on_team(
        user, clinic_id, {a.couple_id for a in appointments if a.couple_id is not None}
    )
    entries = []
    for appointment in appointments:
        couple_id = appointment.couple_id
        label = labels.get(couple_id) if couple_id is not None else None
        entries.append(
            CalendarEntry(
                id=appointment.id,
                starts_at=appointment.starts_at,
                ends_at=appointment.ends_at,
                kind=appointment.kind,
                status=appointment.status,
                case_label=label or "",
                couple_id=couple_id if label is not None else None,
            )
        )
    return entries


def clinic_calendar(admin: User, start: datetime, end: datetime) -> list[ClinicCalendarEntry]:
    """Return every appointment of the admin's clinic overlapping [start, end): metadata only.

    A clinician of the clinic who is no admin gets SettingsRefused (403 naming who can see
    it); anyone else a 404.
    """
    clinic = get_admin_clinic(admin)
    rows = (
        _overlapping(Appointment.objects.filter(clinic=clinic), start, end)
        .select_related("clinician")
        .only("starts_at", "ends_at", "kind", "status", "clinician__display_name")
        .order_by("starts_at", "clinician__display_name")
    )
    return [
        ClinicCalendarEntry(
            clinician_id=row.clinician_id,
            clinician_name=row.clinician.display_name,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            kind=row.kind,
            status=row.status,
        )
        for row in rows
    ]


# --- A clinician's own availability and feeds ---------------------------------------------------


def weekly_hours_of(user: User) -> QuerySet[WeeklyHours]:
    """Return the clinician's own weekly hours, by weekday and start."""
    _clinic_id_or_404(user)
    return WeeklyHours.objects.filter(clinician=user).order_by("weekday", "starts")


def get_weekly_hours_of(user: User, hours_id: int) -> WeeklyHours:
    """Return one stretch of the clinician's own weekly hours; anyone else's is a 404."""
    return get_or_404(weekly_hours_of(user), str(hours_id))


def time_off_of(
    user: User, *, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[TimeOff]:
    """Return the clinician's own time off overlapping [start, end) (all of it without bounds)."""
    _clinic_id_or_404(user)
    rows = TimeOff.objects.filter(clinician=user)
    if start is not None:
        rows = rows.filter(ends_at__gt=start)
    if end is not None:
        rows = rows.filter(starts_at__lt=end)
    return rows.order_by("starts_at")


def get_time_off_of(user: User, time_off_id: int) -> TimeOff:
    """Return one of the clinician's own time off; anyone else's is a 404."""
    return get_or_404(time_off_of(user), str(time_off_id))


def feeds_of_clinician(user: User) -> QuerySet[CalendarFeed]:
    """Return the clinician's own calendar feeds, newest first (revoked ones too)."""
    _clinic_id_or_404(user)
    return CalendarFeed.objects.filter(clinician=user).order_by("-created_at")


def get_feed_of_clinician(user: User, feed_id: int) -> CalendarFeed:
    """Return one of the clinician's own feeds, live or revoked; anyone else's is a 404."""
    return get_or_404(feeds_of_clinician(user), str(feed_id))


def get_live_feed(token_hash: str) -> CalendarFeed | None:
    """Return the live feed with this token hash, of an active clinician of a clinic, or None.

    Unknown, revoked and a deactivated clinician's feeds are the same None (one 404).
    """
    feed = (
        CalendarFeed.objects.select_related("clinician")
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        return None
    if clinic_id_of(feed.clinician) is None:
        return None
    return feed


def feed_entries(feed: CalendarFeed, start: datetime, end: datetime) -> list[CalendarEntry]:
    """Return what a live feed carries: its clinician's calendar, labels only if chosen."""
    entries = calendar_of_clinician(feed.clinician, start, end)
    if feed.shows_case_labels:
        return entries
    return [replace(entry, case_label="", couple_id=None) for entry in entries]


# --- The clinic's session types (clinic admins) ----------------------------------------------


def session_types_for_admin(admin: User) -> QuerySet[SessionType]:
    """Return the session types of the clinic the admin administers (SettingsRefused / 404)."""
    clinic = get_admin_clinic(admin)
    return SessionType.objects.filter(clinic=clinic).order_by("kind", "name")


def get_session_type_for_admin(admin: User, session_type_id: uuid.UUID | str) -> SessionType:
    """Return one session type of the admin's clinic; another clinic's is a 404."""
    return get_or_404(session_types_for_admin(admin), session_type_id)
