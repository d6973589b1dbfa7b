"""Passkeys (WebAuthn) as a second factor beside the authenticator app (issue 16, item 7).

A clinician keeps the authenticator app (enrolment, recovery codes and resets go through it,
rebond/accounts/mfa.py) and may add passkeys on the two-factor settings page. After the
password, either a code from the app or a passkey completes the login; at step-up
(rebond/accounts/stepup.py) the password and either of them. The server side is py_webauthn;
the browser side is the static accounts/passkeys.js.

- The relying party is the address in settings.SITE_URL: its host is the RP id, its scheme,
  host and port the one origin accepted. Browsers refuse an IP address as RP id, so under
  `make run`'s default http://127.0.0.1:8000 passkeys are unavailable (the settings page says
  so); http://localhost:8000 works, as does https://<name> in production.
- Each ceremony's challenge is made here, kept server-side in the session with its purpose,
  its clinician and an expiry of CHALLENGE_SECONDS, and taken out of the session (single use)
  by the first attempt to verify against it, whatever its outcome.
- User verification is preferred, not required: the passkey is the second factor after the
  password, as the app's code is.
- An assertion whose signature counter does not go up while the authenticator counts is
  refused and audited as a possible copy of the authenticator (WebAuthn 7.2 step 21). The
  counter is checked after the signature, so an unsigned claim cannot raise that alarm.
- Every registration, use, failure and removal is audited; failures at login and step-up
  count against the same throttle as wrong codes (the views call rebond/accounts/throttle.py).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, generate_challenge
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from rebond.accounts import mfa
from rebond.accounts.models import Passkey, User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RP_NAME = "Rebond"
# How long a challenge may be answered: the browser is given the same time for its dialog.
CHALLENGE_SECONDS = 120
SESSION_KEY = "rebond.passkey_challenge"
REGISTER = "register"
AUTHENTICATE = "authenticate"
# WebAuthn Level 3, 7.1 step 22: longer credential ids are refused.
MAX_CREDENTIAL_ID_BYTES = 1023
# A clinician's devices, not a collection: enough for a laptop, a phone and a few keys.
MAX_PASSKEYS = 10
_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}

NOT_VERIFIED = _("The passkey could not be checked. Try again, or use the code from your app.")
EXPIRED = _("The passkey request took too long or was already used. Please try again.")
UNKNOWN = _("That passkey is not set up for your account. Use the code from your app instead.")
TOO_MANY = _("You have %(count)s passkeys, the most Rebond keeps. Remove one first.")
CLONED = _(
    "This passkey was refused: its authenticator may have been copied. Use the code from your "
    "app, and remove this passkey from your two-factor settings."
)


class PasskeyError(Exception):
    """A passkey ceremony was refused; `message` is what the clinician is told."""

    def __init__(self, message: StrOrPromise) -> None:
        # In the language of the request that was refused (the messages above are lazy).
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str


def relying_party() -> RelyingParty | None:
    """Return the RP id and origin of settings.SITE_URL, or None if passkeys cannot work there.

    The origin is what the browser writes into clientDataJSON: scheme, host and a port other
    than the scheme's default, without path. None when the host is an IP address (browsers
    refuse it as RP id: "This is an invalid domain") or the scheme is neither http nor https.
    """
    parts = urlsplit(settings.SITE_URL)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None
    default_port = 443 if parts.scheme == "https" else 80
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return RelyingParty(id=host, origin=f"{parts.scheme}://{host}{port}")


def available() -> bool:
    return relying_party() is not None


def _required_relying_party() -> RelyingParty:
    rp = relying_party()
    if rp is None:
        raise PasskeyError(_("Passkeys cannot be used at this server's address."))
    return rp


def offered_to(user: User) -> bool:
    """Return whether the login and step-up pages offer this clinician a passkey."""
    return available() and has_passkey(user)


def passkeys_of(user: User) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user))


def has_passkey(user: User) -> bool:
    return Passkey.objects.filter(user=user).exists()


# --- Challenges, kept in the session --------------------------------------------------------
def _store_challenge(session: SessionBase, purpose: str, user: User, at: datetime) -> bytes:
    challenge = generate_challenge()
    session[SESSION_KEY] = {
        "purpose": purpose,
        "user": str(user.pk),
        "challenge": bytes_to_base64url(challenge),
        "expires_at": (at + timedelta(seconds=CHALLENGE_SECONDS)).isoformat(),
    }
    return challenge


def _take_challenge(session: SessionBase, purpose: str, user: User) -> bytes:
    """Remove the session's challenge and return it if it is for `purpose`, `user` and unexpired.

    Taken out before anything is checked, so a challenge is answered at most once.
    """
    stored = session.pop(SESSION_KEY, None)
    if not isinstance(stored, dict):
        raise PasskeyError(EXPIRED)
    try:
        expires_at = datetime.fromisoformat(str(stored["expires_at"]))
        challenge = base64url_to_bytes(str(stored["challenge"]))
    except (KeyError, ValueError):
        raise PasskeyError(EXPIRED) from None
    if stored.get("purpose") != purpose or stored.get("user") != str(user.pk):
        raise PasskeyError(EXPIRED)
    if now() > expires_at:
        raise PasskeyError(EXPIRED)
    return challenge


def discard_challenge(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(passkey.credential_id),
            transports=[AuthenticatorTransport(t) for t in passkey.transports if t in _TRANSPORTS],
        )
        for passkey in passkeys_of(user)
    ]


def _parse(credential_json: str) -> dict[str, Any]:
    try:
        credential = json.loads(credential_json)
    except ValueError:
        raise PasskeyError(NOT_VERIFIED) from None
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        raise PasskeyError(NOT_VERIFIED)
    return credential


# --- Registration ---------------------------------------------------------------------------
def registration_options(session: SessionBase, user: User) -> dict[str, Any]:
    """Return the options for navigator.credentials.create() as JSON-ready data, and keep
    their challenge in the session."""
    rp = _required_relying_party()
    if Passkey.objects.filter(user=user).count() >= MAX_PASSKEYS:
        raise PasskeyError(TOO_MANY % {"count": MAX_PASSKEYS})
    challenge = _store_challenge(session, REGISTER, user, now())
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=RP_NAME,
        # The user handle is the account's random UUID: no e-mail address in the authenticator's
        # handle (WebAuthn 14.6.1); the e-mail is the name shown in the browser's dialog.
        user_id=user.pk.bytes,
        user_name=user.email,
        user_display_name=user.display_name or user.email,
        challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    return dict(json.loads(options_to_json(options)))


def register(session: SessionBase, user: User, name: str, credential_json: str) -> Passkey:
    """Verify the browser's answer to the registration options and keep the new passkey."""
    rp = _required_relying_party()
    try:
        challenge = _take_challenge(session, REGISTER, user)
        credential = _parse(credential_json)
    except PasskeyError:
        mfa.log(user, "accounts.passkey.register_fail", user)
        raise
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=False,
        )
    except WebAuthnException:
        mfa.log(user, "accounts.passkey.register_fail", user)
        raise PasskeyError(NOT_VERIFIED) from None
    if len(verified.credential_id) > MAX_CREDENTIAL_ID_BYTES:
        mfa.log(user, "accounts.passkey.register_fail", user)
        raise PasskeyError(NOT_VERIFIED)
    transports = credential.get("response", {}).get("transports") or []
    try:
        with transaction.atomic():
            if Passkey.objects.filter(user=user).count() >= MAX_PASSKEYS:
                raise PasskeyError(TOO_MANY % {"count": MAX_PASSKEYS})
            passkey = Passkey.objects.create(
                user=user,
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=[t for t in transports if t in _TRANSPORTS],
                name=name,
            )
            mfa.log(user, "accounts.passkey.register", passkey)
    except IntegrityError:
        mfa.log(user, "accounts.passkey.register_fail", user)
        raise PasskeyError(_("This passkey is already set up.")) from None
    return passkey


