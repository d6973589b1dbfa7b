"""Background work for intake: telling the clinic that a request is waiting.

The e-mail says only that a request is waiting and where the inbox is: no name, no contact
details, no words from the request (DOMAIN.md 4.6 point 5; SECURITY.md canaries in e-mail).
Each clinician reads it in their own language (their choice, else the clinic's default).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django_tasks import task

from rebond.accounts.mail import clinic_email
from rebond.accounts.models import Clinic, User
from rebond.intake.models import ConsultationRequest

# Marked here, translated where sent: gettext(SUBJECT) in the reader's language.
SUBJECT = gettext_noop("A new consultation request is waiting in Rebond")


def notification_body() -> str:
    """Return the whole body of the notification, in the active language: a sentence and the
    inbox address."""
    inbox = settings.SITE_URL.rstrip("/") + reverse("inbox")
    sentence = gettext("A new consultation request is waiting in Rebond.")
    return f"{sentence}\n\n{inbox}\n"


@task()
def notify_clinic_of_request(request_id: str) -> int:
    """E-mail each clinician who triages the request's clinic; return how many were sent."""
    clinic_id = (
        ConsultationRequest.objects.filter(id=request_id, status=ConsultationRequest.Status.NEW)
        .values_list("clinic_id", flat=True)
        .first()
    )
    if clinic_id is None:
        return 0  # Already triaged or removed: nothing is waiting any more.
    recipients = (
        User.objects.filter(clinic_id=clinic_id, is_active=True)
        .filter(Q(is_therapist=True) | Q(is_clinic_admin=True))
        .select_related("clinic")
        .order_by("email")
    )
    # One message per clinician, so that no one learns a colleague's address from it, each in
    # its reader's language (a background task has none active: always say which).
    clinic = Clinic.objects.filter(id=clinic_id).first()
    messages = []
    for clinician in recipients:
        with translation.override(clinician.preferred_language):
            subject = gettext(SUBJECT)
            messages.append(clinic_email(clinic, subject, notification_body(), [clinician.email]))
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0
