"""A clinician's password: reset by e-mail when forgotten, changed from the account page
(SECURITY.md AU-06, AU-07; ASVS 6.3.8, 6.4.3, 7.4.3; issue 16 item 4).

Reset by e-mail, step by step:

1. The "Forgot your password?" page takes an address and answers the same for every address,
   known or not (`request_reset`): it looks the address up (one indexed query either way),
   counts the request against the throttle, and hands the rest to a background task, so the
   request does the same work, and takes the same time, whoever the address belongs to.
2. The task (`rebond.accounts.tasks.send_password_reset`) e-mails a link only to an account
   that may reset: active, with a usable password and a confirmed second factor. A
   deactivated clinician, or one invited who has not finished enrolling, gets nothing (the
   refusal is audited); an unknown address gets nothing either.
3. The link holds Django's PasswordResetTokenGenerator token: a keyed hash over the account's
   password hash, last login and the time it was made. Setting a new password (or logging in)
   spends it; it expires after settings.PASSWORD_RESET_TIMEOUT (30 minutes).
4. Opening the link swaps the token for the session and redirects to an address without it
   (Django's PasswordResetConfirmView), so it never reaches a Referer; the logs redact it
   (rebond/lib/logs.py).
5. The new password signs the clinician in with the password only: the second factor is still
   asked for before any page (SecondFactorMiddleware). Every other session ends, and browsers
   trusted for the account are no longer (their cookie is bound to the password hash,
   rebond/accounts/devices.py). The clinician is e-mailed that the password changed.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from rebond import audit
from rebond.accounts import mfa, sessions, throttle
from rebond.accounts.models import LoginAttempt, User

# The throttle counts reset requests under keys of their own, apart from login failures.
_THROTTLE_PREFIX = "password-reset:"
_CHANGE_THROTTLE_PREFIX = "password-change:"


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token under Rebond's own salt, valid for PASSWORD_RESET_TIMEOUT."""

    key_salt = "rebond.accounts.passwords.ResetTokenGenerator"


reset_tokens = ResetTokenGenerator()


def reset_refusal(user: User) -> str:
    """Return why `user` may not reset their password by e-mail, or "" if they may."""
    if not user.is_active:
        return "deactivated"
    if not user.has_usable_password() or not mfa.has_confirmed_device(user):
        # Invited and not yet enrolled (or enrolment half done): the invitation is their way
        # in. A reset must never let someone in past a missing second factor.
        return "not enrolled"
    return ""


def reset_path(user: User) -> str:
    """Return the path of a fresh reset link for `user` (it holds the token)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = reset_tokens.make_token(user)
    return reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def request_reset(request: HttpRequest, address: str) -> None:
    """Count a reset request and hand it to the background task, the same for every address.

    Raise throttle.Throttled when the address or the client must wait first (nothing is sent).
    """
    from rebond.accounts.tasks import send_password_reset

    address = address.strip().lower()
    throttle.begin(_THROTTLE_PREFIX + address, throttle.client_ip(request))
    # One indexed lookup whether or not the address is known; the task decides the rest.
    user_id = User.objects.filter(email=address).values_list("id", flat=True).first()
    transaction.on_commit(partial(send_password_reset.enqueue, str(user_id or "")))


def log(user: User, action: str, *, actor: User | None = None, reason: str = "") -> None:
    """Write the audit entry of an account change (LG-02): ids and the action, no password."""
    with transaction.atomic():
        audit.log(
            actor=actor or user, action=action, obj=user, clinic_id=user.clinic_id, reason=reason
        )


def _after_change(user: User, *, keep_session: str | None, how: str) -> int:
    """End the clinician's other sessions and tell them by e-mail; return sessions ended."""
    from rebond.accounts.tasks import send_password_changed_notice

    ended = sessions.end_sessions(user, keep=keep_session)
    transaction.on_commit(partial(send_password_changed_notice.enqueue, str(user.pk), how))
    return ended


def finish_reset(request: HttpRequest, user: User) -> int:
    """After a reset (the new password is saved and this browser signed in with it): end every
    other session, audit, e-mail. Return how many sessions ended."""
    log(user, "accounts.password_reset.complete")
    return _after_change(user, keep_session=request.session.session_key, how="reset")


def begin_change(request: HttpRequest, user: User) -> LoginAttempt:
    """Count an attempt at the current password on the account page (a stolen session must
    not guess it freely); raise throttle.Throttled when it must wait. Return the attempt."""
    return throttle.begin(_CHANGE_THROTTLE_PREFIX + str(user.pk), throttle.client_ip(request))


@transaction.atomic
def change_password(request: HttpRequest, user: User, new_password: str) -> int:
    """Set the clinician's new password (the current one was checked), keep this session,
    end the others, audit, e-mail. Return how many other sessions ended."""
    from django.contrib.auth import update_session_auth_hash

    user.set_password(new_password)
    user.save(update_fields=["password"])
    # This browser stays signed in (its session hash follows the new password) and, having
    # proved both factors, keeps its second factor done.
    update_session_auth_hash(request, user)
    log(user, "accounts.password_change")
    return _after_change(user, keep_session=request.session.session_key, how="change")
