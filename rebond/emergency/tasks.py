"""Tell a case's clinicians that someone was given emergency access to one of their cases,
and ask a clinic's other admins and safety leads to approve an admin's grant to themselves.

The e-mails name the people and the time only: never the case, the couple or the reason,
which the clinicians read in Rebond after logging in (SECURITY.md DP-05). The time is the
clinic's, with its zone's abbreviation; replies go to the clinic's address for e-mails. Each
e-mail is written in its reader's language (`User.preferred_language`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from rebond import access
from rebond.accounts.mail import clinic_email
from rebond.emergency.models import EmergencyAccess
from rebond.lib.clinic_time import clinic_localtime

SUBJECT = gettext_noop("Emergency access to one of your cases")
APPROVAL_SUBJECT = gettext_noop("Emergency access waits for your approval")


def _until(grant: EmergencyAccess) -> str:
    """Return when the grant ends, as the clinic's clocks show it (e.g. "09 Mar 2026 18:30 PDT")."""
    local = clinic_localtime(grant.couple.clinic, grant.expires_at)
    return dateformat.format(local, "d M Y H:i T")


def message_body(grant: EmergencyAccess) -> str:
    """Return the e-mail's text: who, by whom, until when; nothing clinical (active language)."""
    gave = _("%(by)s gave %(name)s emergency access to one of your cases, until %(until)s.") % {
        "by": grant.granted_by.display_name,
        "name": grant.grantee.display_name,
        "until": _until(grant),
    }
    where = _("The case and the reason are recorded in Rebond; log in to read them.")
    return f"{gave}\n\n{where}\n"


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
    readers = {p.email: p for p in people if p.is_active and p.pk != grant.grantee_id}
    messages = []
    for address in sorted(readers):
        with translation.override(readers[address].preferred_language):
            body = message_body(grant)
            messages.append(clinic_email(couple.clinic, _(SUBJECT), body, [address]))
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
    url = f"{settings.SITE_URL}{reverse('emergency_access')}"
    messages = []
    for approver in approvers.select_related("clinic").order_by("email"):
        with translation.override(approver.preferred_language):
            asks = _(
                "%(name)s asks for emergency access to one case for themselves, until %(until)s."
                " It opens nothing until a second clinic admin or a safety lead approves it."
            ) % {"name": grant.grantee.display_name, "until": _until(grant)}
            where = _("The case and the reason are in Rebond: %(url)s") % {"url": url}
            body = f"{asks}\n\n{where}\n"
            messages.append(
                clinic_email(grant.couple.clinic, _(APPROVAL_SUBJECT), body, [approver.email])
            )
    return get_connection().send_messages(messages) or 0
