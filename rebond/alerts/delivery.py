"""Escalating overdue alerts and delivering their notifications (background work)."""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond import access, audit
from rebond.accounts.mail import clinic_email
from rebond.alerts.models import Alert, AlertNotification

# --- Escalation and delivery (background work) ------------------------------------------------


def escalate_overdue_alerts(at: datetime | None = None) -> int:
    """Escalate every HIGH alert left unacknowledged past its clinic's window; return how many.

    Safe to run from several workers at once: each alert is claimed by a conditional UPDATE
    of `escalated_at`, so only one worker escalates it.
    """
    moment = at or now()
    count = 0
    candidates = Alert.objects.awaiting_escalation().select_related("clinic", "couple")
    for alert in candidates:
        due = alert.escalation_due_at
        if due is None or due > moment:
            continue
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=alert.pk, escalated_at=None).update(
                escalated_at=moment
            )
            if claimed != 1:
                continue  # Another worker escalated it first.
            leads = list(access.safety_leads(alert.clinic_id))
            alert.escalated_to.set(leads)
            AlertNotification.objects.bulk_create(
                [
                    AlertNotification(
                        alert=alert, recipient=lead, kind=AlertNotification.Kind.ESCALATION
                    )
                    for lead in leads
                ],
                ignore_conflicts=True,
            )
            audit.log(
                actor=None, action="alerts.alert.escalate", obj=alert, clinic_id=alert.clinic_id
            )
            transaction.on_commit(enqueue_delivery)
        count += 1
    return count


SUBJECT = gettext_noop("You have a priority item in Rebond")
logger = logging.getLogger(__name__)
# Failures that say the mail server itself is unreachable or not answering, not this message.
MAIL_SERVER_DOWN = (
    TimeoutError,
    ConnectionError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)


def notification_body() -> str:
    """Return the whole e-mail: no names, no scores, no words about what happened (in the
    active language)."""
    said = _("You have a priority item in Rebond.")
    where = _("Please log in to Rebond to see it: %(url)s") % {
        "url": f"{settings.SITE_URL}/alerts/"
    }
    return f"{said}\n\n{where}\n"


def deliver_notifications(limit: int = 100) -> int:
    """Send unsent notifications; return how many were sent.

    Each row is claimed with a conditional UPDATE before sending (a lease, five minutes by
    default, so a worker killed mid-send leaves it for another after the lease), then marked
    sent. The
    Message-ID is the notification's id, so a rare resend after a crash between sending and
    marking is recognisable as the same message.

    The guarantee, exactly (rebond/alerts/tests/test_delivery_crash.py kills a worker at each
    point): every notification is delivered at least once, and at most once except after a
    crash in the one window nothing can close.
    - Killed before the claim: nothing happened; the next run sends it, once.
    - Killed after the claim, before the message is handed to the mail server: the row stays
      claimed; after the lease (ALERT_DELIVERY_LEASE_SECONDS) another run sends it, once.
    - Killed after the mail server accepted the message, before the row is marked sent: the
      row looks exactly like the case above, so after the lease it is sent again. Marking it
      sent first would instead lose it on a crash, which is worse for a safety alert, and an
      SMTP server cannot be asked whether it already took a message, so a second copy is the
      price of never losing one. That copy has the same Message-ID, so mail systems that
      de-duplicate by Message-ID drop it and a reader can tell it is the same nudge; the resend
      is logged (with the notification's id only). The window lasts one database UPDATE.
    A failed send (the server refused or was unreachable) releases the claim at once and is
    retried on the next run; it is never counted as sent. When the mail server does not answer
    (EMAIL_TIMEOUT) or drops the connection, the run stops there and leaves the rest for the
    next one: a hung server costs one timeout per run, not one per pending e-mail, so the
    safety sweep and the worker get back to escalating within seconds.
    """
    sent = 0
    stale = now() - timedelta(seconds=settings.ALERT_DELIVERY_LEASE_SECONDS)
    pending = (
        AlertNotification.objects.filter(sent_at=None)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=stale))
        .select_related("recipient__clinic")[:limit]
    )
    for notification in pending:
        token = uuid.uuid4()
        claimed = AlertNotification.objects.filter(
            Q(claimed_at=None) | Q(claimed_at__lt=stale), pk=notification.pk, sent_at=None
        ).update(claimed_at=now(), claim_token=token, attempts=notification.attempts + 1)
        if claimed != 1:
            continue
        if notification.claimed_at is not None:
            # The last worker that claimed it died before marking it: it may have sent it.
            logger.warning(
                "Alert notification %s: resending after an interrupted attempt.", notification.pk
            )
        # In the recipient's language: a task runs with none active.
        with translation.override(notification.recipient.preferred_language):
            message = clinic_email(
                notification.recipient.clinic,
                _(SUBJECT),
                notification_body(),
                [notification.recipient.email],
                headers={"Message-ID": f"<alert-notification-{notification.pk}@rebond>"},
            )
        try:
            message.send()
        except Exception as exc:
            AlertNotification.objects.filter(pk=notification.pk, claim_token=token).update(
                claimed_at=None, last_error=type(exc).__name__
            )
            logger.warning(
                "Alert notification %s not sent (%s); it will be retried.",
                notification.pk,
                type(exc).__name__,
            )
            if isinstance(exc, MAIL_SERVER_DOWN):
                break
            continue
        AlertNotification.objects.filter(pk=notification.pk, claim_token=token).update(
            sent_at=now()
        )
        sent += 1
    return sent


def enqueue_delivery() -> None:
    """Queue the delivery of pending notifications (call after commit)."""
    from rebond.alerts.tasks import deliver_alert_notifications

    deliver_alert_notifications.enqueue()
