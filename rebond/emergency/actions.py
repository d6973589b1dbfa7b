"""Use cases of emergency access: a clinic admin grants it, or ends it early.

Every grant is audited in its own transaction and the case's clinicians are told by e-mail
after commit, with no clinical content: not the case, not the reason (SECURITY.md AC-08).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.http import Http404
from django.utils.timezone import now

from rebond import audit
from rebond.accounts import access
from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple
from rebond.emergency.models import MAX_HOURS, REASON_MIN_LENGTH, EmergencyAccess


class EmergencyError(ValueError):
    """A refused grant, with the errors per form field."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


@dataclass(frozen=True)
class GrantDraft:
    couple_id: uuid.UUID | str
    grantee_id: uuid.UUID | str
    reason: str
    hours: int


def admin_clinic(user: User) -> Clinic:
    """Return the clinic the user administers, or 404 for anyone who is not a clinic admin."""
    return access.get_admin_clinic(user)


@transaction.atomic
def grant_emergency_access(admin: User, draft: GrantDraft) -> EmergencyAccess:
    """Open one case to one clinician of the clinic for a few hours, with a stated reason."""
    clinic = admin_clinic(admin)
    errors: dict[str, list[str]] = {}
    couple = Couple.objects.filter(clinic=clinic, id=draft.couple_id).first()
    if couple is None:
        errors["couple"] = ["Choose a case of this clinic."]
    grantee = User.objects.filter(clinic=clinic, is_active=True, id=draft.grantee_id).first()
    if grantee is None:
        errors["grantee"] = ["Choose an active clinician of this clinic."]
    elif couple is not None and access.works_on_case(grantee, couple):
        errors["grantee"] = [f"{grantee.display_name} already works on this case."]
    reason = draft.reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        errors["reason"] = [f"Say why in at least {REASON_MIN_LENGTH} characters."]
    if not 1 <= draft.hours <= MAX_HOURS:
        errors["hours"] = [f"Choose between 1 and {MAX_HOURS} hours."]
    if errors or couple is None or grantee is None:
        raise EmergencyError("Emergency access was not granted.", errors)
    at = now()
    grant = EmergencyAccess.objects.create(
        couple=couple,
        grantee=grantee,
        granted_by=admin,
        reason=reason,
        granted_at=at,
        expires_at=at + timedelta(hours=draft.hours),
    )
    audit.log(
        actor=admin,
        action="emergency.grant",
        obj=grant,
        clinic_id=clinic.id,
        fields=["couple", "grantee", "reason", "expires_at"],
    )
    from rebond.emergency.tasks import tell_case_clinicians

    transaction.on_commit(partial(tell_case_clinicians.enqueue, str(grant.id)))
    return grant


@transaction.atomic
def end_emergency_access(admin: User, grant_id: uuid.UUID | str) -> EmergencyAccess:
    """End a live grant now; the case closes to the grantee on their next request."""
    clinic = admin_clinic(admin)
    grant = (
        EmergencyAccess.objects.select_for_update()
        .filter(couple__clinic=clinic, id=grant_id)
        .first()
    )
    if grant is None:
        raise Http404("Not found.")
    if grant.is_live:
        grant.ended_at = now()
        grant.ended_by = admin
        grant.save(update_fields=["ended_at", "ended_by"])
        audit.log(
            actor=admin,
            action="emergency.end",
            obj=grant,
            clinic_id=clinic.id,
            fields=["ended_at"],
        )
    return grant
