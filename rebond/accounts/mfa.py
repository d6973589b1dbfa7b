"""Clinicians' second factor: TOTP codes, recovery codes, and the session's verified state.

SECURITY.md AU-01, AU-02, SE-01, SE-06. Every clinician logs in with a password *and* a code:
a 6-digit TOTP code (RFC 6238, 30-second steps, computed by `pyotp`) from an authenticator
app, or, when the app is lost, one of ten single-use recovery codes.

- A code is accepted for the current step and one step either side (clock skew), and only
  once: the step is recorded in `UsedTOTPStep` under a unique constraint, so two worker
  processes, or two servers on one database, cannot both accept it. A step at or before the
  last one used is refused too (ASVS 6.5.1, 6.5.5).
- Recovery codes are stored as keyed hashes (HMAC-SHA256 under SECRET_KEY, or one of
  SECRET_KEY_FALLBACKS while a key is being rotated), never in the clear, and shown once.
- Failed codes count against the login throttle (rebond/accounts/throttle.py) under their
  own per-clinician key, with the same cool-off.
- The session remembers that its second factor is done (for this user) and when the clinician
  last proved both factors; `recent_authentication_required` (rebond/accounts/stepup.py)
  asks again before sensitive actions.
"""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pyotp
import segno
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.timezone import now
from django.utils.translation import gettext

from rebond import audit
from rebond.accounts.models import Passkey, RecoveryCode, TOTPDevice, UsedTOTPStep, User

ISSUER = "Rebond"
STEP_SECONDS = 30
DIGITS = 6
# Steps accepted either side of the current one, for a phone whose clock is a little off.
SKEW_STEPS = 1
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: a recovery code is copied by hand from paper. 12 characters of 31: 59 bits.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_GROUPS = 3
_RECOVERY_GROUP_LENGTH = 4
_RECOVERY_SALT = "rebond.accounts.mfa.recovery-code"
SESSION_KEY = "rebond.second_factor"
_TOTP_CODE = re.compile(rf"\d{{{DIGITS}}}")


