"""Clinic roles: who may change a clinic's settings, who is told, and who decides.

A clinic admin changes the clinic's settings and its staff; a safety lead (with the admins)
changes its safety settings and approves emergency self-grants. Neither role gives clinical
access: a case opens only to its team (rebond/access/cases.py). A clinician of the clinic
refused a settings page gets a 403 naming who can (`SettingsRefused`); anyone outside the
clinic gets a 404.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from rebond.access.base import clinic_id_of, get_or_404
from rebond.accounts.models import Clinic, User

if TYPE_CHECKING:
    from rebond.emergency.models import EmergencyAccess


def is_clinic_admin(user: User) -> bool:
    """Return whether the user is an active clinic admin of a clinic."""
    return clinic_id_of(user) is not None and user.is_clinic_admin


def may_manage_safety_settings(user: User) -> bool:
    """Return whether the user may change the clinic's safety settings (admins and leads)."""
    return clinic_id_of(user) is not None and bool(user.is_clinic_admin or user.is_safety_lead)


def is_active_colleague(colleague: User, *, of: User) -> bool:
    """Return whether `colleague` is an active clinician of `of`'s clinic (who may be given a
    case or a request: never someone of another clinic)."""
    if of.clinic_id is None or colleague.clinic_id != of.clinic_id:
        return False
    return colleague.is_active


def settings_deciders(
    clinic_id: uuid.UUID | str, *, safety_leads_too: bool = False
) -> QuerySet[User]:
    """Return the clinic's active clinicians who may change its settings: its admins, and its
    safety leads where said (safety settings, approving an emergency self-grant)."""
    allowed = Q(is_clinic_admin=True)
    if safety_leads_too:
        allowed |= Q(is_safety_lead=True)
    return User.objects.filter(allowed, clinic_id=clinic_id, is_active=True)


def clinic_admins(clinic_id: uuid.UUID | str) -> QuerySet[User]:
    """Return the clinic's active clinic admins."""
    return settings_deciders(clinic_id)


def safety_leads(clinic_id: uuid.UUID | str) -> QuerySet[User]:
    """Return the clinic's active safety leads (a HIGH alert left unacknowledged goes to them)."""
    return User.objects.filter(clinic_id=clinic_id, is_safety_lead=True, is_active=True)


class SettingsRefused(PermissionDenied):
    """A clinician of the clinic opened a settings page that only some colleagues may change.

    A 403 that names who can (rebond/accounts/views.permission_denied), not a 404: these pages
    hold no clinical data and their existence is no secret inside the clinic, and the clinician
    needs to know whom to ask. Anyone outside the clinic still gets a 404.
    """

    def __init__(self, clinic: Clinic, *, safety_leads_too: bool = False) -> None:
        # One whole sentence per case, so each language words it its own way (the refusal
        # page's title and heading).
        title = (
            _("Only clinic admins and safety leads can change these settings")
            if safety_leads_too
            else _("Only clinic admins can change these settings")
        )
        super().__init__(title)
        self.clinic = clinic
        self.title = title
        self.safety_leads_too = safety_leads_too

    def deciders(self) -> list[User]:
        """Return the clinic's active clinicians who can change these settings."""
        return list(settings_deciders(self.clinic.pk, safety_leads_too=self.safety_leads_too))


def get_settings_clinic(user: User, *, safety_leads_too: bool = False) -> Clinic:
    """Return the clinic whose settings the user may change (its admins; leads where said).

    Another clinician of the clinic gets SettingsRefused (403 naming who can); anyone without
    a clinic gets 404. Clinic settings pages and grants ask this; it gives no clinical access.
    """
    if not user.is_authenticated or not user.is_active or user.clinic is None:
        raise Http404("Not found.")
    if user.is_clinic_admin:
        return user.clinic
    if safety_leads_too and user.is_safety_lead:
        return user.clinic
    raise SettingsRefused(user.clinic, safety_leads_too=safety_leads_too)


def emergency_grants_to_approve(user: User) -> QuerySet[EmergencyAccess]:
    """Return the emergency grants the user may approve: their clinic's, never their own.

    Only its clinic admins and safety leads approve (get_settings_clinic: SettingsRefused for
    another clinician, 404 for anyone without a clinic).
    """
    from rebond.emergency.models import EmergencyAccess

    clinic = get_settings_clinic(user, safety_leads_too=True)
    return EmergencyAccess.objects.filter(couple__clinic=clinic).exclude(grantee=user)


def get_admin_clinic(user: User) -> Clinic:
    """Return the clinic an active clinic admin administers (SettingsRefused / 404 otherwise)."""
    return get_settings_clinic(user)


def get_clinician_for_admin(user: User, clinician_id: uuid.UUID | str) -> User:
    """Return a clinician of the clinic `user` administers (themselves included, active or
    not); raise Http404 for anyone else's, SettingsRefused for a clinician who is no admin."""
    clinic = get_admin_clinic(user)
    return get_or_404(User.objects.filter(clinic=clinic).select_related("clinic"), clinician_id)
