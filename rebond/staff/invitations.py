"""Invite a clinician to a clinic, send the link again, cancel it, find a link's invitation.

The public interface of invitations, used by `rebond clinic create` and the clinic admin's
staff pages:

- `invite()` makes the clinician's account (roles, unusable password: it cannot log in) and
  an invitation whose link works once, for 72 hours; it e-mails the link and returns it.
- `resend()` gives the invitation a new link (the old one stops working) and a new 72 hours.
- `cancel()` ends an invitation; an account that never set a password is deactivated with it.
- `pending_for()` lists a clinic's invitations not yet accepted or cancelled (expired too,
  so that an admin can send them again).
- `find_usable()` returns the invitation a link's token opens, if it still may be used.

The token is 256 random bits. The database keeps only its HMAC-SHA256 under SECRET_KEY (as
recovery codes are kept, rebond/accounts/mfa.py), so a copy of the database opens nothing;
a link made before a key rotation still works while the old key is in SECRET_KEY_FALLBACKS.
The e-mail is sent straight after the commit, not through the task queue, whose rows would
hold the token. It names the clinic, the link and its expiry in the clinic's time zone;
nothing clinical. Every change is audited in the transaction that makes it.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.crypto import salted_hmac
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond import access, audit
from rebond.accounts.mail import clinic_email
from rebond.accounts.models import Clinic, User
from rebond.audit.operations import operator_label
from rebond.lib.clinic_time import clinic_localtime
from rebond.lib.text import has_bidi_controls
from rebond.staff.models import Invitation

logger = logging.getLogger(__name__)

LIFETIME = timedelta(hours=72)
TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 bits, 43 characters
# Longer input is not a token this module made; refusing it early bounds the hashing work.
MAX_TOKEN_LENGTH = 64
_HASH_SALT = "rebond.staff.invitations.token"
SUBJECT = gettext_noop("Your invitation to Rebond")
DISPLAY_NAME_MAX_LENGTH = 120  # User.display_name
# The role names `invite()` takes (User.Role values) and the User flag each one sets.
ROLE_FLAGS: dict[str, str] = {
    User.Role.THERAPIST: "is_therapist",
    User.Role.SUPERVISOR: "is_supervisor",
    User.Role.SAFETY_LEAD: "is_safety_lead",
    User.Role.CLINIC_ADMIN: "is_clinic_admin",
}
# In English here (the command line and the tests read them so); said in the reader's language.
TAKEN = gettext_noop("This e-mail address already belongs to an account on this server.")
ALREADY_INVITED = gettext_noop(
    "This person already has an invitation waiting: send it again or cancel it instead."
)
NOT_PENDING = gettext_noop("This invitation was already accepted or cancelled.")


# --- Tokens and links -----------------------------------------------------------------------
def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hashes(token: str) -> list[str]:
    """Return the keyed hashes of a token under SECRET_KEY and each fallback key, in order."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        salted_hmac(_HASH_SALT, token, secret=key, algorithm="sha256").hexdigest() for key in keys
    ]


def link_url(token: str) -> str:
    """Return the absolute address of an invitation's link (settings.SITE_URL)."""
    path = reverse("enrolment_link", kwargs={"invitation_token": token})
    return settings.SITE_URL.rstrip("/") + path


def local_expiry(invitation: Invitation) -> str:
    """Return when the link expires, in the clinic's time zone, e.g. '12 Mar 2027 14:05 CET'
    (the month in the active language)."""
    return in_clinic_time(invitation.clinic, invitation.expires_at)


def in_clinic_time(clinic: Clinic, moment: datetime) -> str:
    return dateformat.format(clinic_localtime(clinic, moment), "d M Y H:i T")


