"""E-mails Rebond sends about a clinic: from the server's address, replies to the clinic's.

The From address stays the server's (DEFAULT_FROM_EMAIL: it is the one the mail server may
send as); a clinic that set an address for e-mails on its settings page gets the replies.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from rebond.accounts.models import Clinic
from rebond.lib.neutral import therapy_words


def reply_to_of(clinic: Clinic | None) -> list[str]:
    """Return the Reply-To addresses of e-mails about `clinic` (none if it set none)."""
    if clinic is None or not clinic.reply_to_email:
        return []
    return [clinic.reply_to_email]


def clinic_email(
    clinic: Clinic | None,
    subject: str,
    body: str,
    to: list[str],
    *,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """Return an e-mail about `clinic` to `to`, with the clinic's Reply-To when it has one."""
    return EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        to,
        reply_to=reply_to_of(clinic),
        headers=headers,
    )


def client_email(
    clinic: Clinic | None,
    subject: str,
    body: str,
    to: list[str],
    *,
    may_name_therapy: bool = False,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """Return an e-mail to a client (a partner or a requester) about `clinic`.

    The clinic's Reply-To is asked to be neutral; one that is not (say
    info@couplestherapy.example) would name the therapy in the headers of a neutral message,
    so it is left out unless the person allowed messages to say what they are about.
    """
    named = clinic is not None and (may_name_therapy or not therapy_words(clinic.reply_to_email))
    return clinic_email(clinic if named else None, subject, body, to, headers=headers)
