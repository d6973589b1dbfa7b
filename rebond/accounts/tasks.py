"""E-mails about a clinician's own account: a password reset link, a password changed, a second
factor reset by a clinic admin. Sent by the worker, so a reset request takes the same time
whatever address was typed (rebond/accounts/passwords.py).

They name the account, the clinic and the time (in the clinic's time zone), never anything
clinical, and never the reason an admin gave (that stays in the audit trail). Each is written
in the clinician's language (`User.preferred_language`): a task runs with none active.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django_tasks import task

from rebond import audit
from rebond.accounts import passwords
from rebond.accounts.mail import clinic_email
from rebond.accounts.models import User
from rebond.lib.clinic_time import clinic_clock

RESET_SUBJECT = gettext_noop("Reset your Rebond password")
CHANGED_SUBJECT = gettext_noop("Your Rebond password was changed")
SECOND_FACTOR_SUBJECT = gettext_noop("Your Rebond two-factor login was reset")


def clinic_time(user: User, moment: datetime | None = None) -> str:
    """Return `moment` (now) as the clinician's clinic reads clocks, e.g. "3 Mar 2027 14:05 GMT"."""
    return clinic_clock(user.clinic, moment or now())


def _send(subject: str, body: str, user: User) -> int:
    message = clinic_email(user.clinic, subject, body, [user.email])
    return get_connection().send_messages([message]) or 0


def reset_body(user: User, link: str) -> str:
    """Return the reset e-mail's text in the active language."""
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    if user.clinic is not None:
        asked = _("Someone asked to reset the password of your Rebond account at %(clinic)s.") % {
            "clinic": user.clinic.name
        }
    else:
        asked = _("Someone asked to reset the password of your Rebond account.")
    within = ngettext(
        "To choose a new password, open this link within %(minutes)s minute. It works once:",
        "To choose a new password, open this link within %(minutes)s minutes. It works once:",
        minutes,
    ) % {"minutes": minutes}
    paragraphs = [
        asked,
        within,
        link,
        _("You will still need the code from your authenticator app to log in."),
        _("If you did not ask for this, ignore this e-mail: your password stays as it is."),
    ]
    return "\n\n".join(paragraphs) + "\n"


@task()
def send_password_reset(user_id: str) -> int:
    """E-mail a reset link to the account, if it may reset; return how many were sent.

    `user_id` is "" when the address typed belongs to no account: nothing is sent, as for an
    account that may not reset (audited with why).
    """
    user = User.objects.select_related("clinic").filter(pk=user_id).first() if user_id else None
    if user is None:
        return 0
    refusal = passwords.reset_refusal(user)
    with transaction.atomic():
        # Whoever typed the address is not known: the entry names the account, by "public".
        audit.log(
            actor=None,
            action="accounts.password_reset.refused" if refusal else "accounts.password_reset.sent",
            obj=user,
            clinic_id=user.clinic_id,
            reason=refusal,
        )
    if refusal:
        return 0
    link = settings.SITE_URL.rstrip("/") + passwords.reset_path(user)
    with translation.override(user.preferred_language):
        return _send(_(RESET_SUBJECT), reset_body(user, link), user)


def changed_body(user: User, how: str) -> str:
    """Return the text of the e-mail saying the password changed, in the active language."""
    values = {"clinic": user.clinic.name if user.clinic else "", "time": clinic_time(user)}
    if how == "reset" and user.clinic is not None:
        done = _(
            "The password of your Rebond account at %(clinic)s was reset with a link sent to"
            " this address on %(time)s. Every other browser signed in to your account was"
            " logged out."
        )
    elif how == "reset":
        done = _(
            "The password of your Rebond account was reset with a link sent to this address on"
            " %(time)s. Every other browser signed in to your account was logged out."
        )
    elif user.clinic is not None:
        done = _(
            "The password of your Rebond account at %(clinic)s was changed from your account"
            " page on %(time)s. Every other browser signed in to your account was logged out."
        )
    else:
        done = _(
            "The password of your Rebond account was changed from your account page on"
            " %(time)s. Every other browser signed in to your account was logged out."
        )
    forgot = settings.SITE_URL.rstrip("/") + reverse("password_reset")
    paragraphs = [
        done % values,
        _("If this was not you, reset your password now and tell your clinic admin at once:"),
        forgot,
    ]
    return "\n\n".join(paragraphs) + "\n"


@task()
def send_password_changed_notice(user_id: str, how: str) -> int:
    """Tell the clinician their password was reset ("reset") or changed ("change")."""
    user = User.objects.select_related("clinic").filter(pk=user_id).first()
    if user is None:
        return 0
    with translation.override(user.preferred_language):
        return _send(_(CHANGED_SUBJECT), changed_body(user, how), user)


def second_factor_reset_body(user: User, admin: User) -> str:
    """Return the text of the e-mail saying an admin reset the second factor (active language)."""
    values = {
        "admin": admin.display_name,
        "clinic": user.clinic.name if user.clinic else "",
        "time": clinic_time(user),
    }
    if user.clinic is not None:
        done = _(
            "%(admin)s, a clinic admin at %(clinic)s, reset the two-factor login of your Rebond"
            " account on %(time)s. Your authenticator app and recovery codes no longer work, and"
            " you were logged out everywhere."
        )
    else:
        done = _(
            "%(admin)s, a clinic admin, reset the two-factor login of your Rebond account on"
            " %(time)s. Your authenticator app and recovery codes no longer work, and you were"
            " logged out everywhere."
        )
    paragraphs = [
        done % values,
        _("Next time you log in, you will set up your authenticator app again."),
        _("If you did not ask for this, tell %(admin)s or another clinic admin at once.") % values,
    ]
    return "\n\n".join(paragraphs) + "\n"


@task()
def send_second_factor_reset_notice(user_id: str, admin_id: str) -> int:
    """Tell a clinician that a clinic admin reset their second factor."""
    user = User.objects.select_related("clinic").filter(pk=user_id).first()
    admin = User.objects.filter(pk=admin_id).first()
    if user is None or admin is None:
        return 0
    with translation.override(user.preferred_language):
        return _send(_(SECOND_FACTOR_SUBJECT), second_factor_reset_body(user, admin), user)