# --- Authentication -------------------------------------------------------------------------
def authentication_options(session: SessionBase, user: User) -> dict[str, Any]:
    """Return the options for navigator.credentials.get() (the clinician's own passkeys only),
    and keep their challenge in the session."""
    rp = _required_relying_party()
    challenge = _store_challenge(session, AUTHENTICATE, user, now())
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return dict(json.loads(options_to_json(options)))


def authenticate(session: SessionBase, user: User, credential_json: str) -> Passkey:
    """Verify an assertion by one of `user`'s passkeys against the session's challenge; record
    the use. Every refusal is audited here and raises PasskeyError."""
    rp = _required_relying_party()
    try:
        challenge = _take_challenge(session, AUTHENTICATE, user)
        credential = _parse(credential_json)
    except PasskeyError:
        mfa.log(user, "accounts.passkey.fail", user)
        raise
    passkey = Passkey.objects.filter(user=user, credential_id=credential["id"]).first()
    if passkey is None:
        mfa.log(user, "accounts.passkey.fail", user)
        raise PasskeyError(UNKNOWN)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=bytes(passkey.public_key),
            # The counter is compared below, once the signature is known to be good.
            credential_current_sign_count=0,
            require_user_verification=False,
        )
        _check_user_handle(credential, user)
    except WebAuthnException:
        mfa.log(user, "accounts.passkey.fail", passkey)
        raise PasskeyError(NOT_VERIFIED) from None
    return _record_use(user, passkey, verified.new_sign_count)


