"""Free consultations: a requester holds a time, a clinician confirms, moves or cancels it.

Right after sending a consultation request, the browser that sent it may choose one of the
clinic's next free times (only where the clinic opted in: AppointmentSettings.
consultation_booking). The time is held (REQUESTED) for `hold_hours`; a clinician triaging the
request then confirms it (SCHEDULED), proposes another time, or cancels it, and each of those
queues one message to the requester through the way and at the times they gave
(recipients.queue_requester_message); the sender delivers it later. A hold nobody confirmed is
released by the sweep (`release_expired_holds`) without telling the requester: nothing is sent
that a clinician did not decide.

Every new or moved time goes through `booking.place`, which answers a taken time with
ActionError(409), whether it lost to a check or to the database's own refusal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus

from django.db import transaction
from django.http import Http404
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond import access, audit
from rebond.accounts.models import Clinic, User
from rebond.appointments.booking import place
from rebond.appointments.models import (
    Appointment,
    AppointmentMessage,
    AppointmentSettings,
    SessionType,
    TimeOff,
)
from rebond.appointments.recipients import clinic_settings, queue_requester_message
from rebond.appointments.slots import Slot, free_slots
from rebond.audit.updates import audited_update
from rebond.intake.access import get_request_for_clinician
from rebond.intake.models import ConsultationRequest
from rebond.lib.errors import ActionError

# How many free times the clinician's "propose another time" page lists.
PROPOSABLE_SLOTS = 30

TAKEN = gettext_noop("That time has just been taken. Choose another time.")
ALREADY_SET = gettext_noop("The practice has already set the time of your consultation.")
NOT_OFFERED = gettext_noop("Choosing a time is not offered here.")
NO_TYPE = gettext_noop(
    "The clinic offers no free consultation yet: a clinic admin adds one to its session types."
)
CLOSED = gettext_noop("This request was declined or marked as spam: nothing was booked.")
STALE = gettext_noop("The consultation changed since this page was opened. Look at it again.")
NOT_HELD = gettext_noop("Only a time the requester is holding can be confirmed.")
NOT_UPCOMING = gettext_noop("This consultation was already cancelled or released.")
PASSED = gettext_noop("That time has passed. Propose another time.")
ALREADY_PASSED = gettext_noop("That time has passed: there is nothing to cancel.")
IN_PAST = gettext_noop("Choose a time in the future.")
AWAY = gettext_noop("%(name)s is away then (time off). Choose another time.")
NOT_A_THERAPIST = gettext_noop("Choose one of the clinic's therapists.")


# Requests nothing more is booked for (a cancellation is still possible).
_CLOSED_TO_BOOKING = frozenset(
    {ConsultationRequest.Status.SPAM, ConsultationRequest.Status.DECLINED}
)


@dataclass(frozen=True)
class Offer:
    """What a clinic offers requesters: its booking settings and free-consultation type."""

    settings: AppointmentSettings
    session_type: SessionType

    def window(self, at: datetime) -> tuple[datetime, datetime]:
        """Return when the offered times may start: after the notice, within the horizon."""
        settings = self.settings
        return (
            at + timedelta(hours=settings.booking_notice_hours),
            at + timedelta(days=settings.booking_horizon_days),
        )


def consultation_type(clinic_id: uuid.UUID) -> SessionType | None:
    """Return the clinic's active free-consultation type (the first by name), if any."""
    return (
        SessionType.objects.filter(
            clinic_id=clinic_id, kind=SessionType.Kind.CONSULTATION, is_active=True
        )
        .order_by("name")
        .first()
    )


def booking_offer(clinic: Clinic) -> Offer | None:
    """Return what a requester may book at this clinic, or None where choosing is not offered.

    None unless the clinic opted in and has an active free-consultation type.
    """
    settings = clinic_settings(clinic.id)
    if not settings.consultation_booking:
        return None
    session_type = consultation_type(clinic.id)
    if session_type is None:
        return None
    return Offer(settings, session_type)


