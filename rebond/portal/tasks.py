"""Background delivery of private links.

The task mints the token itself, stores only its hash, and puts the raw token in the e-mail
alone: it never reaches the database or the task queue. Subject and body are neutral: no
names, no practice specialty, nothing about the other partner (DOMAIN.md 4.6 point 5). Replies
go to the clinic's address for e-mails when it set a neutral one (accounts.mail.client_email).
Each partner reads it in their own language (else the clinic's default): the two partners of a
couple may read different ones.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext, gettext_noop
from django_tasks import task

from rebond.accounts.mail import client_email
from rebond.couples.models import ContactChannel
from rebond.portal.models import PrivateLink, hash_token, new_token

# Marked here, translated where sent: gettext(SUBJECT) in the reader's language.
SUBJECT = gettext_noop("A message from your practice")


def link_url(token: str) -> str:
    """Return the absolute address of a private link."""
    return settings.SITE_URL.rstrip("/") + reverse("portal:open_link", kwargs={"token": token})


def invitation_body(token: str) -> str:
    """Return the whole body of an invitation, in the active language: one neutral sentence
    and the link."""
    sentence = gettext("Your practice has sent you a private link:")
    return f"{sentence}\n\n{link_url(token)}\n"


@task()
def send_invitation(link_id: str) -> int:
    """Mint the link's token and e-mail it to the partner's safe addresses; return how many."""
    with transaction.atomic():
        link = (
            PrivateLink.objects.select_for_update()
            .select_related("partner__couple__clinic")
            .filter(id=link_id, revoked_at=None, first_used_at=None, expires_at__gt=now())
            .first()
        )
        if link is None:
            return 0  # Revoked, replaced or already used: there is nothing to deliver.
        # Checked again at delivery time: the partner may have withdrawn a channel since.
        recipients = [
            channel.value  # encrypted: read through the model, never values_list()
            for channel in ContactChannel.objects.filter(
                partner_id=link.partner_id,
                kind=ContactChannel.Kind.EMAIL,
                safe_to_contact=True,
            ).order_by("created_at")
        ]
        if not recipients:
            return 0
        token = new_token()
        link.token_hash = hash_token(token)
        link.sent_at = now()
        link.save(update_fields=["token_hash", "sent_at"])
    # Sent after commit, so no database lock is held during SMTP. If sending fails, the stored
    # hash matches a token nobody received, and a retry of the task mints a new one.
    # In the partner's own language: a background task has none active, so always say which.
    clinic = link.partner.couple.clinic
    with translation.override(link.partner.preferred_language):
        subject, body = gettext(SUBJECT), invitation_body(token)
    # One message per address, so no address learns of another.
    messages = [client_email(clinic, subject, body, [address]) for address in recipients]
    return get_connection().send_messages(messages) or 0
