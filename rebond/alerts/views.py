"""The alert inbox and detail, the case's safety page, and the clinic's safety settings.

Views parse and render; every change goes through `rebond.alerts.actions` (or
`couples.actions.transition_case` to end a safety pause). Every form posts to its own URL and
works without JavaScript: POST, then redirect; bad input answers 422 with the page re-rendered
and the errors beside their fields. A refused fetch is a 404, like a missing row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rebond import access, audit
from rebond.accounts.http import AuthenticatedHttpRequest
from rebond.accounts.models import CrisisResource, User
from rebond.alerts import actions, clinic_safety, rules, safety_plans
from rebond.alerts.forms import (
    AlertRuleForm,
    CloseAlertForm,
    ConcernForm,
    CrisisResourceForm,
    EscalationWindowForm,
    ResumeCaseForm,
    SafetyPlanForm,
)
from rebond.alerts.models import Alert, AlertRuleSetting, SafetyPlan
from rebond.couples import actions as couple_actions
from rebond.couples.models import Couple, Partner, SafetyConcern
from rebond.lib.errors import ActionError
from rebond.lib.forms import add_action_errors

UNPROCESSABLE = 422
INBOX_LIMIT = 200
FILTERS = ("open", "closed", "all")


def _on_case_ids(user: User, couple_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Return which of these cases the clinician works on (a safety lead may not)."""
    if not couple_ids:
        return set()
    return set(
        access.couples_for_clinician(user).filter(id__in=couple_ids).values_list("id", flat=True)
    )


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    on_case: bool
    escalates_at: datetime | None


# --- The alert inbox --------------------------------------------------------------------------