# --- The interface --------------------------------------------------------------------------
@transaction.atomic
def invite(
    clinic: Clinic,
    *,
    email: str,
    display_name: str,
    roles: set[str],
    invited_by: User | None,
) -> tuple[Invitation, str]:
    """Invite a clinician to `clinic` with `roles`; e-mail them the link and return it.

    `invited_by` is a clinic admin of `clinic`, or None for the server's command line
    (`rebond clinic create`). Raise ValidationError, keyed by field ("email", "display_name",
    "roles"), when the address is not valid or already has an account, or a name or role is
    not acceptable. Someone invited before who never set a password (their invitation expired
    or was cancelled) is invited again on the same account, with the new name and roles.
    """
    if invited_by is not None:
        _require_admin_of(invited_by, clinic)
    email = clean_email(email)
    display_name = clean_display_name(display_name)
    flags = role_flags(roles)
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User(email=email, clinic=clinic)
        user.set_unusable_password()
    elif user.has_usable_password() or user.clinic_id != clinic.pk:
        raise ValidationError({"email": _(TAKEN)})
    elif any(i.is_usable for i in user.invitations.filter(used_at=None, cancelled_at=None)):
        raise ValidationError({"email": _(ALREADY_INVITED)})
    else:
        # The same person again: their earlier, dead invitations give way to this one.
        user.invitations.filter(used_at=None, cancelled_at=None).update(cancelled_at=now())
    user.display_name = display_name
    user.is_active = True
    for flag in ROLE_FLAGS.values():
        setattr(user, flag, flags[flag])
    user.save()
    token, moment = new_token(), now()
    invitation = Invitation.objects.create(
        clinic=clinic,
        user=user,
        token_hash=token_hashes(token)[0],
        created_at=moment,
        expires_at=moment + LIFETIME,
        invited_by=invited_by,
    )
    if created:
        _log(invited_by, "staff.account.create", user, clinic, fields=_role_names(flags))
    _log(invited_by, "staff.invitation.create", invitation, clinic, fields=_role_names(flags))
    _send_after_commit(invitation, token)
    return invitation, link_url(token)


def resend(invitation: Invitation, *, by: User) -> str:
    """Give the invitation a new link and 72 hours, e-mail it and return it.

    The old link stops working at once. Raise ValidationError if the invitation was
    accepted or cancelled meanwhile.
    """
    _require_admin_of(by, invitation.clinic)
    return renew(invitation, by=by)


@transaction.atomic
def renew(invitation: Invitation, *, by: User | None) -> str:
    """Do `resend()` for a clinic admin, or (`by` None) for the server's command line."""
    token = new_token()
    renewed = Invitation.objects.filter(pk=invitation.pk, used_at=None, cancelled_at=None).update(
        token_hash=token_hashes(token)[0], expires_at=now() + LIFETIME, emailed_at=None
    )
    if renewed != 1:
        raise ValidationError(_(NOT_PENDING))
    invitation.refresh_from_db()
    _log(by, "staff.invitation.resend", invitation, invitation.clinic)
    _send_after_commit(invitation, token)
    return link_url(token)


@transaction.atomic
def cancel(invitation: Invitation, *, by: User) -> None:
    """End the invitation: its link stops working. Raise ValidationError if already ended.

    The invited account, if it never set a password, is deactivated with it (it could not
    log in anyway); inviting the same address again brings it back.
    """
    _require_admin_of(by, invitation.clinic)
    cancelled = Invitation.objects.filter(pk=invitation.pk, used_at=None, cancelled_at=None).update(
        cancelled_at=now()
    )
    if cancelled != 1:
        raise ValidationError(_(NOT_PENDING))
    invitation.refresh_from_db()
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    if not user.has_usable_password() and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    _log(by, "staff.invitation.cancel", invitation, invitation.clinic)


def pending_for(clinic: Clinic) -> QuerySet[Invitation]:
    """Return the clinic's invitations neither accepted nor cancelled, newest first.

    Expired ones are included (their `status` says so), so that they can be sent again.
    """
    return (
        Invitation.objects.filter(clinic=clinic, used_at=None, cancelled_at=None)
        .select_related("user", "invited_by", "clinic")
        .order_by("-created_at")
    )


