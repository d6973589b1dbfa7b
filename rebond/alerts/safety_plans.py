"""A case's safety concerns and safety plans, kept by the clinicians on the case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from rebond import access, audit
from rebond.accounts.models import User
from rebond.alerts.models import SafetyPlan
from rebond.audit.updates import audited_update
from rebond.couples.models import SafetyConcern
from rebond.lib.errors import ActionError

# --- Safety concerns and safety plans (clinicians on the case) --------------------------------


@transaction.atomic
def update_safety_concern(
    clinician: User,
    couple_id: uuid.UUID | str,
    concern_id: uuid.UUID | str,
    *,
    level: int | None,
    status: str,
) -> SafetyConcern:
    """Change a safety concern's level or status (open, monitoring, closed)."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    concern = access.get_safety_concern_of_case(clinician, couple.id, concern_id, for_update=True)
    errors: dict[str, list[str]] = {}
    if level not in SafetyConcern.Level.values:
        errors["level"] = [_("Choose a level.")]
    if status not in SafetyConcern.Status.values:
        errors["status"] = [_("Choose a status.")]
    if errors:
        raise ActionError(_("The safety concern could not be saved."), errors)
    audited_update(
        concern,
        {"level": level, "status": status},
        clinician,
        "couples.safety_concern.update",
        clinic_id=couple.clinic_id,
    )
    return concern


PLAN_FIELDS = (
    "warning_signs",
    "coping_steps",
    "people_and_places",
    "professional_contacts",
    "making_environment_safe",
)
PLAN_TEXT_MAX = 5000


@dataclass(frozen=True)
class SafetyPlanDraft:
    warning_signs: str = ""
    coping_steps: str = ""
    people_and_places: str = ""
    professional_contacts: str = ""
    making_environment_safe: str = ""
    shared_with_partner: bool = False


def _plan_errors(draft: SafetyPlanDraft) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in PLAN_FIELDS:
        if len(getattr(draft, name).strip()) > PLAN_TEXT_MAX:
            errors[name] = [
                _("Keep this to %(count)s characters or fewer.") % {"count": PLAN_TEXT_MAX}
            ]
    if not any(getattr(draft, name).strip() for name in PLAN_FIELDS):
        errors[""] = [_("Write at least one part of the plan.")]
    return errors


@transaction.atomic
def save_safety_plan(
    clinician: User,
    couple_id: uuid.UUID | str,
    partner_id: uuid.UUID | str,
    draft: SafetyPlanDraft,
    plan_id: uuid.UUID | str | None = None,
) -> SafetyPlan:
    """Write or change one partner's safety plan; sharing reaches that partner only."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    partner = access.get_partner_of_case(clinician, couple.id, partner_id)
    plan = (
        SafetyPlan(couple=couple, partner=partner, created_by=clinician)
        if plan_id is None
        else access.get_safety_plan_of_case(
            clinician, couple.id, plan_id, partner=partner, for_update=True
        )
    )
    errors = _plan_errors(draft)
    if errors:
        raise ActionError(_("The safety plan could not be saved."), errors)
    values: dict[str, object] = {name: getattr(draft, name).strip() for name in PLAN_FIELDS}
    values["shared_with_partner"] = draft.shared_with_partner
    action = "alerts.safety_plan.create" if plan._state.adding else "alerts.safety_plan.update"
    audited_update(plan, values, clinician, action, clinic_id=couple.clinic_id)
    return plan


@transaction.atomic
def delete_safety_plan(
    clinician: User, couple_id: uuid.UUID | str, plan_id: uuid.UUID | str
) -> None:
    """Delete a safety plan (the audit trail keeps that it existed, never its words)."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    plan = access.get_safety_plan_of_case(clinician, couple.id, plan_id)
    audit.log(
        actor=clinician, action="alerts.safety_plan.delete", obj=plan, clinic_id=couple.clinic_id
    )
    plan.delete()