def bookable_clinicians(clinic_id: uuid.UUID) -> list[User]:
    """Return the clinic's active therapists who have weekly hours, by name."""
    return list(
        access.consultation_clinicians(clinic_id)
        .filter(weekly_hours__isnull=False)
        .select_related("clinic")
        .distinct()
    )


def offered_slots(clinic: Clinic, offer: Offer, *, at: datetime) -> list[Slot]:
    """Return the next free times a requester may hold, one per starting time, soonest first.

    The times of every bookable therapist are merged; where several are free at once, the
    first by name takes it (the requester chooses a time, not a person).
    """
    start, end = offer.window(at)
    by_time: dict[datetime, Slot] = {}
    for clinician in bookable_clinicians(clinic.id):
        for slot in free_slots(clinician, offer.session_type, start=start, end=end):
            by_time.setdefault(slot.starts_at, slot)
    return [by_time[moment] for moment in sorted(by_time)][: offer.settings.slots_offered]


def proposable_slots(
    clinic: Clinic, session_type: SessionType, *, at: datetime, days: int
) -> list[tuple[User, Slot]]:
    """Return the clinic's therapists' next free times of this type, soonest first, by name."""
    found = []
    for clinician in bookable_clinicians(clinic.id):
        found += [
            (clinician, slot)
            for slot in free_slots(clinician, session_type, start=at, end=at + timedelta(days=days))
        ]
    found.sort(key=lambda pair: pair[1].starts_at)
    return found[:PROPOSABLE_SLOTS]


def is_free_slot(clinician: User, session_type: SessionType, starts_at: datetime) -> bool:
    """Return whether one of the clinician's free slots of this type starts at `starts_at`."""
    moment = timedelta(microseconds=1)
    return any(
        slot.starts_at == starts_at
        for slot in free_slots(clinician, session_type, start=starts_at, end=starts_at + moment)
    )


def current_consultation(
    request_id: uuid.UUID, *, at: datetime | None = None, for_update: bool = False
) -> Appointment | None:
    """Return the request's consultation still to come (held or scheduled), if any."""
    consultations = access.consultations_of_request(request_id).filter(
        status__in=Appointment.UPCOMING_STATUSES, ends_at__gt=at or now()
    )
    if for_update:
        consultations = consultations.select_for_update()
    return consultations.order_by("-starts_at").first()


def _conflict(message: str, field: str = "") -> ActionError:
    return ActionError(message, {field: [message]}, status=HTTPStatus.CONFLICT)


# --- The requester ---------------------------------------------------------------------------


def hold_consultation(
    consultation_request: ConsultationRequest, starts_at: datetime, *, at: datetime | None = None
) -> Appointment:
    """Hold the free time starting at `starts_at` for the request's sender; return the hold.

    The caller has made sure this browser sent the request (rebond/intake/receipt.py). A
    request holds one time: choosing again releases the previous hold, in the same
    transaction, so a refused choice keeps it. Raise ActionError (409, on "slot") when the
    time is not, or no longer, free with any bookable therapist.
    """
    at = at or now()
    clinic = consultation_request.clinic
    offer = booking_offer(clinic)
    if offer is None:
        raise ActionError(_(NOT_OFFERED), status=HTTPStatus.NOT_FOUND)
    earliest, latest = offer.window(at)
    with transaction.atomic():
        # Two choices sent at once from this browser wait for each other: one hold per request.
        request = ConsultationRequest.objects.select_for_update().get(pk=consultation_request.pk)
        if request.status in _CLOSED_TO_BOOKING:
            # Declined or marked as spam meanwhile: said as neutrally as a clinic that does
            # not offer booking (the sender is not told how their request was judged).
            raise _conflict(_(NOT_OFFERED), "slot")
        previous = current_consultation(request.id, at=at, for_update=True)
        if previous is not None and previous.status == Appointment.Status.SCHEDULED:
            raise _conflict(_(ALREADY_SET), "slot")
        if not earliest <= starts_at < latest:
            raise _conflict(_(TAKEN), "slot")
        if previous is not None:
            audited_update(
                previous,
                {"status": Appointment.Status.RELEASED},
                None,
                "appointments.consultation.release",
                clinic_id=clinic.id,
            )
        for clinician in bookable_clinicians(clinic.id):
            if not is_free_slot(clinician, offer.session_type, starts_at):
                continue
            hold = Appointment(
                clinic=clinic,
                clinician=clinician,
                session_type=offer.session_type,
                kind=Appointment.Kind.CONSULTATION,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=offer.session_type.duration_minutes),
                status=Appointment.Status.REQUESTED,
                request=request,
                held_until=at + timedelta(hours=offer.settings.hold_hours),
                created_by=None,
                created_at=at,
            )
            try:
                place(hold, field="slot")
            except ActionError as refused:
                if refused.status != HTTPStatus.CONFLICT:
                    raise
                continue  # Taken meanwhile by someone else: another therapist may be free.
            audit.log(
                actor=None,
                action="appointments.consultation.hold",
                obj=hold,
                clinic_id=clinic.id,
                fields=["clinician", "starts_at", "ends_at", "status", "held_until"],
            )
            return hold
        # Nobody is free then: the previous hold is kept (the transaction is rolled back).
        raise _conflict(_(TAKEN), "slot")


