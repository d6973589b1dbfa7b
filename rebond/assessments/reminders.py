"""Reminders of check-ins left open, per the clinic's settings (ClinicCheckinSettings).

Rules, chosen so that a reminder reveals nothing to anyone (DOMAIN.md 7.5, SECURITY.md AC-05):

1. A partner is reminded only of their OWN open check-ins. Whether the other partner has
   finished, started or flagged risk never enters the decision, and the e-mail never mentions
   the other partner. Risk instruments are scheduled for both partners at the same time, so
   while both leave one open both are reminded on the same sweep.
2. The e-mail is the invitation's, word for word (`portal.tasks.invitation_body`): one neutral
   sentence and a fresh private link. No name, no instrument, no clinical word, no count.
3. Only e-mail addresses marked safe to contact are used, checked again when the e-mail goes.
4. The n-th reminder of a check-in is due `remind_after_days * n` days after it was due, and
   at least `remind_after_days` after the last reminder; at most `max_reminders` per check-in.
   Days are the clinic's calendar days: a check-in due at 18:30 at the clinic is reminded of
   at 18:30 there, also across a daylight-saving change (rebond/lib/clinic_time.py).
   Check-ins due together travel in one e-mail.
5. Each reminder is claimed by inserting its CheckinReminder row (unique per check-in and
   number) in the transaction that creates the link; a concurrent sweep's claim fails on the
   constraint, so nothing is sent twice. The token is minted by the delivery task, never stored.
6. A partner who was invited before a check-in was scheduled, and has had no link since, is
   told when it falls due: the same neutral e-mail, recorded as reminder number 0 (a notice,
   outside the clinic's limit of reminders). A partner invited after it was scheduled already
   has a link that opens it, and a partner never invited is left to their clinician.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils.timezone import now

from rebond import audit
from rebond.assessments.checkins import is_offered
from rebond.assessments.models import Administration, CheckinReminder, ClinicCheckinSettings
from rebond.couples.models import ContactChannel, Couple
from rebond.lib.clinic_time import clinic_zone
from rebond.portal.actions import link_lifetime
from rebond.portal.models import PrivateLink

# Reminder number 0: the notice that a check-in is ready (rule 6 above).
NOTICE = 0


def _settings_by_clinic() -> dict[uuid.UUID, ClinicCheckinSettings]:
    return {s.clinic_id: s for s in ClinicCheckinSettings.objects.all()}


def days_later(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """Return the same time of day at the clinic, `days` calendar days there after `moment`.

    Python adds a timedelta to a zoned datetime on the wall clock and then takes that day's
    UTC offset, so a day across a daylight-saving change lasts 23 or 25 hours.
    """
    return moment.astimezone(zone) + timedelta(days=days)


def due_reminders(at: datetime) -> dict[uuid.UUID, list[tuple[Administration, int]]]:
    """Return {partner id: [(open administration, number of the reminder due)]} at `at`."""
    settings = _settings_by_clinic()
    default = ClinicCheckinSettings()
    # No clinic reminds sooner than a day after; a clinic's day can be 23 hours long.
    earliest = at - timedelta(hours=23)
    rows = (
        Administration.objects.open()
        .filter(due_at__lte=earliest)
        .exclude(couple__status__in=Couple.INACTIVE_STATUSES)
        .annotate(
            sent=Count("reminders", filter=Q(reminders__number__gt=NOTICE)),
            last_sent=Max("reminders__created_at"),
        )
        .select_related("couple__clinic")
        .order_by("partner_id", "due_at", "id")
    )
    due: dict[uuid.UUID, list[tuple[Administration, int]]] = defaultdict(list)
    for administration in rows:
        rule = settings.get(administration.couple.clinic_id, default)
        zone = clinic_zone(administration.couple.clinic)
        sent: int = administration.sent
        last: datetime | None = administration.last_sent
        if sent >= rule.max_reminders:
            continue
        gap = rule.remind_after_days
        if at < days_later(administration.due_at, gap * (sent + 1), zone):
            continue
        if last is not None and at < days_later(last, gap, zone):
            continue
        if not is_offered(administration):
            continue
        due[administration.partner_id].append((administration, sent + 1))
    return due


def due_notices(at: datetime) -> dict[uuid.UUID, list[tuple[Administration, int]]]:
    """Return {partner id: [(administration, NOTICE)]}: check-ins due that no link has reached.

    Rule 6 of the module docstring: the partner was invited before the check-in was scheduled,
    no link of theirs was made since, and no notice or reminder was sent about it.
    """
    links = PrivateLink.objects.filter(partner_id=OuterRef("partner_id"))
    rows = (
        Administration.objects.open()
        .filter(due_at__lte=at)
        .exclude(couple__status__in=Couple.INACTIVE_STATUSES)
        .filter(
            Exists(
                links.filter(
                    purpose=PrivateLink.Purpose.INVITATION, created_at__lt=OuterRef("created_at")
                )
            ),
            ~Exists(links.filter(created_at__gte=OuterRef("created_at"))),
            ~Exists(CheckinReminder.objects.filter(administration_id=OuterRef("id"))),
        )
        .select_related("couple")
        .order_by("partner_id", "due_at", "id")
    )
    due: dict[uuid.UUID, list[tuple[Administration, int]]] = defaultdict(list)
    for administration in rows:
        if is_offered(administration):
            due[administration.partner_id].append((administration, NOTICE))
    return due


def _has_safe_email(partner_id: uuid.UUID) -> bool:
    return ContactChannel.objects.filter(
        partner_id=partner_id, kind=ContactChannel.Kind.EMAIL, safe_to_contact=True
    ).exists()


def claim_reminder(
    partner_id: uuid.UUID, batch: list[tuple[Administration, int]], at: datetime
) -> PrivateLink | None:
    """Claim one reminder e-mail for a partner's batch; return its link, or None if taken.

    The delivery task is queued when the claim commits.
    """
    from rebond.portal.tasks import send_invitation

    first = batch[0][0]
    try:
        with transaction.atomic():
            link = PrivateLink.objects.create(
                partner_id=partner_id,
                purpose=PrivateLink.Purpose.REMINDER,
                expires_at=at + link_lifetime(),
                created_by_id=first.created_by_id,
                created_at=at,
            )
            for administration, number in batch:
                CheckinReminder.objects.create(
                    administration=administration, number=number, link=link, created_at=at
                )
            audit.log(
                actor=None,
                action="assessments.reminder.send",
                obj=link,
                clinic_id=first.couple.clinic_id,
            )
            transaction.on_commit(partial(send_invitation.enqueue, str(link.id)))
    except IntegrityError:
        return None  # Another sweep claimed this reminder first: it sends it.
    return link


def send_due_reminders(at: datetime | None = None) -> int:
    """Queue every reminder due at `at` (now by default); return how many e-mails were queued."""
    at = at or now()
    queued = 0
    batches = due_notices(at)
    for partner_id, reminders in due_reminders(at).items():
        batches[partner_id].extend(reminders)  # One e-mail per partner per sweep.
    for partner_id, batch in batches.items():
        if not _has_safe_email(partner_id):
            continue  # Nothing can be sent safely: keep the reminder for when there is a way.
        if claim_reminder(partner_id, batch, at) is not None:
            queued += 1
    return queued


def spend_finished_links(administration_ids: list[uuid.UUID], at: datetime) -> int:
    """Mark spent every reminder link whose check-ins are all finished; return how many.

    Called in the transaction that finishes a check-in (submit or cancel), so a reminder link
    opens nothing once the last check-in it was sent about is done (SECURITY.md LK-01). A
    session the link already opened is not ended: the partner still reaches the receipt.
    """
    link_ids: set[uuid.UUID] = {
        link_id
        for link_id in CheckinReminder.objects.filter(
            administration_id__in=administration_ids, link__spent_at=None
        ).values_list("link_id", flat=True)
        if link_id is not None
    }
    if not link_ids:
        return 0
    still_open = set(
        CheckinReminder.objects.filter(
            link_id__in=link_ids, administration__status__in=Administration.OPEN_STATUSES
        ).values_list("link_id", flat=True)
    )
    spent = link_ids - still_open
    return PrivateLink.objects.filter(id__in=spent, spent_at=None).update(spent_at=at)