@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the alerts addressed or escalated to the clinician: open first, by severity."""
    user = request.user
    state = request.GET.get("state", "open")
    if state not in FILTERS:
        state = "open"
    mine = access.alerts_for_clinician(user)
    counts = mine.aggregate(
        open=Count("pk", filter=Q(status__in=Alert.OPEN_STATUSES)),
        closed=Count("pk", filter=~Q(status__in=Alert.OPEN_STATUSES)),
    )
    listed = mine.select_related("couple", "subject_partner", "clinic")
    if state == "open":
        listed = listed.filter(status__in=Alert.OPEN_STATUSES)
    elif state == "closed":
        listed = listed.exclude(status__in=Alert.OPEN_STATUSES)
    listed = listed.annotate(
        is_closed=Case(
            When(status=Alert.Status.CLOSED, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("is_closed", "-severity", "-created_at")
    alerts = list(listed[: INBOX_LIMIT + 1])
    more = len(alerts) > INBOX_LIMIT
    alerts = alerts[:INBOX_LIMIT]
    on_case = _on_case_ids(user, {a.couple_id for a in alerts})
    rows = [AlertRow(a, a.couple_id in on_case, a.escalation_due_at) for a in alerts]
    return render(
        request,
        "alerts/inbox.html",
        {
            "rows": rows,
            "state": state,
            "counts": {"open": counts["open"], "closed": counts["closed"]},
            "total": counts["open"] + counts["closed"],
            "more": more,
            "limit": INBOX_LIMIT,
        },
    )


# --- One alert --------------------------------------------------------------------------------


def _alert_page(
    request: AuthenticatedHttpRequest,
    alert_id: uuid.UUID,
    *,
    close_form: forms.Form | None = None,
    resume_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    alert = access.get_alert_for_clinician(user, alert_id)
    with transaction.atomic():
        # Alerts are safety-restricted: every view is recorded (DOMAIN 4.6 point 7).
        audit.log(actor=user, action="alerts.alert.view", obj=alert, clinic_id=alert.clinic_id)
    partner = Partner.objects.get(pk=alert.subject_partner_id)
    submission = alert.source_submission
    instrument = submission.administration.instrument_code if submission else ""
    on_case = bool(_on_case_ids(user, {alert.couple_id}))
    recipients = list(alert.recipients.all())
    escalated_to = list(alert.escalated_to.all())
    couple = alert.couple
    is_paused = couple.status == Couple.Status.PAUSED_SAFETY
    pause = (
        couple.transitions.filter(to_status=Couple.Status.PAUSED_SAFETY).last()
        if is_paused
        else None
    )
    context: dict[str, Any] = {
        "alert": alert,
        "partner": partner,
        "couple": couple,
        "instrument": instrument,
        "submission": submission,
        "diary_entry": alert.source_diary_entry,
        "advice": rules.advice(submission.flags) if submission else [],
        "on_case": on_case,
        "recipients": recipients,
        "escalated_to": escalated_to,
        "escalated_names": ", ".join(person.display_name for person in escalated_to),
        "escalates_at": alert.escalation_due_at,
        "window": alert.clinic.high_alert_ack_minutes,
        "is_paused": is_paused,
        "pause": pause,
        "close_form": close_form or CloseAlertForm(prefix="close"),
        "resume_form": resume_form or ResumeCaseForm(prefix="resume"),
    }
    return render(request, "alerts/alert.html", context, status=status)


@require_GET
def alert_detail(request: AuthenticatedHttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    """Show one alert with what to do next: acknowledge, decide, close."""
    return _alert_page(request, alert_id)


def _to_alert(alert_id: uuid.UUID, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("alert", args=[alert_id]) + anchor)


@require_POST
def acknowledge(request: AuthenticatedHttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    """Acknowledge an alert: someone on the case has seen it (stops escalation)."""
    actions.acknowledge_alert(request.user, alert_id)
    messages.success(request, _("Alert acknowledged."))
    return _to_alert(alert_id)


@require_POST
def close(request: AuthenticatedHttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    """Close an alert with a disposition and a reason (false positives too)."""
    access.get_alert_for_clinician(request.user, alert_id)
    form = CloseAlertForm(request.POST, prefix="close")
    if form.is_valid():
        try:
            actions.close_alert(
                request.user,
                alert_id,
                disposition=form.cleaned_data["disposition"],
                reason=form.cleaned_data["reason"],
            )
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _alert_page(request, alert_id, close_form=form, status=UNPROCESSABLE)
    messages.success(request, _("Alert closed."))
    return _to_alert(alert_id)


@require_POST
def resume_case(request: AuthenticatedHttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    """Record the decision that ends a safety pause (a case transition with its reason)."""
    alert = access.get_alert_for_clinician(request.user, alert_id)
    form = ResumeCaseForm(request.POST, prefix="resume")
    if form.is_valid():
        try:
            couple_actions.transition_case(
                request.user,
                alert.couple_id,
                form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                override=form.cleaned_data["override"],
            )
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _alert_page(request, alert_id, resume_form=form, status=UNPROCESSABLE)
    messages.success(request, _("Decision recorded. The case has moved on from the safety pause."))
    return _to_alert(alert_id)


# --- The case's safety page -------------------------------------------------------------------


@dataclass
class PartnerSafety:
    partner: Partner
    concerns: list[tuple[SafetyConcern, forms.Form]]
    plans: list[SafetyPlan]


def _safety_page(
    request: AuthenticatedHttpRequest,
    couple_id: uuid.UUID,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    couple = access.get_couple_for_clinician(user, couple_id)
    with transaction.atomic():
        audit.log(
            actor=user, action="alerts.case_safety.view", obj=couple, clinic_id=couple.clinic_id
        )
    bound = bound or {}
    partners = list(couple.partners.all())
    concerns = list(couple.safety_concerns.select_related("other_partner"))
    plans = list(SafetyPlan.objects.filter(couple=couple).select_related("created_by"))
    alerts = list(
        access.alerts_for_clinician(user)
        .filter(couple=couple, status__in=Alert.OPEN_STATUSES)
        .select_related("subject_partner")
    )
    sections = []
    for partner in partners:
        rows = []
        for concern in concerns:
            if concern.subject_partner_id != partner.id:
                continue
            key = f"concern-{concern.id}"
            rows.append(
                (
                    concern,
                    bound.get(key)
                    or ConcernForm(
                        initial={"level": concern.level, "status": concern.status}, prefix=key
                    ),
                )
            )
        sections.append(
            PartnerSafety(partner, rows, [p for p in plans if p.partner_id == partner.id])
        )
    context = {
        "couple": couple,
        "sections": sections,
        "alerts": alerts,
        "is_paused": couple.status == Couple.Status.PAUSED_SAFETY,
    }
    return render(request, "alerts/case_safety.html", context, status=status)


@require_GET
def case_safety(request: AuthenticatedHttpRequest, couple_id: uuid.UUID) -> HttpResponse:
    """Show the case's safety concerns and each partner's safety plans (clinicians only)."""
    return _safety_page(request, couple_id)


@require_POST
def update_concern(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, concern_id: uuid.UUID
) -> HttpResponse:
    """Change a safety concern's level or status."""
    # Another case's concern is refused before its input is read, like any row not reachable.
    access.get_safety_concern_of_case(request.user, couple_id, concern_id)
    key = f"concern-{concern_id}"
    form = ConcernForm(request.POST, prefix=key)
    if form.is_valid():
        try:
            safety_plans.update_safety_concern(
                request.user,
                couple_id,
                concern_id,
                level=form.cleaned_data["level"],
                status=form.cleaned_data["status"],
            )
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _safety_page(request, couple_id, bound={key: form}, status=UNPROCESSABLE)
    messages.success(request, _("Safety concern updated."))
    return HttpResponseRedirect(reverse("case_safety", args=[couple_id]) + f"#{key}")