def find_usable(token: str) -> Invitation | None:
    """Return the invitation whose link holds `token`, if it may be used now; else None.

    Unknown, expired, used and cancelled links all give None: callers show one page for all.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return (
        Invitation.objects.select_related("user", "clinic")
        .filter(
            token_hash__in=token_hashes(token),
            used_at=None,
            cancelled_at=None,
            expires_at__gt=now(),
            user__is_active=True,
        )
        .first()
    )


# --- Rules ----------------------------------------------------------------------------------
def clean_email(value: str) -> str:
    """Return the address, trimmed and lower-cased; raise ValidationError if it is not one."""
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {
                "email": _("%(value)s is not a valid e-mail address.")
                % {"value": value.strip() or _("An empty value")}
            }
        ) from None
    if len(email) > User._meta.get_field("email").max_length:  # type: ignore[operator]
        raise ValidationError({"email": _("This e-mail address is too long.")})
    return email


def clean_display_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ValidationError({"display_name": _("Enter the clinician's name.")})
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError(
            {
                "display_name": _("A name has at most %(count)s characters.")
                % {"count": DISPLAY_NAME_MAX_LENGTH}
            }
        )
    if has_bidi_controls(name):
        raise ValidationError(
            {"display_name": _("Remove the invisible text-direction characters from the name.")}
        )
    return name


def role_flags(roles: set[str]) -> dict[str, bool]:
    """Return the User flags for `roles` (User.Role values); raise ValidationError if none or
    an unknown one is given."""
    unknown = sorted(set(roles) - set(ROLE_FLAGS))
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}}
        )
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    return {flag: role in roles for role, flag in ROLE_FLAGS.items()}


def _role_names(flags: dict[str, bool]) -> list[str]:
    return [role for role, flag in ROLE_FLAGS.items() if flags[flag]]


def _require_admin_of(user: User, clinic: Clinic) -> None:
    """Let only an active clinic admin of `clinic` change its invitations (404 otherwise)."""
    if access.get_admin_clinic(user).pk != clinic.pk:
        raise Http404("Not found.")


# --- Audit and e-mail -----------------------------------------------------------------------
def _log(
    actor: User | None,
    action: str,
    obj: Invitation | User,
    clinic: Clinic,
    fields: list[str] | None = None,
) -> None:
    """Audit a change by a clinic admin, or by the host user of the command line (None)."""
    audit.log(
        actor=actor,
        actor_label="" if actor is not None else operator_label(),
        action=action,
        obj=obj,
        clinic_id=clinic.pk,
        fields=fields or (),
    )


def message_body(invitation: Invitation, link: str) -> str:
    """Return the invitation e-mail's text: who invites, to which clinic, the link, until when.

    In the active language (`send` writes it in the clinic's: the person chose none yet).
    """
    values = {
        "name": invitation.user.display_name,
        "clinic": invitation.clinic.name,
        "by": invitation.invited_by.display_name if invitation.invited_by else "",
        "roles": ", ".join(str(role.label).lower() for role in invitation.user.roles),
        "until": local_expiry(invitation),
    }
    if invitation.invited_by:
        invited = _("%(by)s has invited you to %(clinic)s on Rebond, as %(roles)s.")
    else:
        invited = _("You are invited to %(clinic)s on Rebond, as %(roles)s.")
    paragraphs = [
        _("Hello %(name)s,") % values,
        invited % values,
        _(
            "Open this link to choose your password and set up your authenticator app. It works"
            " once, until %(until)s:"
        )
        % values,
        link,
        _(
            "If the link has expired, ask your clinic admin for a new one. If you did not expect"
            " this invitation, ignore this e-mail: nothing happens until the link is used."
        ),
    ]
    return "\n\n".join(paragraphs) + "\n"


def _send_after_commit(invitation: Invitation, token: str) -> None:
    """E-mail the link once the invitation is committed (a rolled-back one sends nothing)."""
    invitation_id, token_hash = invitation.pk, token_hashes(token)[0]
    transaction.on_commit(lambda: send(invitation_id, token_hash, token))


def send(invitation_id: uuid.UUID, token_hash: str, token: str) -> bool:
    """Send the invitation e-mail for the link holding `token`; return whether it went out.

    A failure is logged (without the address or token) and leaves `emailed_at` empty, so the
    command line and the staff page can say the link must be passed on another way.
    """
    invitation = (
        Invitation.objects.select_related("user", "clinic", "invited_by")
        .filter(pk=invitation_id, token_hash=token_hash)
        .first()
    )
    if invitation is None:
        return False  # A newer link replaced this one before the e-mail went out.
    with translation.override(invitation.user.preferred_language):
        message = clinic_email(
            invitation.clinic,
            _(SUBJECT),
            message_body(invitation, link_url(token)),
            [invitation.user.email],
        )
    try:
        sent = get_connection().send_messages([message]) or 0
    except (smtplib.SMTPException, OSError) as error:
        logger.warning(
            "The e-mail of invitation %s could not be sent (%s).",
            invitation.pk,
            type(error).__name__,
        )
        return False
    if sent:
        Invitation.objects.filter(pk=invitation.pk, token_hash=token_hash).update(emailed_at=now())
    return bool(sent)
