"""The rules a clinic's staff changes must keep, read from the database without changing it.

1. A clinic always keeps an active clinic admin (someone can manage its people) and, once it
   has one, an active safety lead (an unacknowledged HIGH alert must reach somebody, DOMAIN
   4.6). Neither the last admin nor the last lead loses that role, by a role change or by
   deactivation, including their own.
2. A clinician who is the only treating clinician (primary or co-therapist) still active on an
   active case (DOMAIN 7.2: any state but referred out, dropped out, closed or archived) cannot
   be deactivated: the couple would be left with nobody. A supervisor oversees a case and does
   not carry it, so a supervisor alone does not keep it covered. The cases are named by their
   reference, never their label (a clinic admin sees no clinical data as an admin).

These functions only read; `rebond/staff/membership.py` calls them inside the transaction of
the change, after locking the clinic's clinicians, so two admins acting at once cannot both
remove "the other" last admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rebond import access
from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple
from rebond.lib.errors import ActionError
from rebond.staff.invitations import ROLE_FLAGS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Role = User.Role
ROLE_HELP: dict[str, StrOrPromise] = {
    Role.THERAPIST: gettext_lazy("Opens and treats cases."),
    Role.SUPERVISOR: gettext_lazy("Can be assigned to oversee colleagues' cases."),
    Role.SAFETY_LEAD: gettext_lazy("Receives HIGH alerts nobody on the case acknowledged in time."),
    Role.CLINIC_ADMIN: gettext_lazy(
        "Manages the clinic's settings and people; sees no clinical data."
    ),
}


class StaffRuleError(ActionError):
    """A staff change refused by a rule; `cases` names the cases that block a deactivation.

    The one refusal that carries more than words: the deactivation page lists those cases.
    """

    def __init__(self, message: str, cases: Iterable[Couple] = ()) -> None:
        super().__init__(message)
        self.cases = list(cases)


def roles_of(user: User) -> set[str]:
    """Return the user's roles as a set of `User.Role` values."""
    return {role for role, flag in ROLE_FLAGS.items() if getattr(user, flag)}


def enrolled(clinic: Clinic) -> QuerySet[User]:
    """Return the clinic's clinicians who have enrolled, active or not.

    An invited clinician's row exists from the invitation on, with no usable password until
    they accept it (rebond/staff/enrolment.py); until then it is an invitation, not staff, and
    holds no role that counts here. A cancelled invitation's row stays without a password.
    """
    return User.objects.filter(clinic=clinic).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)


def active_clinicians(clinic: Clinic) -> QuerySet[User]:
    """Return the clinic's enrolled, active clinicians."""
    return enrolled(clinic).filter(is_active=True)


def _others_holding(clinic: Clinic, role: str, user: User) -> bool:
    holders = active_clinicians(clinic).filter(**{ROLE_FLAGS[role]: True})
    return holders.exclude(pk=user.pk).exists()


def _last_holder_message(user: User, role: str, *, by_self: bool, deactivating: bool) -> str:
    """Say why the last clinic admin or safety lead keeps the role: whole sentences, one per
    case, so each reads naturally when translated."""
    lead = role == Role.SAFETY_LEAD
    messages = {
        # (safety lead, by self, deactivating)
        (False, True, True): _(
            "You are the clinic's last active clinic admin, so cannot be deactivated. Give the"
            " clinic admin role to another active clinician first, then change you."
        ),
        (False, True, False): _(
            "You are the clinic's last active clinic admin, so cannot lose the clinic admin"
            " role. Give the clinic admin role to another active clinician first, then change"
            " you."
        ),
        (False, False, True): _(
            "%(name)s is the clinic's last active clinic admin, so cannot be deactivated. Give"
            " the clinic admin role to another active clinician first, then change them."
        ),
        (False, False, False): _(
            "%(name)s is the clinic's last active clinic admin, so cannot lose the clinic admin"
            " role. Give the clinic admin role to another active clinician first, then change"
            " them."
        ),
        (True, True, True): _(
            "You are the clinic's last active safety lead, so cannot be deactivated. Give the"
            " safety lead role to another active clinician first, then change you."
        ),
        (True, True, False): _(
            "You are the clinic's last active safety lead, so cannot lose the safety lead role."
            " Give the safety lead role to another active clinician first, then change you."
        ),
        (True, False, True): _(
            "%(name)s is the clinic's last active safety lead, so cannot be deactivated. Give the"
            " safety lead role to another active clinician first, then change them."
        ),
        (True, False, False): _(
            "%(name)s is the clinic's last active safety lead, so cannot lose the safety lead"
            " role. Give the safety lead role to another active clinician first, then change"
            " them."
        ),
    }
    message = messages[(lead, by_self, deactivating)]
    return message if by_self else message % {"name": user.display_name}


def check_roles_kept(user: User, new_roles: set[str] | None, *, by: User) -> None:
    """Raise StaffRuleError if the change leaves the clinic without an admin or a lead.

    `new_roles` is the user's roles after the change, or None when they are deactivated.
    """
    if not user.is_active or user.clinic is None:
        return
    for role in (Role.CLINIC_ADMIN, Role.SAFETY_LEAD):
        keeps = new_roles is not None and role in new_roles
        if not getattr(user, ROLE_FLAGS[role]) or keeps:
            continue
        if not _others_holding(user.clinic, role, user):
            raise StaffRuleError(
                _last_holder_message(
                    user, role, by_self=user.pk == by.pk, deactivating=new_roles is None
                )
            )


def cases_left_without_clinician(user: User) -> list[Couple]:
    """Return the active cases on which the user is the only active treating clinician.

    Oldest first; the caller names them by reference only.
    """
    cases = (
        access.cases_treated_by(user)
        .exclude(status__in=Couple.INACTIVE_STATUSES)
        .select_related("primary_clinician")
        .prefetch_related("co_clinicians")
        .order_by("opened_at")
    )
    alone = []
    for case in cases:
        treating = access.treating_clinicians(case)
        if not any(c.is_active and c.pk != user.pk for c in treating):
            alone.append(case)
    return alone


def check_may_deactivate(user: User, *, by: User) -> None:
    """Raise StaffRuleError if deactivating the user would break a rule of this module."""
    cases = cases_left_without_clinician(user)
    if cases:
        message = ngettext(
            "%(name)s is the only clinician on an active case, listed below by reference. Each"
            " needs another clinician first: add a co-therapist or hand the case to a colleague"
            " (the case team, on the case page), then deactivate them.",
            "%(name)s is the only clinician on %(count)s active cases, listed below by"
            " reference. Each needs another clinician first: add a co-therapist or hand the"
            " case to a colleague (the case team, on the case page), then deactivate them.",
            len(cases),
        ) % {"name": user.display_name, "count": len(cases)}
        raise StaffRuleError(message, cases)
    check_roles_kept(user, None, by=by)