# --- Clinicians triaging the request ----------------------------------------------------------


def _refuse_closed(request: ConsultationRequest) -> None:
    if request.status in _CLOSED_TO_BOOKING:
        raise _conflict(_(CLOSED))


def confirm_consultation(
    clinician: User,
    request_id: uuid.UUID | str,
    consultation_id: uuid.UUID | str,
    *,
    at: datetime | None = None,
) -> Appointment:
    """Confirm the time the requester holds (REQUESTED -> SCHEDULED) and tell them."""
    at = at or now()
    with transaction.atomic():
        request = get_request_for_clinician(clinician, request_id, for_update=True)
        _refuse_closed(request)
        if not consultation_id:  # A page that showed no consultation (it changed since).
            raise _conflict(_(STALE))
        appointment = access.get_consultation_of_request(
            request.id, consultation_id, for_update=True
        )
        if appointment.status != Appointment.Status.REQUESTED:
            raise _conflict(_(NOT_HELD))
        if appointment.starts_at <= at:
            raise _conflict(_(PASSED))
        audited_update(
            appointment,
            {"status": Appointment.Status.SCHEDULED, "held_until": None},
            clinician,
            "appointments.consultation.confirm",
            clinic_id=request.clinic_id,
        )
        queue_requester_message(appointment, request, AppointmentMessage.Purpose.CONFIRMATION, at)
    return appointment


def _therapist(request: ConsultationRequest, clinician_id: uuid.UUID | str) -> User:
    try:
        return access.get_consultation_clinician(request.clinic_id, clinician_id)
    except Http404 as exc:
        raise ActionError(_(NOT_A_THERAPIST), {"clinician": [_(NOT_A_THERAPIST)]}) from exc