# --- TOTP -----------------------------------------------------------------------------------
def new_secret() -> str:
    """Return a fresh base32 TOTP seed of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(length=32)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def step_at(at: datetime | None = None) -> int:
    """Return the TOTP time step (30-second count since the Unix epoch) at `at` (now)."""
    return int((at or now()).timestamp()) // STEP_SECONDS


def code_for_step(secret: str, step: int) -> str:
    """Return the code an authenticator app with `secret` shows during `step`."""
    return _totp(secret).generate_otp(step)


def current_code(secret: str) -> str:
    """Return the code for now (the demo's `rebond demo --code`, and tests)."""
    return code_for_step(secret, step_at())


def provisioning_uri(device: TOTPDevice) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    return _totp(device.secret).provisioning_uri(name=device.user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """Return an inline SVG QR code of `uri`: presentation attributes only, no style or script,
    so it renders under the strict Content-Security-Policy."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code", lineclass=None
    )
    label = escape(gettext("QR code for your authenticator app"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def normalise_code(code: str) -> str:
    """Drop the spaces and dashes people type or paste with a code; lower-case it."""
    return re.sub(r"[\s-]", "", code).lower()


def looks_like_totp(code: str) -> bool:
    return bool(_TOTP_CODE.fullmatch(normalise_code(code)))


def check_totp(user: User, secret: str, code: str, at: datetime | None = None) -> bool:
    """Return True if `code` is valid now for `secret` and was not used before; record it.

    The matching step is claimed in the database before True is returned, so the same code
    (or any code of an earlier step) is refused from then on, by every process.
    """
    code = normalise_code(code)
    if not _TOTP_CODE.fullmatch(code):
        return False
    current = step_at(at)
    for step in range(current - SKEW_STEPS, current + SKEW_STEPS + 1):
        if hmac.compare_digest(code_for_step(secret, step), code):
            return _claim_step(user, step)
    return False


def _claim_step(user: User, step: int) -> bool:
    """Record that `user` used `step`; return False if it, or a later step, was used already."""
    try:
        with transaction.atomic():
            if UsedTOTPStep.objects.filter(user=user, step__gte=step).exists():
                return False
            # Two processes that both passed the check above: the constraint lets one insert.
            UsedTOTPStep.objects.create(user=user, step=step)
    except IntegrityError:
        return False
    # Only the latest step matters from now on ("at or before the last used" is refused).
    UsedTOTPStep.objects.filter(user=user, step__lt=step).delete()
    return True


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def device_being_enrolled(user: User) -> TOTPDevice:
    """Return the clinician's unconfirmed device, creating it with a fresh seed if needed.

    The seed stays the same until it is confirmed, so reloading the page does not invalidate
    what the clinician has already scanned.
    """
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"secret": new_secret()})
    return device


@transaction.atomic
def confirm_device(device: TOTPDevice) -> list[str]:
    """Activate an enrolled device; return its first recovery codes (to show once)."""
    device.confirmed = True
    device.confirmed_at = now()
    device.save(update_fields=["confirmed", "confirmed_at"])
    codes = _replace_recovery_codes(device.user)
    log(device.user, "accounts.mfa.enrol", device)
    return codes


@transaction.atomic
def reset_device(user: User) -> None:
    """Remove the clinician's authenticator app and recovery codes; they enrol anew."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    log(user, "accounts.mfa.reset", user)


@transaction.atomic
def reset_colleagues_device(admin: User, colleague_id: uuid.UUID | str, reason: str) -> User:
    """A clinic admin removes a colleague's lost authenticator app, recovery codes and
    passkeys, and ends the colleague's sessions: at their next login (password) they enrol a
    new app. Audited
    with the admin's reason; the colleague is e-mailed (without the reason). Return them.

    The colleague is found through the access gateway (same clinic only, else Http404). An
    admin resets their own app from their own two-factor page instead (ValueError here).
    """
    from rebond import access
    from rebond.accounts import sessions
    from rebond.accounts.tasks import send_second_factor_reset_notice

    colleague = access.get_clinician_for_admin(admin, colleague_id)
    if colleague.pk == admin.pk:
        raise ValueError("An admin resets their own second factor from their two-factor page.")
    TOTPDevice.objects.filter(user=colleague).delete()
    RecoveryCode.objects.filter(user=colleague).delete()
    # Their passkeys too: whoever holds the lost phone (or laptop) may hold one, and the
    # colleague re-enrols from nothing; they add passkeys again from their own page.
    Passkey.objects.filter(user=colleague).delete()
    audit.log(
        actor=admin,
        action="accounts.mfa.admin_reset",
        obj=colleague,
        clinic_id=colleague.clinic_id,
        reason=reason,
    )
    sessions.end_sessions(colleague)
    transaction.on_commit(
        partial(send_second_factor_reset_notice.enqueue, str(colleague.pk), str(admin.pk))
    )
    return colleague


# --- Recovery codes -------------------------------------------------------------------------
def _recovery_hashes(code: str) -> list[str]:
    """Return the keyed hashes of a recovery code under SECRET_KEY and each fallback key."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    value = normalise_code(code)
    return [
        salted_hmac(_RECOVERY_SALT, value, secret=key, algorithm="sha256").hexdigest()
        for key in keys
    ]


def _new_recovery_code() -> str:
    groups = (
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
        for _ in range(_RECOVERY_GROUPS)
    )
    return "-".join(groups)


def _replace_recovery_codes(user: User) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_recovery_hashes(code)[0]) for code in codes
    )
    return codes


@transaction.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    """Replace the clinician's recovery codes (the old ones stop working); return the new."""
    codes = _replace_recovery_codes(user)
    log(user, "accounts.mfa.recovery_codes_regenerate", user)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one of the clinician's unused recovery codes; return False if there is none."""
    spent = RecoveryCode.objects.filter(
        user=user, code_hash__in=_recovery_hashes(code), used_at__isnull=True
    ).update(used_at=now())
    return spent == 1


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def check_second_factor(user: User, code: str) -> str | None:
    """Check a TOTP or recovery code; return which kind succeeded ("totp", "recovery") or None."""
    device = confirmed_device(user)
    if device is None:
        return None
    if looks_like_totp(code):
        return "totp" if check_totp(user, device.secret, code) else None
    return "recovery" if use_recovery_code(user, code) else None


# --- The session ----------------------------------------------------------------------------
def mark_session_verified(session: SessionBase, user: User, at: datetime | None = None) -> None:
    """Record in `session` that `user` completed both factors at `at` (now).

    The login views call it through `complete_second_factor`; `rebond.test.sign_in` calls it
    directly on a test client's session.
    """
    moment = (at or now()).isoformat()
    session[SESSION_KEY] = {"user": str(user.pk), "verified_at": moment, "authenticated_at": moment}


def complete_second_factor(request: HttpRequest, user: User) -> None:
    """Give the now fully logged-in clinician a new session key (SE-01), then mark it verified."""
    request.session.cycle_key()
    mark_session_verified(request.session, user)


def _state(session: SessionBase, user: Any) -> dict[str, str] | None:
    state = session.get(SESSION_KEY)
    if isinstance(state, dict) and state.get("user") == str(getattr(user, "pk", "")):
        return state
    return None


def is_session_verified(request: HttpRequest) -> bool:
    """Return True if this session's logged-in clinician has completed the second factor."""
    return _state(request.session, request.user) is not None


def last_authenticated_at(request: HttpRequest) -> datetime | None:
    """Return when the clinician last proved both factors in this session (login or step-up)."""
    state = _state(request.session, request.user)
    if state is None:
        return None
    try:
        return datetime.fromisoformat(state["authenticated_at"])
    except (KeyError, ValueError):
        return None


def authenticated_within(request: HttpRequest, max_age: timedelta) -> bool:
    at = last_authenticated_at(request)
    return at is not None and now() - at <= max_age


def mark_reauthenticated(request: HttpRequest) -> None:
    state = _state(request.session, request.user)
    if state is not None:
        request.session[SESSION_KEY] = {**state, "authenticated_at": now().isoformat()}


def forget_second_factor(session: SessionBase) -> None:
    """Drop the verified state (at every new login, and when the device is reset)."""
    session.pop(SESSION_KEY, None)


def forget_on_login(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """A password login (user_logged_in) starts without a second factor, whatever came before."""
    if request is not None and hasattr(request, "session"):
        forget_second_factor(request.session)


# --- Audit ----------------------------------------------------------------------------------
def log(user: User, action: str, obj: Any = None) -> None:
    """Write an authentication audit entry (LG-02): ids and the action, never a code or seed."""
    with transaction.atomic():
        audit.log(actor=user, action=action, obj=obj, clinic_id=user.clinic_id)
