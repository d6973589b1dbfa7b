"""Background delivery of diary reminders (rebond/diary/reminders.py says when one is due).

Like the invitation (rebond/portal/tasks.py), the task mints the link's token itself, stores
only its hash, and puts the raw token in the e-mail alone. Everything that made the reminder
safe is checked again now: the diary still offered, the case still active, each address
still safe to contact and inside its window. The e-mail is in the partner's own language
(else the clinic's default): the two partners of a couple may read different languages.
"""

from __future__ import annotations

from django.core.mail import get_connection
from django.db import transaction
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django_tasks import task

from rebond.accounts.mail import client_email
from rebond.couples.models import Couple
from rebond.diary.models import DiaryPlan, DiaryPrompt
from rebond.diary.reminders import channels_open_now
from rebond.portal.models import PrivateLink, hash_token, new_token
from rebond.portal.tasks import SUBJECT, link_url


def reminder_body(token: str, *, may_mention_therapy: bool) -> str:
    """Return the whole body of a diary reminder: one sentence and the link.

    Neutral (rebond/lib/neutral.py) unless the address's owner allowed messages to say what
    they are about; never a name, never the other partner. In the active language.
    """
    if may_mention_therapy:
        sentence = _("A reminder from your therapist: your diary is open for today.")
    else:
        sentence = _("A reminder with your private link for today:")
    return f"{sentence}\n\n{link_url(token)}\n"


@task()
def send_diary_reminder(prompt_id: str, link_id: str, channel_ids: list[str]) -> int:
    """Mint the link's token and e-mail it to the addresses still safe now; return how many."""
    with transaction.atomic():
        prompt = DiaryPrompt.objects.select_for_update().filter(id=prompt_id, sent_at=None).first()
        link = (
            PrivateLink.objects.select_for_update()
            .select_related("partner__couple__clinic")
            .filter(id=link_id, revoked_at=None, first_used_at=None, expires_at__gt=now())
            .first()
        )
        if prompt is None or link is None or link.partner_id != prompt.partner_id:
            return 0
        couple = link.partner.couple
        offered = DiaryPlan.objects.filter(couple_id=couple.pk, offered=True).exists()
        if not offered or couple.status in Couple.INACTIVE_STATUSES:
            return 0
        channels = [
            channel
            for channel in channels_open_now(link.partner, now())
            if str(channel.id) in channel_ids
        ]
        if not channels:
            return 0
        token = new_token()
        link.token_hash = hash_token(token)
        link.sent_at = now()
        link.save(update_fields=["token_hash", "sent_at"])
        prompt.sent_at = link.sent_at
        prompt.save(update_fields=["sent_at"])
    # Sent after commit, so no database lock is held during SMTP. One message per address, so
    # no address learns of another.
    clinic = couple.clinic
    with translation.override(link.partner.preferred_language):
        messages = [
            client_email(
                clinic,
                _(SUBJECT),
                reminder_body(token, may_mention_therapy=channel.may_mention_therapy),
                [channel.value],  # encrypted: read through the model
                may_name_therapy=channel.may_mention_therapy,
            )
            for channel in channels
        ]
    return get_connection().send_messages(messages) or 0
