"""Tell a clinician by e-mail that a clinic admin changed their roles, deactivated them,
reactivated them, or cancelled the invitation they were sent.

The e-mails name the clinic, the admin, the time (in the clinic's time zone) and the
clinician's roles; never a case, a couple or anything clinical (SECURITY.md DP-05). A message
to an address is all the person needs to notice a change they did not expect. Each is written
in the clinician's language (`User.preferred_language`).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from rebond.accounts.mail import clinic_email
from rebond.accounts.models import User
from rebond.lib.clinic_time import clinic_clock

SUBJECTS = {
    "roles": gettext_noop("Your roles in Rebond have changed"),
    "deactivated": gettext_noop("Your Rebond account has been deactivated"),
    "reactivated": gettext_noop("Your Rebond account is active again"),
    "invitation_cancelled": gettext_noop("Your invitation to Rebond was cancelled"),
}


def message_body(kind: str, user: User, by: User, at: datetime) -> str:
    """Return the e-mail's text for one kind of change: who, when, what; nothing clinical.

    In the active language (`tell_clinician` writes it in the clinician's).
    """
    values = {
        "name": user.display_name,
        "by": by.display_name,
        "clinic": user.clinic.name if user.clinic else _("your clinic"),
        "when": clinic_clock(user.clinic, at),
        "login": f"{settings.SITE_URL}{reverse('login')}",
        "roles": ", ".join(str(role.label) for role in user.roles),
    }
    hello = _("Hello %(name)s,") % values
    unexpected = _("If you did not expect this, speak to a clinic admin.")
    if kind == "roles":
        said = _("%(by)s changed your roles at %(clinic)s on %(when)s.") % values
        now_are = _("Your roles are now: %(roles)s.") % values
        return f"{hello}\n\n{said}\n{now_are}\n\n{unexpected}\n"
    if kind == "deactivated":
        said = _("%(by)s deactivated your Rebond account at %(clinic)s on %(when)s.") % values
        ended = _(
            "You can no longer log in: your open sessions have ended and your API tokens no"
            " longer work."
        )
        return f"{hello}\n\n{said}\n{ended}\n\n{unexpected}\n"
    if kind == "invitation_cancelled":
        said = _("%(by)s cancelled your invitation to %(clinic)s on Rebond on %(when)s.") % values
        ended = _("The link you were sent no longer works.")
        return f"{hello}\n\n{said}\n{ended}\n\n{unexpected}\n"
    said = _("%(by)s reactivated your Rebond account at %(clinic)s on %(when)s.") % values
    again = (
        _("You can log in again with your password and your authenticator app: %(login)s") % values
    )
    return f"{hello}\n\n{said}\n{again}\n"


@task()
def tell_clinician(kind: str, user_id: str, by_id: str, at: str) -> int:
    """E-mail the clinician about a change of `kind`; return how many messages were sent."""
    user = User.objects.select_related("clinic").filter(pk=user_id).first()
    by = User.objects.filter(pk=by_id).first()
    if user is None or by is None or kind not in SUBJECTS:
        return 0
    with translation.override(user.preferred_language):
        body = message_body(kind, user, by, datetime.fromisoformat(at))
        message = clinic_email(user.clinic, _(SUBJECTS[kind]), body, [user.email])
    return get_connection().send_messages([message]) or 0
