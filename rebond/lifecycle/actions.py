"""Use cases: a clinic admin sets the retention policy; a clinic admin asks for one partner's
data to be erased, a second person approves (the erasure happens then) or the request is
cancelled.

Asking and approving both need a recent password and second factor (step-up, SECURITY.md
SE-06): the views check it (rebond/accounts/stepup.py) and say so here with `stepped_up`, which
the actions refuse without. Every change is audited with ids and a reason code only.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus

from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond import access, audit
from rebond.accounts.models import User
from rebond.audit.updates import audited_update
from rebond.lib.clinic_time import clinic_today
from rebond.lib.errors import ActionError
from rebond.lifecycle.erasure import erase_partner
from rebond.lifecycle.models import (
    MAX_KEEP_YEARS,
    MAX_NOTICE_DAYS,
    REQUEST_REASONS,
    ErasureRecord,
    ErasureRequest,
    RetentionPolicy,
)

# In English (the views compare it translated, in the language of the refusal).
STEP_UP_NEEDED = gettext_noop("Confirm your password and second factor again first.")


def _refuse(message: str, field: str = "", status: HTTPStatus = HTTPStatus.CONFLICT) -> ActionError:
    return ActionError(message, {field: [message]} if field else None, status=status)


def _require_step_up(stepped_up: bool) -> None:
    if not stepped_up:
        raise _refuse(_(STEP_UP_NEEDED), status=HTTPStatus.FORBIDDEN)


@transaction.atomic
def set_retention_policy(
    admin: User, *, keep_years: int | None, notice_days: int
) -> RetentionPolicy:
    """Set how long the admin's clinic keeps closed cases (None: indefinitely) and how many
    days ahead its admins are told. A new or shorter period counts its notice from today."""
    clinic = access.get_admin_clinic(admin)
    errors: dict[str, list[str]] = {}
    if keep_years is not None and not 1 <= keep_years <= MAX_KEEP_YEARS:
        errors["keep_years"] = [
            _("Choose between 1 and %(max)s years, or keep indefinitely.") % {"max": MAX_KEEP_YEARS}
        ]
    if not 1 <= notice_days <= MAX_NOTICE_DAYS:
        errors["notice_days"] = [_("Choose between 1 and %(max)s days.") % {"max": MAX_NOTICE_DAYS}]
    if errors:
        raise ActionError(
            _("The retention policy was not saved."),
            errors,
            status=HTTPStatus.UNPROCESSABLE_ENTITY,
        )
    policy = RetentionPolicy.of_clinic(clinic.pk)
    values: dict[str, object] = {"keep_years": keep_years, "notice_days": notice_days}
    shorter = keep_years is not None and (
        policy.keep_years is None or keep_years < policy.keep_years
    )
    if shorter or policy._state.adding or notice_days != policy.notice_days:
        values["changed_on"] = clinic_today(clinic)
    audited_update(policy, values, admin, "lifecycle.retention.update", clinic_id=clinic.pk)
    return policy


@transaction.atomic
def request_partner_erasure(
    admin: User,
    couple_id: uuid.UUID | str,
    partner_id: uuid.UUID | str,
    *,
    reason: str,
    stepped_up: bool,
) -> ErasureRequest:
    """Ask for one partner's own data to be erased; it waits for a second person."""
    partner = access.get_partner_for_erasure_request(admin, couple_id, partner_id)
    _require_step_up(stepped_up)
    if reason not in REQUEST_REASONS:
        raise _refuse(
            _("Choose why the data is to be erased."), "reason", HTTPStatus.UNPROCESSABLE_ENTITY
        )
    if access.pending_erasure_of(partner, lock=True) is not None:
        raise _refuse(_("An erasure of this partner's data already waits for approval."))
    request = ErasureRequest.objects.create(
        couple=partner.couple, partner=partner, reason=reason, requested_by=admin
    )
    audit.log(
        actor=admin,
        action="lifecycle.erasure.request",
        obj=request,
        clinic_id=partner.couple.clinic_id,
        fields=["partner", "reason"],
        reason=reason,
    )
    return request


def _pending(user: User, couple_id: uuid.UUID | str, partner_id: uuid.UUID | str) -> ErasureRequest:
    partner = access.get_partner_for_erasure(user, couple_id, partner_id)
    pending = access.pending_erasure_of(partner, lock=True)
    if pending is None:
        raise _refuse(_("No erasure of this partner's data waits for approval."))
    return pending


@transaction.atomic
def approve_partner_erasure(
    approver: User,
    couple_id: uuid.UUID | str,
    partner_id: uuid.UUID | str,
    *,
    stepped_up: bool,
) -> ErasureRecord:
    """Approve the pending request and erase the partner's own data now.

    The approver is another clinic admin or a clinician on the case, never the requester.
    """
    pending = _pending(approver, couple_id, partner_id)
    _require_step_up(stepped_up)
    if pending.requested_by_id == approver.pk:
        raise _refuse(
            _("Someone other than the person who asked must approve an erasure."),
            status=HTTPStatus.FORBIDDEN,
        )
    pending.status = ErasureRequest.Status.DONE
    pending.decided_by, pending.decided_at = approver, now()
    pending.save(update_fields=["status", "decided_by", "decided_at"])
    audit.log(
        actor=approver,
        action="lifecycle.erasure.approve",
        obj=pending,
        clinic_id=pending.couple.clinic_id,
        fields=["status"],
        reason=pending.reason,
    )
    return erase_partner(
        pending.partner,
        requested_by=pending.requested_by,
        approved_by=approver,
        reason=pending.reason,
    )


@transaction.atomic
def cancel_partner_erasure(
    admin: User, couple_id: uuid.UUID | str, partner_id: uuid.UUID | str
) -> ErasureRequest:
    """Cancel the pending request: whoever may approve it may decline it instead (a clinic
    admin, the requester included, or a clinician on the case). Nothing is erased."""
    pending = _pending(admin, couple_id, partner_id)
    pending.status = ErasureRequest.Status.CANCELLED
    pending.decided_by, pending.decided_at = admin, now()
    pending.save(update_fields=["status", "decided_by", "decided_at"])
    audit.log(
        actor=admin,
        action="lifecycle.erasure.cancel",
        obj=pending,
        clinic_id=pending.couple.clinic_id,
        fields=["status"],
    )
    return pending
