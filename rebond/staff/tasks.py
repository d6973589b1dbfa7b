"""Tell a clinician by e-mail that a clinic admin changed their roles, deactivated them,
reactivated them, or cancelled the invitation they were sent.

The e-mails name the clinic, the admin, the time (in the clinic's time zone) and the
clinician's roles; never a case, a couple or anything clinical (SECURITY.md DP-05). A message
to an address is all the person needs to notice a change they did not expect.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django_tasks import task

from rebond.accounts.mail import clinic_email
from rebond.accounts.models import User
from rebond.lib.clinic_time import clinic_clock

SUBJECTS = {
    "roles": "Your roles in Rebond have changed",
    "deactivated": "Your Rebond account has been deactivated",
    "reactivated": "Your Rebond account is active again",
    "invitation_cancelled": "Your invitation to Rebond was cancelled",
}


def message_body(kind: str, user: User, by: User, at: datetime) -> str:
    """Return the e-mail's text for one kind of change: who, when, what; nothing clinical."""
    clinic = user.clinic.name if user.clinic else "your clinic"
    when = clinic_clock(user.clinic, at)
    login = f"{settings.SITE_URL}{reverse('login')}"
    if kind == "roles":
        roles = ", ".join(role.label for role in user.roles)
        return (
            f"Hello {user.display_name},\n\n"
            f"{by.display_name} changed your roles at {clinic} on {when}.\n"
            f"Your roles are now: {roles}.\n\n"
            "If you did not expect this, speak to a clinic admin.\n"
        )
    if kind == "deactivated":
        return (
            f"Hello {user.display_name},\n\n"
            f"{by.display_name} deactivated your Rebond account at {clinic} on {when}.\n"
            "You can no longer log in: your open sessions have ended and your API tokens no "
            "longer work.\n\n"
            "If you did not expect this, speak to a clinic admin.\n"
        )
    if kind == "invitation_cancelled":
        return (
            f"Hello {user.display_name},\n\n"
            f"{by.display_name} cancelled your invitation to {clinic} on Rebond on {when}.\n"
            "The link you were sent no longer works.\n\n"
            "If you did not expect this, speak to a clinic admin.\n"
        )
    return (
        f"Hello {user.display_name},\n\n"
        f"{by.display_name} reactivated your Rebond account at {clinic} on {when}.\n"
        f"You can log in again with your password and your authenticator app: {login}\n"
    )


@task()
def tell_clinician(kind: str, user_id: str, by_id: str, at: str) -> int:
    """E-mail the clinician about a change of `kind`; return how many messages were sent."""
    user = User.objects.select_related("clinic").filter(pk=user_id).first()
    by = User.objects.filter(pk=by_id).first()
    if user is None or by is None or kind not in SUBJECTS:
        return 0
    body = message_body(kind, user, by, datetime.fromisoformat(at))
    message = clinic_email(user.clinic, SUBJECTS[kind], body, [user.email])
    return get_connection().send_messages([message]) or 0
