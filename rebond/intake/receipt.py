"""The receipt of a request, kept in the session of the browser that sent it.

After sending the public form, that browser (and no other) is thanked, and may choose a time
for a free consultation (rebond/appointments/consultation_views.py), for RECEIPT_WINDOW:
whoever picks up the device later must not find it (issue 15 C13). The session holds ids and a
time only; what was typed stays in the encrypted request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils.timezone import now

from rebond.accounts.models import Clinic
from rebond.intake import access
from rebond.intake.models import ConsultationRequest

RECEIPT_WINDOW = timedelta(minutes=30)
SENT_KEY = "rebond.intake.sent"


@dataclass(frozen=True)
class Receipt:
    """This browser just sent a request to this clinic.

    `request` is None for a submission that was dropped (the honeypot was filled): it looks
    accepted, but nothing was stored, so nothing can be booked for it.
    """

    request: ConsultationRequest | None


def remember_sent(request: HttpRequest, clinic: Clinic, sent: ConsultationRequest | None) -> None:
    """Keep, in this browser's session, that it has just sent `sent` to the clinic."""
    request.session[SENT_KEY] = {
        "clinic": str(clinic.id),
        "request": str(sent.id) if sent is not None else "",
        "at": now().isoformat(),
    }


def receipt_for(request: HttpRequest, clinic: Clinic) -> Receipt | None:
    """Return this browser's receipt of a request to this clinic sent within the window."""
    sent = request.session.get(SENT_KEY) or {}
    try:
        at = datetime.fromisoformat(str(sent["at"]))
        is_recent = sent["clinic"] == str(clinic.id) and now() - at <= RECEIPT_WINDOW
        request_id = str(sent["request"])
    except (KeyError, TypeError, ValueError):
        return None
    if not is_recent:
        return None
    return Receipt(access.request_sent_by_this_browser(clinic, request_id) if request_id else None)
