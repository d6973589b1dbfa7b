"""Messages about a case's appointments that did not reach their person (the outbox's failures).

A reminder, confirmation, change or cancellation that could not be delivered (FAILED after its
last attempt) or had no safe way or time to go (UNSENDABLE) is shown to the clinicians who may
open the case, so that someone tells the person another way: nothing is dropped silently
(issue 18, item 4). Withdrawn messages (no longer needed) are not failures and are not shown.

Who sees them: whoever reaches the case through `couples_for_clinician` (its team, or a live
emergency grant); the partners never do. The messages name a partner and a channel kind,
both of which the case's clinicians already see on the case page (DOMAIN.md 7.5).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils.timezone import now

from rebond.access.cases import couples_for_clinician
from rebond.accounts.models import User
from rebond.appointments.models import AppointmentMessage
from rebond.couples.models import Couple

UNDELIVERED_STATUSES = (AppointmentMessage.Status.FAILED, AppointmentMessage.Status.UNSENDABLE)
# How long after an appointment ends its undelivered messages stay on the case page: long
# enough to follow up after a weekend, short enough that the warning does not outlive its use.
SHOWN_AFTER_THE_END = timedelta(days=14)


def undelivered_messages_for_case(user: User, couple: Couple) -> QuerySet[AppointmentMessage]:
    """Return the case's undelivered appointment messages the clinician may see, by time."""
    return (
        AppointmentMessage.objects.filter(
            appointment__couple__in=couples_for_clinician(user).filter(pk=couple.pk),
            status__in=UNDELIVERED_STATUSES,
            appointment__ends_at__gt=now() - SHOWN_AFTER_THE_END,
        )
        .select_related("appointment", "partner")
        .order_by("appointment__starts_at", "created_at", "id")
    )
