"""Use cases of emergency access: a clinic admin grants it, or ends it early; a second clinic
admin or a safety lead approves an admin's grant to themselves.

Every grant is audited in its own transaction and the case's clinicians are told by e-mail
after commit, once it opens, with no clinical content: not the case, not the reason
(SECURITY.md AC-08). A self-grant opens nothing until someone else approves it (D18).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.http import Http404
from django.utils.timezone import now
from django.utils.translation import gettext as _

from rebond import access, audit
from rebond.accounts.models import Clinic, User
from rebond.couples.models import Couple
from rebond.emergency.models import MAX_HOURS, REASON_MIN_LENGTH, EmergencyAccess
from rebond.lib.errors import ActionError


@dataclass(frozen=True)
class GrantDraft:
    couple_id: uuid.UUID | str
    grantee_id: uuid.UUID | str
    reason: str
    hours: int


def admin_clinic(user: User) -> Clinic:
    """Return the clinic the user administers, or 404 for anyone who is not a clinic admin."""
    return access.get_admin_clinic(user)


def approver_clinic(user: User) -> Clinic:
    """Return the clinic whose self-grants the user may approve (a clinic admin or safety
    lead); another clinician of the clinic is told who can (403), anyone else gets 404."""
    return access.get_settings_clinic(user, safety_leads_too=True)


# A reference as the case page shows it ("3F2A-9C1B"), more of the id, or the whole id or
# case address: at least 8 hex digits, hyphens and spaces ignored.
REFERENCE_MIN_DIGITS = 8
_UUID_IN_TEXT = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def find_case(clinic: Clinic, reference: str) -> Couple | None:
    """Return the clinic's one open case whose id starts with the reference, or None.

    Raises ActionError when the reference is too short or matches several cases. The
    admin names a case this way instead of choosing from a list of every case's label.
    """
    text = reference.strip().lower()
    found = _UUID_IN_TEXT.search(text)
    digits = found.group().replace("-", "") if found else re.sub(r"[\s-]", "", text)
    if len(digits) < REFERENCE_MIN_DIGITS or not re.fullmatch(r"[0-9a-f]{1,32}", digits):
        raise ActionError(
            _("Not a case reference."),
            {"case": [_("Type the reference shown at the top of the case page, e.g. 3F2A-9C1B.")]},
        )
    low = uuid.UUID(digits.ljust(32, "0"))
    high = uuid.UUID(digits.ljust(32, "f"))
    matches = list(
        Couple.objects.filter(clinic=clinic, id__gte=low, id__lte=high).exclude(
            status__in=Couple.INACTIVE_STATUSES
        )[:2]
    )
    if len(matches) > 1:
        raise ActionError(
            _("Ambiguous case reference."),
            {
                "case": [
                    _("Several cases start with this reference: paste the case page's address.")
                ]
            },
        )
    return matches[0] if matches else None


@transaction.atomic
def grant_emergency_access(admin: User, draft: GrantDraft) -> EmergencyAccess:
    """Open one case to one clinician of the clinic for a few hours, with a stated reason."""
    clinic = admin_clinic(admin)
    errors: dict[str, list[str]] = {}
    couple = Couple.objects.filter(clinic=clinic, id=draft.couple_id).first()
    if couple is None:
        errors["couple"] = [_("Choose a case of this clinic.")]
    grantee = User.objects.filter(clinic=clinic, is_active=True, id=draft.grantee_id).first()
    if grantee is None:
        errors["grantee"] = [_("Choose an active clinician of this clinic.")]
    elif couple is not None and access.works_on_case(grantee, couple):
        errors["grantee"] = [
            _("%(name)s already works on this case.") % {"name": grantee.display_name}
        ]
    reason = draft.reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        errors["reason"] = [
            _("Say why in at least %(count)s characters.") % {"count": REASON_MIN_LENGTH}
        ]
    if not 1 <= draft.hours <= MAX_HOURS:
        errors["hours"] = [_("Choose between 1 and %(max)s hours.") % {"max": MAX_HOURS}]
    if errors or couple is None or grantee is None:
        raise ActionError(_("Emergency access was not granted."), errors)
    at = now()
    for_themselves = grantee.pk == admin.pk
    grant = EmergencyAccess.objects.create(
        couple=couple,
        grantee=grantee,
        granted_by=admin,
        # A grant to someone else is approved by the admin making it; one to themselves waits.
        approved_by=None if for_themselves else admin,
        approved_at=None if for_themselves else at,
        reason=reason,
        granted_at=at,
        expires_at=at + timedelta(hours=draft.hours),
    )
    audit.log(
        actor=admin,
        action="emergency.request" if for_themselves else "emergency.grant",
        obj=grant,
        clinic_id=clinic.id,
        fields=["couple", "grantee", "reason", "expires_at"],
    )
    from rebond.emergency.tasks import ask_for_approval, tell_case_clinicians

    then = ask_for_approval if for_themselves else tell_case_clinicians
    transaction.on_commit(partial(then.enqueue, str(grant.id)))
    return grant


def refuse_unless_approvable(approver: User, grant_id: uuid.UUID | str) -> None:
    """Raise as `approve_emergency_access` would for someone who may not approve this grant.

    Checked before the step-up (views.approve): to anyone else the grant does not exist,
    whatever the age of their login; a step-up prompt would tell them it does.
    """
    if not access.emergency_grants_to_approve(approver).filter(id=grant_id).exists():
        raise Http404("Not found.")


@transaction.atomic
def approve_emergency_access(approver: User, grant_id: uuid.UUID | str) -> EmergencyAccess:
    """Approve a clinic admin's grant to themselves: the case opens to them until it expires.

    Only another clinic admin or a safety lead of the clinic may; to the grantee and anyone
    else the grant does not exist (404). A grant already approved, ended or expired is refused.
    """
    clinic = approver_clinic(approver)
    grant = (
        access.emergency_grants_to_approve(approver)
        .select_for_update()
        .filter(id=grant_id)
        .select_related("couple", "grantee")
        .first()
    )
    if grant is None:
        raise Http404("Not found.")
    if not grant.is_pending:
        if grant.approved_at:
            raise ActionError(_("This emergency access is already approved."))
        raise ActionError(_("This emergency access is ended or expired."))
    grant.approved_by, grant.approved_at = approver, now()
    grant.save(update_fields=["approved_by", "approved_at"])
    audit.log(
        actor=approver,
        action="emergency.approve",
        obj=grant,
        clinic_id=clinic.id,
        fields=["approved_by", "approved_at"],
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
    if grant.is_live or grant.is_pending:
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