def _check_user_handle(credential: dict[str, Any], user: User) -> None:
    """Refuse an assertion whose user handle, when the authenticator gives one, is not this
    clinician's (py_webauthn leaves this check to the caller)."""
    handle = credential.get("response", {}).get("userHandle")
    if handle and base64url_to_bytes(str(handle)) != user.pk.bytes:
        raise WebAuthnException("user handle of another account")


def _record_use(user: User, passkey: Passkey, new_count: int) -> Passkey:
    """Move the stored counter on, refusing one that did not go up (a copied authenticator).

    Authenticators that do not count report 0 every time; then only the time is recorded.
    The update is conditional on the counter read, so two uses racing cannot both pass.
    """
    old_count = passkey.sign_count
    counting = new_count > 0 or old_count > 0
    if counting and new_count <= old_count:
        mfa.log(user, "accounts.passkey.sign_count_regressed", passkey)
        raise PasskeyError(CLONED)
    used_at = now()
    moved = Passkey.objects.filter(pk=passkey.pk, sign_count=old_count).update(
        sign_count=new_count, last_used_at=used_at
    )
    if moved != 1:
        mfa.log(user, "accounts.passkey.sign_count_regressed", passkey)
        raise PasskeyError(CLONED)
    passkey.sign_count, passkey.last_used_at = new_count, used_at
    return passkey


# --- Removal --------------------------------------------------------------------------------
def can_remove(user: User) -> bool:
    """Return whether removing one passkey leaves the clinician a second factor.

    The authenticator app is the factor every clinician keeps (enrolment and recovery codes
    hang on it), so a passkey can always go while the app is there; without the app, the last
    passkey stays.
    """
    return mfa.has_confirmed_device(user) or Passkey.objects.filter(user=user).count() > 1


@transaction.atomic
def remove(user: User, passkey: Passkey) -> None:
    """Delete one of the clinician's own passkeys (audited), unless it is their last factor."""
    if passkey.user_id != user.pk:
        raise PasskeyError(UNKNOWN)
    if not can_remove(user):
        raise PasskeyError(
            _("This is your only second factor: set up the authenticator app first.")
        )
    mfa.log(user, "accounts.passkey.remove", passkey)
    passkey.delete()