def _plan_form_page(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    partner: Partner,
    form: forms.Form,
    plan: SafetyPlan | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "alerts/safety_plan_form.html",
        {"couple": couple, "partner": partner, "form": form, "plan": plan},
        status=status,
    )


def _save_plan(
    request: AuthenticatedHttpRequest,
    couple: Couple,
    partner: Partner,
    plan: SafetyPlan | None,
) -> HttpResponse:
    form = SafetyPlanForm(request.POST)
    if form.is_valid():
        try:
            safety_plans.save_safety_plan(
                request.user,
                couple.id,
                partner.id,
                safety_plans.SafetyPlanDraft(**form.cleaned_data),
                plan_id=plan.id if plan else None,
            )
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _plan_form_page(request, couple, partner, form, plan, status=UNPROCESSABLE)
    messages.success(request, _("Safety plan saved."))
    return HttpResponseRedirect(
        reverse("case_safety", args=[couple.id]) + f"#partner-{partner.role}"
    )


@require_http_methods(["GET", "HEAD", "POST"])
def new_plan(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, partner_id: uuid.UUID
) -> HttpResponse:
    """Write a safety plan for one partner."""
    partner = access.get_partner_of_case(request.user, couple_id, partner_id)
    couple = partner.couple
    if request.method == "POST":
        return _save_plan(request, couple, partner, None)
    return _plan_form_page(request, couple, partner, SafetyPlanForm(), None)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_plan(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, plan_id: uuid.UUID
) -> HttpResponse:
    """Change a safety plan, or whether its own partner can see it."""
    plan = access.get_safety_plan_of_case(request.user, couple_id, plan_id)
    couple = plan.couple
    if request.method == "POST":
        return _save_plan(request, couple, plan.partner, plan)
    initial = {name: getattr(plan, name) for name in SafetyPlanForm.base_fields}
    return _plan_form_page(request, couple, plan.partner, SafetyPlanForm(initial=initial), plan)


@require_POST
def delete_plan(
    request: AuthenticatedHttpRequest, couple_id: uuid.UUID, plan_id: uuid.UUID
) -> HttpResponse:
    """Delete a safety plan."""
    safety_plans.delete_safety_plan(request.user, couple_id, plan_id)
    messages.success(request, _("Safety plan deleted."))
    return HttpResponseRedirect(reverse("case_safety", args=[couple_id]))


# --- The clinic's safety settings (clinic admins and safety leads) ----------------------------


@dataclass
class RuleRow:
    rule: rules.Rule
    setting: AlertRuleSetting | None
    form: forms.Form

    @property
    def enabled(self) -> bool:
        return self.setting.enabled if self.setting else True


