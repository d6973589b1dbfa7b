"""Tell a case's clinicians that someone was given emergency access to one of their cases,
and ask a clinic's other admins and safety leads to approve an admin's grant to themselves.

The e-mails name the people and the time only: never the case, the couple or the reason,
which the clinicians read in Rebond after logging in (SECURITY.md DP-05). The time is the
clinic's, with its zone's abbreviation; replies go to the clinic's address for e-mails.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django_tasks import task

from rebond import access
from rebond.accounts.mail import clinic_email
from rebond.emergency.models import EmergencyAccess
from rebond.lib.clinic_time import clinic_localtime

SUBJECT = "Emergency access to one of your cases"
APPROVAL_SUBJECT = "Emergency access waits for your approval"


def _until(grant: EmergencyAccess) -> str:
    """Return when the grant ends, as the clinic's clocks show it (e.g. "09 Mar 2026 18:30 PDT")."""
    return clinic_localtime(grant.couple.clinic, grant.expires_at).strftime("%d %b %Y %H:%M %Z")


def message_body(grant: EmergencyAccess) -> str:
    """Return the e-mail's text: who, by whom, until when; nothing clinical."""
    until = _until(grant)
    return (
        f"{grant.granted_by.display_name} gave {grant.grantee.display_name} emergency access "
        f"to one of your cases, until {until}.\n\n"
        "The case and the reason are recorded in Rebond; log in to read them.\n"
    )


@task()
def tell_case_clinicians(grant_id: str) -> int:
    """E-mail each clinician of the grant's case; return how many messages were sent."""
    grant = (
        EmergencyAccess.objects.select_related("couple__clinic", "grantee", "granted_by")
        .filter(id=grant_id)
        .first()
    )
    if grant is None:
        return 0
    couple = grant.couple
    people = [member.clinician for member in access.case_team(couple)]
    addresses = sorted({p.email for p in people if p.is_active and p.pk != grant.grantee_id})
    body = message_body(grant)
    clinic = couple.clinic
    messages = [clinic_email(clinic, SUBJECT, body, [address]) for address in addresses]
    return get_connection().send_messages(messages) or 0


@task()
def ask_for_approval(grant_id: str) -> int:
    """E-mail the clinic's other admins and safety leads that a self-grant waits for them."""
    grant = (
        EmergencyAccess.objects.select_related("couple__clinic", "grantee")
        .filter(id=grant_id)
        .first()
    )
    if grant is None:
        return 0
    approvers = access.settings_deciders(grant.couple.clinic_id, safety_leads_too=True).exclude(
        pk=grant.grantee_id
    )
    until = _until(grant)
    body = (
        f"{grant.grantee.display_name} asks for emergency access to one case for themselves,"
        f" until {until}. It opens nothing until a second clinic admin or a safety lead"
        " approves it.\n\n"
        f"The case and the reason are in Rebond: {settings.SITE_URL}{reverse('emergency_access')}\n"
    )
    messages = [
        clinic_email(grant.couple.clinic, APPROVAL_SUBJECT, body, [address])
        for address in sorted(approvers.values_list("email", flat=True))
    ]
    return get_connection().send_messages(messages) or 0
