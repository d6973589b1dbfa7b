"""Reminders to write in the diary, per the case's DiaryPlan.prompt (issue 19 item 1: "never
more than daily, only through the safe channel and hours").

Rules, chosen so that a reminder reveals nothing to anyone (DOMAIN.md 7.5, SECURITY.md AC-05):

1. Only while the diary is offered and its plan asks for reminders, and the case is active.
   A case paused for safety keeps its reminders, for both partners alike: a "not safe" answer
   pauses the case at once, and the other partner must not notice any change it causes
   (DOMAIN 4.6 point 3); the partners' spaces say nothing of a pause either.
2. The cadence is in clinic calendar days (rebond/lib/clinic_time.py): "daily" every day,
   "twice a week" on Mondays and Thursdays, "weekly" on Mondays. A partner who already wrote
   an entry that day is not reminded.
3. At most one reminder a partner a day: the DiaryPrompt row (unique per partner and day) is
   claimed in the transaction that makes the link, so overlapping sweeps send nothing twice.
4. Only by e-mail (a channel that can carry the private link) to an address marked safe to
   contact, and only inside that address's message window (ContactChannel.safe_from/
   safe_until, else the clinic's default window, rebond/lib/safe_window.py). Outside every
   window the reminder waits for a later sweep the same day; a day with no safe moment has
   no reminder. Checked again when the e-mail goes (rebond/diary/tasks.py).
5. The words are neutral (rebond/lib/neutral.py) unless the address's owner allowed messages
   to say what they are about; they never mention the other partner; the link is fresh, and
   only its hash is stored (the delivery task mints the token).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils.timezone import now

from rebond import audit
from rebond.appointments.models import AppointmentSettings
from rebond.couples.models import ContactChannel, Couple, Partner
from rebond.diary.models import DiaryEntry, DiaryPlan, DiaryPrompt
from rebond.lib.clinic_time import clinic_zone
from rebond.lib.safe_window import is_inside
from rebond.portal.actions import link_lifetime
from rebond.portal.models import PrivateLink

MONDAY, THURSDAY = 0, 3
# Which weekdays (clinic time, Monday = 0) each cadence reminds on.
REMINDER_DAYS: dict[str, frozenset[int]] = {
    DiaryPlan.Prompt.NEVER: frozenset(),
    DiaryPlan.Prompt.WEEKLY: frozenset({MONDAY}),
    DiaryPlan.Prompt.TWICE_WEEKLY: frozenset({MONDAY, THURSDAY}),
    DiaryPlan.Prompt.DAILY: frozenset(range(7)),
}


def is_reminder_day(prompt: str, day: date) -> bool:
    """Return whether a plan with this cadence reminds on `day` (a clinic calendar day)."""
    return day.weekday() in REMINDER_DAYS.get(prompt, frozenset())


def channels_open_now(partner: Partner, at: datetime) -> list[ContactChannel]:
    """Return the partner's safe e-mail addresses whose message window is open at `at`."""
    clinic = partner.couple.clinic
    settings = AppointmentSettings.of_clinic(clinic.pk)
    local = at.astimezone(clinic_zone(clinic))
    return [
        channel
        for channel in partner.contact_channels.filter(
            kind=ContactChannel.Kind.EMAIL, safe_to_contact=True
        ).order_by("created_at")
        if is_inside(local, *settings.window_for(channel))
    ]


def _plans_due(at: datetime) -> list[tuple[DiaryPlan, date]]:
    plans = (
        DiaryPlan.objects.filter(offered=True)
        .exclude(prompt=DiaryPlan.Prompt.NEVER)
        .exclude(couple__status__in=Couple.INACTIVE_STATUSES)
        .select_related("couple__clinic")
    )
    due = []
    for plan in plans:
        today = at.astimezone(clinic_zone(plan.couple.clinic)).date()
        if is_reminder_day(plan.prompt, today):
            due.append((plan, today))
    return due


def _wrote_today(partner: Partner, today: date) -> bool:
    """Return whether the partner wrote an entry on `today` (clinic calendar day)."""
    zone = clinic_zone(partner.couple.clinic)
    start = datetime.combine(today, time.min, tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    return DiaryEntry.objects.filter(
        author=partner, written_at__gte=start, written_at__lt=end
    ).exists()


def claim_prompt(
    partner: Partner, plan: DiaryPlan, today: date, channels: list[ContactChannel], at: datetime
) -> DiaryPrompt | None:
    """Claim today's reminder for the partner and queue its e-mail; None if already claimed."""
    from rebond.diary.tasks import send_diary_reminder

    created_by_id = plan.updated_by_id or plan.couple.primary_clinician_id
    if created_by_id is None:
        return None  # Nobody to stand behind the link: the clinician will send one themselves.
    try:
        with transaction.atomic():
            prompt = DiaryPrompt.objects.create(partner=partner, due_on=today, created_at=at)
            link = PrivateLink.objects.create(
                partner=partner,
                purpose=PrivateLink.Purpose.DIARY,
                expires_at=at + link_lifetime(),
                created_by_id=created_by_id,
                created_at=at,
            )
            audit.log(
                actor=None,
                action="diary.reminder.send",
                obj=prompt,
                clinic_id=plan.couple.clinic_id,
            )
            task = partial(
                send_diary_reminder.enqueue,
                str(prompt.id),
                str(link.id),
                [str(channel.id) for channel in channels],
            )
            transaction.on_commit(task)
    except IntegrityError:
        return None  # Another sweep claimed today's reminder first: it sends it.
    return prompt


def send_due_diary_reminders(at: datetime | None = None) -> int:
    """Queue every diary reminder due at `at` (now by default); return how many were queued."""
    at = at or now()
    queued = 0
    for plan, today in _plans_due(at):
        claimed = set(
            DiaryPrompt.objects.filter(partner__couple_id=plan.couple_id, due_on=today).values_list(
                "partner_id", flat=True
            )
        )
        partners: list[Partner] = list(
            Partner.objects.filter(couple_id=plan.couple_id).select_related("couple__clinic")
        )
        for partner in partners:
            if partner.pk in claimed or _wrote_today(partner, today):
                continue
            channels = channels_open_now(partner, at)
            if not channels:
                continue  # No safe address, or none whose window is open now: a later sweep.
            if claim_prompt(partner, plan, today, channels, at) is not None:
                queued += 1
    return queued
