"""A clinic's safety settings: escalation window, crisis resources, safety leads, alert rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from rebond import access, audit
from rebond.accounts.models import Clinic, CrisisResource, User
from rebond.alerts import rules
from rebond.alerts.models import AlertRuleSetting
from rebond.audit.updates import audited_update
from rebond.lib.errors import ActionError

# --- Clinic safety settings (clinic admins and safety leads) ----------------------------------

ESCALATION_MINUTES = (5, 1440)  # the escalation window a clinic may choose, in minutes
RESOURCE_POSITION_MAX = 999


def get_settings_clinic(user: User) -> Clinic:
    """Return the clinic whose safety settings the user manages (admins and safety leads)."""
    return access.get_settings_clinic(user, safety_leads_too=True)


@transaction.atomic
def set_escalation_window(user: User, minutes: int | None) -> Clinic:
    """Set how long a HIGH alert may wait for acknowledgement before it escalates."""
    clinic = get_settings_clinic(user)
    low, high = ESCALATION_MINUTES
    if minutes is None or not low <= minutes <= high:
        raise ActionError(
            _("The window could not be saved."),
            {
                "minutes": [
                    _("Use a whole number of minutes from %(low)s to %(high)s.")
                    % {"low": low, "high": high}
                ]
            },
        )
    audited_update(
        clinic,
        {"high_alert_ack_minutes": minutes},
        user,
        "accounts.clinic.escalation_window",
        clinic_id=clinic.id,
    )
    return clinic


@dataclass(frozen=True)
class CrisisResourceDraft:
    name: str
    phone: str = ""
    text_number: str = ""
    url: str = ""
    hours: str = ""
    position: int | None = 0


def _validate_resource(draft: CrisisResourceDraft) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    limits = {"name": 120, "phone": 40, "text_number": 40, "url": 200, "hours": 120}
    for name, limit in limits.items():
        if len(getattr(draft, name).strip()) > limit:
            errors[name] = [_("Keep this to %(count)s characters or fewer.") % {"count": limit}]
    if not draft.name.strip():
        errors["name"] = [_("Give the service's name.")]
    if not (draft.phone.strip() or draft.text_number.strip() or draft.url.strip()):
        errors.setdefault("phone", []).append(
            _("Give at least a phone number, a text number or a link.")
        )
    if draft.url.strip() and "url" not in errors:
        try:
            URLValidator(schemes=["https", "http"])(draft.url.strip())
        except ValidationError:
            errors["url"] = [_("Give a full web address, starting with https://.")]
    if draft.position is None or not 0 <= draft.position <= RESOURCE_POSITION_MAX:
        errors["position"] = [_("Use a number from 0 to %(max)s.") % {"max": RESOURCE_POSITION_MAX}]
    return errors


@transaction.atomic
def save_crisis_resource(
    user: User, draft: CrisisResourceDraft, resource_id: int | None = None
) -> CrisisResource:
    """Add a crisis resource to the clinic, or change one of its own."""
    clinic = get_settings_clinic(user)
    resource = None if resource_id is None else get_crisis_resource(clinic, resource_id)
    errors = _validate_resource(draft)
    if errors:
        raise ActionError(_("The crisis resource could not be saved."), errors)
    values = {
        "name": draft.name.strip(),
        "phone": draft.phone.strip(),
        "text_number": draft.text_number.strip(),
        "url": draft.url.strip(),
        "hours": draft.hours.strip(),
        "position": draft.position,
    }
    if resource is None:
        resource = CrisisResource.objects.create(clinic=clinic, **values)
        audit.log(
            actor=user, action="accounts.crisis_resource.add", obj=resource, clinic_id=clinic.id
        )
    else:
        audited_update(
            resource, values, user, "accounts.crisis_resource.update", clinic_id=clinic.id
        )
    return resource


def get_crisis_resource(clinic: Clinic, resource_id: int | str) -> CrisisResource:
    """Return one of the clinic's own crisis resources, or raise Http404."""
    try:
        return CrisisResource.objects.get(clinic=clinic, pk=resource_id)
    except (CrisisResource.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("Not found.") from exc


@transaction.atomic
def delete_crisis_resource(user: User, resource_id: int) -> None:
    """Remove one of the clinic's crisis resources."""
    clinic = get_settings_clinic(user)
    resource = get_crisis_resource(clinic, resource_id)
    audit.log(
        actor=user, action="accounts.crisis_resource.delete", obj=resource, clinic_id=clinic.id
    )
    resource.delete()


@transaction.atomic
def set_safety_lead(admin: User, clinician_id: uuid.UUID | str, *, is_safety_lead: bool) -> User:
    """Give or take away a colleague's safety lead role (clinic admins only)."""
    clinic = access.get_admin_clinic(admin)
    try:
        clinician = User.objects.select_for_update().get(
            pk=clinician_id, clinic_id=clinic.id, is_active=True
        )
    except (User.DoesNotExist, ValidationError) as exc:
        raise Http404("Not found.") from exc
    if clinician.is_safety_lead and not is_safety_lead:
        # The clinic keeps an active safety lead: the rule of staff management, asked here too
        # (an upward call, so the import is made inside the function; docs/architecture.md).
        # Its clinicians are locked first, so two admins cannot each remove "the other" lead.
        from rebond.staff import rules

        list(rules.active_clinicians(clinic).select_for_update().values_list("pk", flat=True))
        try:
            rules.check_roles_kept(
                clinician, rules.roles_of(clinician) - {User.Role.SAFETY_LEAD}, by=admin
            )
        except rules.StaffRuleError as refused:
            raise ActionError(refused.message) from refused
    audited_update(
        clinician,
        {"is_safety_lead": is_safety_lead},
        admin,
        "accounts.user.safety_lead",
        clinic_id=admin.clinic_id,
    )
    return clinician


@transaction.atomic
def set_alert_rule(
    user: User, rule_code: str, *, enabled: bool, threshold: int | None
) -> AlertRuleSetting:
    """Turn a rule on or off, and choose its threshold among the published values only.

    A core safety rule cannot be turned off (issue 15 B6).
    """
    clinic = get_settings_clinic(user)
    rule = next((r for r in rules.RULES if r.code == rule_code), None)
    if rule is None:
        raise Http404("No such rule.")
    if rule.core and not enabled:
        raise ActionError(
            _("The rule could not be saved."),
            {"enabled": [_(rules.CORE_RULE_ALWAYS_ON)]},
        )
    if rule.thresholds and threshold not in rule.thresholds:
        allowed = ", ".join(str(t) for t in rule.thresholds)
        raise ActionError(
            _("The rule could not be saved."),
            {
                "threshold": [
                    _("Choose one of the published values (%(values)s).") % {"values": allowed}
                ]
            },
        )
    if not rule.thresholds and threshold is not None:
        raise ActionError(
            _("The rule could not be saved."),
            {"threshold": [_("This rule has no threshold to set.")]},
        )
    setting, created = AlertRuleSetting.objects.select_for_update().get_or_create(
        clinic=clinic, rule=rule.code, defaults={"enabled": enabled, "threshold": threshold}
    )
    if created:
        audit.log(
            actor=user,
            action="alerts.rule.set",
            obj=setting,
            clinic_id=clinic.id,
            fields=["enabled", "threshold"],
        )
    else:
        audited_update(
            setting,
            {"enabled": enabled, "threshold": threshold},
            user,
            "alerts.rule.set",
            clinic_id=clinic.id,
        )
    return setting