def _is_away(clinician: User, starts_at: datetime, ends_at: datetime) -> bool:
    return TimeOff.objects.filter(
        clinician=clinician, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exists()


def propose_consultation_time(
    clinician: User,
    request_id: uuid.UUID | str,
    *,
    consultation_id: uuid.UUID | str | None,
    clinician_id: uuid.UUID | str,
    starts_at: datetime,
    field: str = "starts_at",
    at: datetime | None = None,
) -> Appointment:
    """Set the consultation's time (SCHEDULED), with one of the clinic's therapists; tell them.

    `consultation_id` is the consultation the clinician saw on the page (None: there was
    none): if the requester has chosen or changed a time since, nothing is changed (409). With
    no consultation this offers one (a confirmation is sent); otherwise it moves the held or
    scheduled one (a change is sent). `field` names the form field a refused time belongs to.
    """
    at = at or now()
    with transaction.atomic():
        request = get_request_for_clinician(clinician, request_id, for_update=True)
        _refuse_closed(request)
        session_type = consultation_type(request.clinic_id)
        if session_type is None:
            raise _conflict(_(NO_TYPE))
        current = current_consultation(request.id, at=at, for_update=True)
        seen = str(consultation_id) if consultation_id else None
        if (str(current.id) if current is not None else None) != seen:
            raise _conflict(_(STALE))
        therapist = _therapist(request, clinician_id)
        if starts_at <= at:
            raise ActionError(_(IN_PAST), {field: [_(IN_PAST)]})
        ends_at = starts_at + timedelta(minutes=session_type.duration_minutes)
        if _is_away(therapist, starts_at, ends_at):
            message = _(AWAY) % {"name": therapist.display_name}
            raise _conflict(message, field)
        purpose: str | None = AppointmentMessage.Purpose.CONFIRMATION
        if current is None:
            action = "appointments.consultation.offer"
            appointment = Appointment(
                clinic_id=request.clinic_id,
                kind=Appointment.Kind.CONSULTATION,
                request=request,
                created_by=clinician,
                created_at=at,
            )
        else:
            action = "appointments.consultation.propose"
            appointment = current
            if current.starts_at != starts_at:
                purpose = AppointmentMessage.Purpose.CHANGE
            elif current.status == Appointment.Status.SCHEDULED:
                purpose = None  # The time they know stands (another therapist, at most).
        values = {
            "clinician_id": therapist.id,
            "session_type_id": session_type.id,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "status": Appointment.Status.SCHEDULED,
            "held_until": None,
        }
        changed = [
            name.removesuffix("_id")
            for name, value in values.items()
            if getattr(appointment, name) != value
        ]
        for name, value in values.items():
            setattr(appointment, name, value)
        place(appointment, field=field)
        audit.log(
            actor=clinician,
            action=action,
            obj=appointment,
            clinic_id=request.clinic_id,
            fields=changed,
        )
        if purpose is not None:
            queue_requester_message(appointment, request, purpose, at)
    return appointment


def cancel_consultation(
    clinician: User,
    request_id: uuid.UUID | str,
    consultation_id: uuid.UUID | str,
    *,
    at: datetime | None = None,
) -> Appointment:
    """Cancel the requester's held or scheduled consultation and tell them."""
    at = at or now()
    with transaction.atomic():
        request = get_request_for_clinician(clinician, request_id, for_update=True)
        if not consultation_id:  # A page that showed no consultation (it changed since).
            raise _conflict(_(STALE))
        appointment = access.get_consultation_of_request(
            request.id, consultation_id, for_update=True
        )
        if appointment.status not in Appointment.UPCOMING_STATUSES:
            raise _conflict(_(NOT_UPCOMING))
        if appointment.starts_at <= at:
            raise _conflict(_(ALREADY_PASSED))
        audited_update(
            appointment,
            {"status": Appointment.Status.CANCELLED, "cancelled_at": at, "held_until": None},
            clinician,
            "appointments.consultation.cancel",
            clinic_id=request.clinic_id,
        )
        queue_requester_message(appointment, request, AppointmentMessage.Purpose.CANCELLATION, at)
    return appointment


# --- The sweep --------------------------------------------------------------------------------


def release_expired_holds(at: datetime) -> int:
    """Release every hold not confirmed by its `held_until` (REQUESTED -> RELEASED).

    The requester is not told (nothing is sent that a clinician did not decide); the time is
    free for others again. Return how many holds were released.
    """
    released = 0
    with transaction.atomic():
        expired = (
            Appointment.objects.select_for_update()
            .filter(status=Appointment.Status.REQUESTED, held_until__lt=at)
            .order_by("held_until")
        )
        for appointment in expired:
            audited_update(
                appointment,
                {"status": Appointment.Status.RELEASED},
                None,
                "appointments.consultation.expire",
                clinic_id=appointment.clinic_id,
            )
            released += 1
    return released
