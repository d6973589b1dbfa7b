"""Putting an appointment into a clinician's calendar, and never two at once.

`place()` is the one writer of a new or moved appointment time. It checks for an overlap
first, to answer with a clear message, and the database refuses an overlap anyway (migration
0002): two people taking the last slot at the same moment both pass the first check, and the
second insert fails on the constraint, which is turned into the same clear message.
"""

from __future__ import annotations

from http import HTTPStatus

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond.appointments.models import Appointment
from rebond.lib.errors import ActionError

OVERLAP_CONSTRAINT = "appointment_no_overlap"
TAKEN = gettext_noop(
    "That time is no longer free in the clinician's calendar. Choose another time."
)


def is_overlap_error(error: IntegrityError) -> bool:
    """Return whether the database refused a write because of the no-overlap rule."""
    return OVERLAP_CONSTRAINT in str(error) or "exclusion" in str(error).lower()


def overlapping(appointment: Appointment) -> bool:
    """Return whether another appointment takes up any of this one's clinician's time."""
    return (
        Appointment.objects.blocking()
        .filter(
            clinician_id=appointment.clinician_id,
            starts_at__lt=appointment.ends_at,
            ends_at__gt=appointment.starts_at,
        )
        .exclude(pk=appointment.pk)
        .exists()
    )


def place(appointment: Appointment, *, field: str = "starts_at") -> Appointment:
    """Save a new or moved appointment; raise ActionError (409) if its time is taken.

    `field` names the form field the error belongs to. Runs in its own savepoint, so a refusal
    leaves the caller's transaction usable.
    """
    if appointment.status in Appointment.BLOCKING_STATUSES and overlapping(appointment):
        raise ActionError(_(TAKEN), {field: [_(TAKEN)]}, status=HTTPStatus.CONFLICT)
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        if is_overlap_error(error):
            raise ActionError(_(TAKEN), {field: [_(TAKEN)]}, status=HTTPStatus.CONFLICT) from error
        raise
    return appointment
