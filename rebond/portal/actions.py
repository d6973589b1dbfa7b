"""Use cases of the partner's space: invitations, private links, and the partner's own settings.

Clinician actions check access through `rebond.access`; partner actions take the
`Partner` of the private-link session as their actor and reach only that partner's own rows.
Each writes its audit entry in the same transaction (ids and field names, never a token or a
value) and enqueues side effects after commit.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rebond import access, audit
from rebond.accounts.models import User
from rebond.audit.updates import audited_update
from rebond.couples.actions import check_safe_window
from rebond.couples.models import ContactChannel, Partner
from rebond.lib.errors import ActionError
from rebond.portal.models import MAX_PIN_FAILURES, LinkOpenedElsewhere, LinkPin, PrivateLink

DEFAULT_PRIVATE_LINK_DAYS = 14
SAFE_HOURS_MAX_LENGTH = 200


@dataclass(frozen=True)
class InvitationResult:
    """What happened, in words a clinician can act on, and the link if one was created."""

    is_sent: bool
    message: str
    link: PrivateLink | None = None


def link_lifetime() -> timedelta:
    """Return how long a new private link stays valid (settings.PRIVATE_LINK_DAYS)."""
    return timedelta(days=getattr(settings, "PRIVATE_LINK_DAYS", DEFAULT_PRIVATE_LINK_DAYS))


def _safe_channels(partner: Partner) -> list[ContactChannel]:
    return list(partner.contact_channels.filter(safe_to_contact=True).order_by("created_at"))


@transaction.atomic
def invite_partner(clinician: User, partner_id: uuid.UUID | str) -> InvitationResult:
    """Invite one partner to their space through an e-mail address they marked safe.

    1. The clinician must work on the partner's case (404 otherwise, via the gateway).
    2. Only channels marked safe to contact are used; of those, only e-mail can be delivered
       automatically. With no safe e-mail address nothing is created and nothing is sent.
    3. The partner's older invitation links that were never used are revoked.
    4. A new link is created and audited; the e-mail is sent by a task after commit, which
       mints the token, so the token is never stored. The other partner is never contacted.
    """
    from rebond.portal.tasks import send_invitation

    partner = access.get_partner_for_clinician(clinician, partner_id)
    # Serialise concurrent invitations of the same partner (revoke-then-create).
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    channels = _safe_channels(partner)
    emails = [c for c in channels if c.kind == ContactChannel.Kind.EMAIL]
    others = [c for c in channels if c.kind != ContactChannel.Kind.EMAIL]
    note = (
        (" " + _("Phone calls and text messages cannot be sent automatically yet."))
        if others
        else ""
    )
    name = partner.display_name
    if not emails:
        nothing = _("Nothing was sent: %(name)s has no e-mail address marked safe to contact.")
        return InvitationResult(is_sent=False, message=(nothing % {"name": name}) + note)
    at = now()
    stale = PrivateLink.objects.filter(
        partner=partner,
        purpose=PrivateLink.Purpose.INVITATION,
        revoked_at=None,
        first_used_at=None,
    )
    for old in stale:
        _revoke(clinician, old, at)
    link = PrivateLink.objects.create(
        partner=partner,
        purpose=PrivateLink.Purpose.INVITATION,
        expires_at=at + link_lifetime(),
        created_by=clinician,
    )
    audit.log(
        actor=clinician,
        action="portal.invitation.create",
        obj=link,
        clinic_id=partner.couple.clinic_id,
    )
    transaction.on_commit(partial(send_invitation.enqueue, str(link.id)))
    sent = ngettext(
        "An invitation is on its way to %(name)s's e-mail address marked safe to contact.",
        "An invitation is on its way to %(name)s's e-mail %(count)s addresses marked safe to"
        " contact.",
        len(emails),
    ) % {"name": name, "count": len(emails)}
    return InvitationResult(is_sent=True, message=sent + note, link=link)


def _revoke(actor: User, link: PrivateLink, at: datetime) -> None:
    link.revoked_at = at
    link.save(update_fields=["revoked_at"])
    audit.log(
        actor=actor,
        action="portal.link.revoke",
        obj=link,
        clinic_id=link.partner.couple.clinic_id,
        fields=["revoked_at"],
    )


@transaction.atomic
def revoke_link(clinician: User, link_id: uuid.UUID | str) -> PrivateLink:
    """Revoke a private link: its token and any session opened with it stop working."""
    partners = access.partners_for_clinician(clinician)
    link = (
        PrivateLink.objects.select_related("partner__couple")
        .filter(partner__in=partners, id=link_id)
        .first()
    )
    if link is None:
        raise ActionError("No such link.")
    if link.revoked_at is None:
        _revoke(clinician, link, now())
    return link


@transaction.atomic
def open_link(link_id: uuid.UUID | str, browser_hash: str, *, bind: bool) -> bool:
    """Record one opening of a link by the browser whose key hashes to `browser_hash`.

    Return whether that browser is the link's own: it already was, or `bind` binds the link to
    it now because no browser had it yet (issue 15 A2). An opening by any other browser is
    kept, for the partner to be told in their own browser, and audited without an actor (who
    opened it is not known). The row lock makes the first of two simultaneous openings win.
    """
    link = PrivateLink.objects.select_for_update().select_related("partner__couple").get(id=link_id)
    clinic_id = link.partner.couple.clinic_id
    if link.browser_hash and not constant_time_compare(link.browser_hash, browser_hash):
        LinkOpenedElsewhere.objects.create(link=link)
        audit.log(actor=None, action="portal.link.elsewhere", obj=link, clinic_id=clinic_id)
        return False
    changed = []
    if link.first_used_at is None:
        link.first_used_at = now()
        changed.append("first_used_at")
    if bind and not link.browser_hash:
        link.browser_hash = browser_hash
        changed.append("browser_hash")
    if changed:
        link.save(update_fields=changed)
    audit.log(
        actor=link.partner, action="portal.link.use", obj=link, clinic_id=clinic_id, fields=changed
    )
    return True


@transaction.atomic
def bind_link(link_id: uuid.UUID | str, browser_hash: str) -> bool:
    """Bind a link that no browser has yet to this one (after its partner's PIN was entered).

    Return whether it is bound to this browser now.
    """
    link = PrivateLink.objects.select_for_update().select_related("partner__couple").get(id=link_id)
    if not link.browser_hash:
        link.browser_hash = browser_hash
        link.save(update_fields=["browser_hash"])
        audit.log(
            actor=link.partner,
            action="portal.link.bind",
            obj=link,
            clinic_id=link.partner.couple.clinic_id,
            fields=["browser_hash"],
        )
    return constant_time_compare(link.browser_hash, browser_hash)


@transaction.atomic
def acknowledge_openings_elsewhere(partner: Partner, ids: list[int]) -> int:
    """Record that the partner has read that their links were opened elsewhere."""
    seen = LinkOpenedElsewhere.objects.filter(
        link__partner=partner, id__in=ids, seen_at=None
    ).update(seen_at=now())
    if seen:
        audit.log(
            actor=partner,
            action="portal.link.elsewhere_seen",
            obj=partner,
            clinic_id=partner.couple.clinic_id,
            fields=["seen_at"],
        )
    return seen


# --- The partner's own settings ---------------------------------------------------------------


def _own_channel(partner: Partner, channel_id: uuid.UUID | str) -> ContactChannel:
    channel = ContactChannel.objects.filter(partner=partner, id=channel_id).first()
    if channel is None:
        raise ActionError("No such contact channel.")
    return channel


@transaction.atomic
def mark_channel_not_safe(partner: Partner, channel_id: uuid.UUID | str) -> ContactChannel:
    """Stop all contact through one of the partner's own channels, at their word.

    Only a clinician can mark a channel safe again, after talking with the partner.
    """
    channel = _own_channel(partner, channel_id)
    if channel.safe_to_contact or channel.may_leave_message:
        channel.safe_to_contact = False
        channel.may_leave_message = False
        channel.save(update_fields=["safe_to_contact", "may_leave_message"])
        audit.log(
            actor=partner,
            action="portal.channel.not_safe",
            obj=channel,
            clinic_id=partner.couple.clinic_id,
            fields=["safe_to_contact", "may_leave_message"],
        )
    return channel


@transaction.atomic
def set_safe_hours(
    partner: Partner,
    channel_id: uuid.UUID | str,
    safe_hours: str,
    *,
    safe_from: time | None = None,
    safe_until: time | None = None,
    may_mention_therapy: bool = False,
) -> ContactChannel:
    """Change when, and in what words, one of the partner's own channels may be used.

    The call sets all of it, as the partner's form sends all of it: the safe times in their
    words, the window for automated messages (both clock times or neither, None being the
    clinic's usual window; it may cross midnight) and whether messages may name the clinic.
    """
    channel = _own_channel(partner, channel_id)
    safe_hours = safe_hours.strip()
    if len(safe_hours) > SAFE_HOURS_MAX_LENGTH or "\x00" in safe_hours:
        raise ActionError(
            _("Safe hours are too long."),
            {
                "safe_hours": [
                    _("Use at most %(limit_value)d characters.")
                    % {"limit_value": SAFE_HOURS_MAX_LENGTH}
                ]
            },
        )
    check_safe_window(safe_from, safe_until)
    audited_update(
        channel,
        {
            "safe_hours": safe_hours,
            "safe_from": safe_from,
            "safe_until": safe_until,
            "may_mention_therapy": may_mention_therapy,
        },
        partner,
        "portal.channel.safe_hours",
        clinic_id=partner.couple.clinic_id,
    )
    return channel


# --- The optional PIN on a partner's links (SECURITY.md LK-*) ---------------------------------

PIN_RE = re.compile(r"[0-9]{4,8}")


@transaction.atomic
def set_link_pin(clinician: User, partner_id: uuid.UUID | str, pin: str) -> LinkPin:
    """Ask for a PIN after any of the partner's links is opened; keep only its hash.

    The clinician tells the partner the PIN in person: it is never sent with a link. A new PIN
    ends the partner's open session, which proved the old one (or none).
    """
    partner = access.get_partner_for_clinician(clinician, partner_id)
    if not PIN_RE.fullmatch(pin):
        raise ActionError(_("The PIN was not saved."), {"pin": [_("Use 4 to 8 digits.")]})
    link_pin, created = LinkPin.objects.select_for_update().get_or_create(
        partner=partner, defaults={"pin_hash": make_password(pin), "set_by": clinician}
    )
    if not created:
        link_pin.pin_hash = make_password(pin)
        link_pin.set_at = now()
        link_pin.set_by = clinician
        link_pin.save(update_fields=["pin_hash", "set_at", "set_by"])
    audit.log(
        actor=clinician,
        action="portal.pin.set",
        obj=link_pin,
        clinic_id=partner.couple.clinic_id,
        fields=["pin_hash"],
    )
    return link_pin


@transaction.atomic
def choose_link_pin(partner: Partner, pin: str) -> LinkPin:
    """Let a partner choose their own PIN, offered when they first use a link (issue 15 A2).

    Only while they have none: a PIN their clinician set is changed by the clinician only.
    """
    if not PIN_RE.fullmatch(pin):
        raise ActionError(_("The PIN was not saved."), {"pin": [_("Use 4 to 8 digits.")]})
    Partner.objects.select_for_update().filter(pk=partner.pk).first()
    if LinkPin.objects.filter(partner=partner).exists():
        already = _("You already have a PIN.")
        raise ActionError(already, {"pin": [already]})
    link_pin = LinkPin.objects.create(partner=partner, pin_hash=make_password(pin), set_by=None)
    audit.log(
        actor=partner,
        action="portal.pin.choose",
        obj=link_pin,
        clinic_id=partner.couple.clinic_id,
        fields=["pin_hash"],
    )
    return link_pin


@transaction.atomic
def clear_link_pin(clinician: User, partner_id: uuid.UUID | str) -> bool:
    """Stop asking the partner for a PIN; return whether there was one."""
    partner = access.get_partner_for_clinician(clinician, partner_id)
    link_pin = LinkPin.objects.select_for_update().filter(partner=partner).first()
    if link_pin is None:
        return False
    audit.log(
        actor=clinician, action="portal.pin.clear", obj=link_pin, clinic_id=partner.couple.clinic_id
    )
    link_pin.delete()
    return True


@dataclass(frozen=True)
class PinCheck:
    """The outcome of one PIN entered for an opened link."""

    pin: LinkPin | None = None  # Set when the PIN was right (or no PIN is asked any more).
    is_right: bool = False
    is_locked: bool = False
    tries_left: int = 0


@transaction.atomic
def check_link_pin(link_id: uuid.UUID | str, pin: str) -> PinCheck:
    """Check a PIN entered after opening a link; the MAX_PIN_FAILURES-th wrong one revokes it.

    Failures are counted on the link under a row lock, so parallel guesses cannot exceed the
    limit. Every try is audited (ids only, never the digits).
    """
    link = (
        PrivateLink.objects.select_for_update()
        .select_related("partner__couple")
        .filter(id=link_id)
        .first()
    )
    if link is None or not link.is_valid():
        return PinCheck(is_locked=True)
    clinic_id = link.partner.couple.clinic_id
    link_pin = LinkPin.objects.filter(partner_id=link.partner_id).first()
    if link_pin is None:  # The clinician removed the PIN meanwhile: nothing more to prove.
        return PinCheck(is_right=True)
    if PIN_RE.fullmatch(pin) and check_password(pin, link_pin.pin_hash):
        audit.log(actor=link.partner, action="portal.pin.right", obj=link, clinic_id=clinic_id)
        return PinCheck(pin=link_pin, is_right=True)
    link.pin_failures += 1
    link.save(update_fields=["pin_failures"])
    audit.log(
        actor=link.partner,
        action="portal.pin.wrong",
        obj=link,
        clinic_id=clinic_id,
        fields=["pin_failures"],
    )
    if link.pin_failures < MAX_PIN_FAILURES:
        return PinCheck(tries_left=MAX_PIN_FAILURES - link.pin_failures)
    link.revoked_at = now()
    link.save(update_fields=["revoked_at"])
    audit.log(
        actor=link.partner,
        action="portal.link.lock",
        obj=link,
        clinic_id=clinic_id,
        fields=["revoked_at"],
        reason=f"{MAX_PIN_FAILURES} wrong PINs",
    )
    return PinCheck(is_locked=True)
