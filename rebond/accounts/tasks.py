"""E-mails about a clinician's own account: a password reset link, a password changed, a second
factor reset by a clinic admin. Sent by the worker, so a reset request takes the same time
whatever address was typed (rebond/accounts/passwords.py).

They name the account, the clinic and the time (in the clinic's time zone), never anything
clinical, and never the reason an admin gave (that stays in the audit trail).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils.timezone import now
from django_tasks import task

from rebond import audit
from rebond.accounts import passwords
from rebond.accounts.mail import clinic_email
from rebond.accounts.models import User
from rebond.lib.clinic_time import clinic_clock

RESET_SUBJECT = "Reset your Rebond password"
CHANGED_SUBJECT = "Your Rebond password was changed"
SECOND_FACTOR_SUBJECT = "Your Rebond two-factor login was reset"


def clinic_time(user: User, moment: datetime | None = None) -> str:
    """Return `moment` (now) as the clinician's clinic reads clocks, e.g. "3 Mar 2027 14:05 GMT"."""
    return clinic_clock(user.clinic, moment or now())


def _clinic_of(user: User) -> str:
    return f" at {user.clinic.name}" if user.clinic is not None else ""


def _send(subject: str, body: str, user: User) -> int:
    message = clinic_email(user.clinic, subject, body, [user.email])
    return get_connection().send_messages([message]) or 0


def reset_body(user: User, link: str) -> str:
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    return (
        f"Someone asked to reset the password of your Rebond account{_clinic_of(user)}.\n\n"
        f"To choose a new password, open this link within {minutes} minutes. It works once:\n\n"
        f"{link}\n\n"
        "You will still need the code from your authenticator app to log in.\n\n"
        "If you did not ask for this, ignore this e-mail: your password stays as it is.\n"
    )


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
    return _send(RESET_SUBJECT, reset_body(user, link), user)


def changed_body(user: User, how: str) -> str:
    done = (
        "reset with a link sent to this address"
        if how == "reset"
        else "changed from your account page"
    )
    forgot = settings.SITE_URL.rstrip("/") + reverse("password_reset")
    return (
        f"The password of your Rebond account{_clinic_of(user)} was {done} on "
        f"{clinic_time(user)}. Every other browser signed in to your account was logged out.\n\n"
        "If this was not you, reset your password now and tell your clinic admin at once:\n\n"
        f"{forgot}\n"
    )


@task()
def send_password_changed_notice(user_id: str, how: str) -> int:
    """Tell the clinician their password was reset ("reset") or changed ("change")."""
    user = User.objects.select_related("clinic").filter(pk=user_id).first()
    if user is None:
        return 0
    return _send(CHANGED_SUBJECT, changed_body(user, how), user)


def second_factor_reset_body(user: User, admin: User) -> str:
    return (
        f"{admin.display_name}, a clinic admin{_clinic_of(user)}, reset the two-factor login of"
        f" your Rebond account on {clinic_time(user)}. Your authenticator app and recovery codes"
        " no longer work, and you were logged out everywhere.\n\n"
        "Next time you log in, you will set up your authenticator app again.\n\n"
        f"If you did not ask for this, tell {admin.display_name} or another clinic admin at once.\n"
    )


@task()
def send_second_factor_reset_notice(user_id: str, admin_id: str) -> int:
    """Tell a clinician that a clinic admin reset their second factor."""
    user = User.objects.select_related("clinic").filter(pk=user_id).first()
    admin = User.objects.filter(pk=admin_id).first()
    if user is None or admin is None:
        return 0
    return _send(SECOND_FACTOR_SUBJECT, second_factor_reset_body(user, admin), user)
