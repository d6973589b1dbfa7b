"""Use cases of staff management: a clinic admin changes a colleague's roles, deactivates them
or reactivates them, and cancels an invitation (rebond/staff/invitations.py does the rest of
invitations: it e-mails the link itself).

Each action (1) finds the colleague through the admin's clinic (rebond/access/:
another clinic's clinician is a 404, like a missing one), (2) locks the clinic's active
clinicians and checks the rules of rebond/staff/rules.py, (3) writes the change and its audit
entries in one transaction, and (4) after commit, tells the person concerned by e-mail, with no
clinical content (rebond/staff/tasks.py).

Deactivation ends everything the clinician holds at once: their sessions (deleted), their API
tokens (revoked) and the trust of their browsers (forgotten), so their next click is refused.
"""

from __future__ import annotations

import uuid
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.timezone import now
from django.utils.translation import gettext as _

from rebond import access, audit
from rebond.accounts import devices
from rebond.accounts.models import Clinic, User
from rebond.accounts.sessions import end_sessions
from rebond.audit.updates import audited_update
from rebond.interop.tokens import revoke_all_tokens
from rebond.staff import invitations, rules
from rebond.staff.invitations import ROLE_FLAGS
from rebond.staff.models import Invitation
from rebond.staff.rules import StaffRuleError

__all__ = [
    "StaffRuleError",
    "cancel_invitation",
    "change_roles",
    "deactivate",
    "get_colleague",
    "reactivate",
]


def get_colleague(admin: User, user_id: uuid.UUID | str, *, lock: bool = False) -> User:
    """Return an enrolled clinician of the admin's clinic, or raise Http404.

    The admin is checked first (SettingsRefused for another clinician of the clinic, 404 for
    anyone without one), so nobody but a clinic admin learns whether an id exists.
    """
    clinic = access.get_admin_clinic(admin)
    people = rules.enrolled(clinic)
    if lock:
        people = people.select_for_update()
    try:
        return people.select_related("clinic").get(pk=user_id)
    except (User.DoesNotExist, ValidationError) as exc:
        raise Http404("Not found.") from exc


def _lock_clinic_staff(clinic: Clinic) -> None:
    """Lock the clinic's active clinicians until the transaction ends.

    Two admins removing each other's admin role at once would each see the other still
    there; with the rows locked, the second waits and then sees the first's change.
    """
    list(rules.active_clinicians(clinic).select_for_update().values_list("pk", flat=True))


def _tell(kind: str, user: User, by: User) -> None:
    from rebond.staff.tasks import tell_clinician

    at = now().isoformat()
    transaction.on_commit(partial(tell_clinician.enqueue, kind, str(user.pk), str(by.pk), at))


@transaction.atomic
def change_roles(admin: User, user_id: uuid.UUID | str, roles: set[str]) -> User:
    """Give the clinician exactly `roles` (User.Role values); return them.

    Refused (StaffRuleError) with no role at all, for a deactivated clinician, and when it
    would take away the clinic's last active clinic admin or safety lead.
    """
    _lock_clinic_staff(access.get_admin_clinic(admin))
    colleague = get_colleague(admin, user_id, lock=True)
    unknown = roles - set(ROLE_FLAGS)
    if unknown:
        raise StaffRuleError(_("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
    if not roles:
        raise StaffRuleError(
            _("Choose at least one role. To stop someone using Rebond, deactivate them instead.")
        )
    if not colleague.is_active:
        raise StaffRuleError(
            _("%(name)s is deactivated: reactivate them first.") % {"name": colleague.display_name}
        )
    rules.check_roles_kept(colleague, roles, by=admin)
    flags = {flag: role in roles for role, flag in ROLE_FLAGS.items()}
    if not audited_update(
        colleague, flags, admin, "staff.roles.change", clinic_id=colleague.clinic_id
    ):
        return colleague
    _tell("roles", colleague, admin)
    return colleague


@transaction.atomic
def deactivate(admin: User, user_id: uuid.UUID | str) -> User:
    """Deactivate the clinician: they can no longer log in, and all they hold ends now.

    Refused (StaffRuleError, naming the cases) while they are the only clinician on an active
    case, and when they are the clinic's last active clinic admin or safety lead. Deactivating
    someone already deactivated changes nothing.
    """
    _lock_clinic_staff(access.get_admin_clinic(admin))
    colleague = get_colleague(admin, user_id, lock=True)
    if not colleague.is_active:
        return colleague
    rules.check_may_deactivate(colleague, by=admin)
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    devices.forget_all(colleague)
    audit.log(
        actor=admin,
        action="staff.deactivate",
        obj=colleague,
        clinic_id=colleague.clinic_id,
        fields=["is_active", "browsers_forgotten_at"],
    )
    ended = end_sessions(colleague)
    if ended:
        audit.log(
            actor=admin,
            action="accounts.sessions.end",
            obj=colleague,
            clinic_id=colleague.clinic_id,
        )
    revoke_all_tokens(colleague, by=admin)
    _tell("deactivated", colleague, admin)
    return colleague


@transaction.atomic
def reactivate(admin: User, user_id: uuid.UUID | str) -> User:
    """Let a deactivated clinician log in again, with the roles they had.

    They find again the cases they are still on; a case handed to a colleague while they were
    away stays with that colleague. Reactivating someone active changes nothing.
    """
    colleague = get_colleague(admin, user_id, lock=True)
    if colleague.is_active:
        return colleague
    colleague.is_active = True
    colleague.save(update_fields=["is_active"])
    audit.log(
        actor=admin,
        action="staff.reactivate",
        obj=colleague,
        clinic_id=colleague.clinic_id,
        fields=["is_active"],
    )
    _tell("reactivated", colleague, admin)
    return colleague


@transaction.atomic
def cancel_invitation(admin: User, invitation: Invitation) -> None:
    """Cancel the invitation (its link stops working) and tell the person invited.

    Raise ValidationError if it was accepted or cancelled meanwhile (invitations.cancel).
    """
    invitations.cancel(invitation, by=admin)
    _tell("invitation_cancelled", invitation.user, admin)