def _settings_page(
    request: AuthenticatedHttpRequest,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    clinic = clinic_safety.get_settings_clinic(user)
    bound = bound or {}
    settings_by_rule = {s.rule: s for s in AlertRuleSetting.objects.filter(clinic=clinic)}
    rule_rows = []
    for rule in rules.RULES:
        setting = settings_by_rule.get(rule.code)
        initial = {
            "enabled": setting.enabled if setting else True,
            "threshold": (setting.threshold if setting and setting.threshold is not None else None)
            or (rule.thresholds[0] if rule.thresholds else None),
        }
        form = bound.get(f"rule-{rule.code}") or AlertRuleForm(
            initial=initial, prefix=f"rule-{rule.code}", thresholds=rule.thresholds, core=rule.core
        )
        rule_rows.append(RuleRow(rule, setting, form))
    clinicians = list(User.objects.filter(clinic=clinic, is_active=True).order_by("display_name"))
    context = {
        "clinic": clinic,
        "window_form": bound.get("window")
        or EscalationWindowForm(
            initial={"minutes": clinic.high_alert_ack_minutes}, prefix="window"
        ),
        "resources": list(CrisisResource.objects.filter(clinic=clinic)),
        "resource_form": bound.get("resource") or CrisisResourceForm(prefix="resource"),
        "clinicians": clinicians,
        "has_lead": any(c.is_safety_lead for c in clinicians),
        "may_set_leads": access.is_clinic_admin(user),
        "rule_rows": rule_rows,
    }
    return render(request, "alerts/settings.html", context, status=status)


def _to_settings(anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("safety_settings") + anchor)


@require_GET
def safety_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the clinic's safety settings: window, leads, crisis resources, rules."""
    return _settings_page(request)


@require_POST
def set_window(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set the escalation window of HIGH alerts."""
    clinic_safety.get_settings_clinic(request.user)
    form = EscalationWindowForm(request.POST, prefix="window")
    if form.is_valid():
        try:
            clinic_safety.set_escalation_window(request.user, form.cleaned_data["minutes"])
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _settings_page(request, bound={"window": form}, status=UNPROCESSABLE)
    messages.success(request, _("Escalation window saved."))
    return _to_settings("#escalation")


def _resource_draft(form: forms.Form) -> clinic_safety.CrisisResourceDraft:
    return clinic_safety.CrisisResourceDraft(**form.cleaned_data)


@require_POST
def add_resource(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add a crisis resource."""
    clinic_safety.get_settings_clinic(request.user)
    form = CrisisResourceForm(request.POST, prefix="resource")
    if form.is_valid():
        try:
            clinic_safety.save_crisis_resource(request.user, _resource_draft(form))
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _settings_page(request, bound={"resource": form}, status=UNPROCESSABLE)
    messages.success(request, _("Crisis resource added."))
    return _to_settings("#crisis-resources")


@require_http_methods(["GET", "HEAD", "POST"])
def edit_resource(request: AuthenticatedHttpRequest, resource_id: int) -> HttpResponse:
    """Change one crisis resource."""
    clinic = clinic_safety.get_settings_clinic(request.user)
    resource = clinic_safety.get_crisis_resource(clinic, resource_id)
    status = 200
    if request.method == "POST":
        form = CrisisResourceForm(request.POST)
        if form.is_valid():
            try:
                clinic_safety.save_crisis_resource(request.user, _resource_draft(form), resource.pk)
            except ActionError as error:
                add_action_errors(form, error)
        if not form.errors:
            messages.success(request, _("Crisis resource saved."))
            return _to_settings("#crisis-resources")
        status = UNPROCESSABLE
    else:
        form = CrisisResourceForm(
            initial={name: getattr(resource, name) for name in CrisisResourceForm.base_fields}
        )
    return render(
        request, "alerts/resource_form.html", {"form": form, "resource": resource}, status=status
    )


@require_POST
def delete_resource(request: AuthenticatedHttpRequest, resource_id: int) -> HttpResponse:
    """Remove one crisis resource."""
    clinic_safety.delete_crisis_resource(request.user, resource_id)
    messages.success(request, _("Crisis resource removed."))
    return _to_settings("#crisis-resources")


@require_POST
def set_lead(request: AuthenticatedHttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Give or take away a colleague's safety lead role (clinic admins only)."""
    make_lead = request.POST.get("is_safety_lead") == "yes"
    try:
        clinician = clinic_safety.set_safety_lead(request.user, user_id, is_safety_lead=make_lead)
    except ActionError as refused:
        messages.error(request, str(refused))
        return _to_settings("#safety-leads")
    if make_lead:
        said = _("%(name)s is now a safety lead.")
    else:
        said = _("%(name)s is no longer a safety lead.")
    messages.success(request, said % {"name": clinician.display_name})
    return _to_settings("#safety-leads")


@require_POST
def set_rule(request: AuthenticatedHttpRequest, rule_code: str) -> HttpResponse:
    """Turn an alert rule on or off, or change its threshold among the published values.

    A core safety rule is refused off here, in `clinic_safety.set_alert_rule` and by the database.
    """
    clinic_safety.get_settings_clinic(request.user)
    rule = next((r for r in rules.RULES if r.code == rule_code), None)
    if rule is None:
        raise Http404("No such rule.")
    key = f"rule-{rule.code}"
    form = AlertRuleForm(request.POST, prefix=key, thresholds=rule.thresholds, core=rule.core)
    if form.is_valid():
        try:
            clinic_safety.set_alert_rule(
                request.user,
                rule.code,
                enabled=form.cleaned_data["enabled"],
                threshold=form.cleaned_data.get("threshold"),
            )
        except ActionError as error:
            add_action_errors(form, error)
    if form.errors:
        return _settings_page(request, bound={key: form}, status=UNPROCESSABLE)
    messages.success(request, _("Rule saved: %(rule)s.") % {"rule": rule.label})
    return _to_settings(f"#{key}")
