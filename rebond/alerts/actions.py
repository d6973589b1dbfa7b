"""Raising, acknowledging, escalating and closing alerts; delivering their notifications."""

from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.timezone import now

from rebond import audit
from rebond.accounts import access
from rebond.accounts.mail import clinic_email
from rebond.accounts.models import Clinic, CrisisResource, User
from rebond.alerts import rules
from rebond.alerts.models import Alert, AlertNotification, AlertRuleSetting, SafetyPlan
from rebond.assessments.models import Submission
from rebond.couples.models import CaseTransition, Couple, SafetyConcern


class AlertError(ValueError):
    """A refused alert action, with per-field messages for forms."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {"": [message]}


def case_clinicians(couple: Couple) -> list[User]:
    """Return the clinicians an alert on this case goes to: never a partner, never outsiders."""
    people = [couple.primary_clinician, *couple.co_clinicians.all()]
    if couple.supervisor is not None:
        people.append(couple.supervisor)
    unique = {person.pk: person for person in people if person.is_active}
    return [p for p in unique.values() if p.clinic_id == couple.clinic_id]


def raise_alerts_for(submission: Submission) -> list[Alert]:
    """Write the alerts a submission raises; must run in the submission's own transaction.

    1. Evaluate the rules with the clinic's settings.
    2. Write each alert with its recipients and one notification row per recipient.
    3. A HIGH alert pauses conjoint work at once (PAUSED_SAFETY, a system transition).
    4. Delivery is enqueued after commit; the rows exist even if delivery never runs.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("raise_alerts_for() must run inside the submission's transaction.")
    administration = submission.administration
    couple = administration.couple
    settings_rows = AlertRuleSetting.objects.filter(clinic_id=couple.clinic_id)
    drafts = rules.evaluate(
        administration.instrument_code,
        submission.answers,
        submission.flags,
        submission.band,
        enabled={row.rule: row.enabled for row in settings_rows},
        thresholds={row.rule: row.threshold for row in settings_rows if row.threshold is not None},
    )
    if not drafts:
        return []
    alerts = [write_alert(couple, administration.partner_id, draft, submission) for draft in drafts]
    if any(a.severity == Alert.Severity.HIGH for a in alerts):
        _pause_conjoint_work(couple)
    transaction.on_commit(_enqueue_delivery)
    return alerts


def write_alert(
    couple: Couple, subject_partner_id: uuid.UUID, draft: rules.AlertDraft, submission: Submission
) -> Alert:
    """Write one alert for the clinicians on the case, with its outbox rows, and audit it.

    The team is read after the audit entry is written: audit.log() holds the audit chain's
    lock until the transaction ends, and so does a case team change before it looks for the
    case's open alerts (rebond/couples/team.py). So a handover either committed before, and
    its new primary clinician is read here, or waits for this alert and then finds it: a
    safety alert is never addressed only to a team that has just left the case.
    """
    alert = Alert.objects.create(
        clinic_id=couple.clinic_id,
        couple=couple,
        subject_partner_id=subject_partner_id,
        type=draft.type,
        severity=draft.severity,
        rule=draft.rule,
        source_submission=submission,
    )
    audit.log(actor=None, action="alerts.alert.raise", obj=alert, clinic_id=couple.clinic_id)
    # Read again: the caller's couple may have been loaded before the chain's lock was held.
    team = Couple.objects.select_related("primary_clinician", "supervisor").get(pk=couple.pk)
    recipients = case_clinicians(team)
    alert.recipients.set(recipients)
    AlertNotification.objects.bulk_create(
        AlertNotification(alert=alert, recipient=person, kind=AlertNotification.Kind.NEW)
        for person in recipients
    )
    return alert


def raise_track_alert(
    submission: Submission, couple_signal: str, subject: tuple[uuid.UUID | None, bool]
) -> Alert | None:
    """Raise the not-on-track alert for a couple, unless one is still open or the rule is off.

    Called by `rebond.measurement.tracking` in the submission's transaction, after the couple's
    signal was recomputed; `subject` is the partner it is about and whether they got reliably
    worse.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("raise_track_alert() must run inside the submission's transaction.")
    couple = submission.administration.couple
    partner_id, deteriorated = subject
    setting = AlertRuleSetting.objects.filter(clinic_id=couple.clinic_id, rule="not_on_track")
    enabled = all(row.enabled for row in setting)
    draft = rules.evaluate_track(couple_signal, deteriorated=deteriorated, enabled=enabled)
    if draft is None or partner_id is None:
        return None
    still_open = Alert.objects.filter(couple=couple, rule=draft.rule).exclude(
        status=Alert.Status.CLOSED
    )
    if still_open.exists():
        return None
    alert = write_alert(couple, partner_id, draft, submission)
    transaction.on_commit(_enqueue_delivery)
    return alert


def _pause_conjoint_work(couple: Couple) -> None:
    locked = Couple.objects.select_for_update().get(pk=couple.pk)
    if locked.status != Couple.Status.CONJOINT_ACTIVE:
        return
    CaseTransition.objects.create(
        couple=locked,
        from_status=locked.status,
        to_status=Couple.Status.PAUSED_SAFETY,
        by=None,
        reason="Paused automatically by a HIGH safety alert until a clinician records a decision.",
    )
    locked.status = Couple.Status.PAUSED_SAFETY
    locked.save(update_fields=["status", "updated_at"])
    audit.log(
        actor=None,
        action="couples.case.pause_safety",
        obj=locked,
        clinic_id=locked.clinic_id,
        fields=["status"],
    )


def _enqueue_delivery() -> None:
    from rebond.alerts.tasks import deliver_alert_notifications

    deliver_alert_notifications.enqueue()


# --- Clinician actions ------------------------------------------------------------------------


@transaction.atomic
def acknowledge_alert(clinician: User, alert_id: uuid.UUID | str) -> Alert:
    """Acknowledge an alert: someone on the case has seen it (stops escalation)."""
    alert = access.get_alert_for_clinician(clinician, alert_id)
    if alert.status == Alert.Status.OPEN:
        alert.status = Alert.Status.ACKNOWLEDGED
        alert.acknowledged_by = clinician
        alert.acknowledged_at = now()
        alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        audit.log(
            actor=clinician,
            action="alerts.alert.acknowledge",
            obj=alert,
            clinic_id=alert.clinic_id,
            fields=["status"],
        )
    return alert


@transaction.atomic
def close_alert(
    clinician: User, alert_id: uuid.UUID | str, *, disposition: str, reason: str
) -> Alert:
    """Close an acknowledged alert with a disposition and a reason (false positives too)."""
    alert = access.get_alert_for_clinician(clinician, alert_id)
    errors: dict[str, list[str]] = {}
    if disposition not in Alert.Disposition.values:
        errors["disposition"] = ["Choose what was decided."]
    if not reason.strip():
        errors["reason"] = ["Record the reason for this decision."]
    if alert.status == Alert.Status.CLOSED:
        errors[""] = ["This alert is already closed."]
    if errors:
        raise AlertError("The alert could not be closed.", errors)
    if alert.status == Alert.Status.OPEN:
        alert.acknowledged_by, alert.acknowledged_at = clinician, now()
    alert.status = Alert.Status.CLOSED
    alert.disposition = disposition
    alert.disposition_reason = reason.strip()
    alert.closed_by, alert.closed_at = clinician, now()
    alert.save()
    audit.log(
        actor=clinician,
        action="alerts.alert.close",
        obj=alert,
        clinic_id=alert.clinic_id,
        fields=["status", "disposition", "disposition_reason"],
    )
    return alert


# --- Escalation and delivery (background work) ------------------------------------------------


def escalate_overdue_alerts(at: datetime | None = None) -> int:
    """Escalate every HIGH alert left unacknowledged past its clinic's window; return how many.

    Safe to run from several workers at once: each alert is claimed by a conditional UPDATE
    of `escalated_at`, so only one worker escalates it.
    """
    moment = at or now()
    count = 0
    candidates = Alert.objects.filter(
        status=Alert.Status.OPEN, severity=Alert.Severity.HIGH, escalated_at=None
    ).select_related("clinic", "couple")
    for alert in candidates:
        window = timedelta(minutes=alert.clinic.high_alert_ack_minutes)
        if alert.created_at + window > moment:
            continue
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=alert.pk, escalated_at=None).update(
                escalated_at=moment
            )
            if claimed != 1:
                continue  # Another worker escalated it first.
            leads = list(
                User.objects.filter(clinic_id=alert.clinic_id, is_safety_lead=True, is_active=True)
            )
            alert.escalated_to.set(leads)
            AlertNotification.objects.bulk_create(
                [
                    AlertNotification(
                        alert=alert, recipient=lead, kind=AlertNotification.Kind.ESCALATION
                    )
                    for lead in leads
                ],
                ignore_conflicts=True,
            )
            audit.log(
                actor=None, action="alerts.alert.escalate", obj=alert, clinic_id=alert.clinic_id
            )
            transaction.on_commit(_enqueue_delivery)
        count += 1
    return count


SUBJECT = "You have a priority item in Rebond"
logger = logging.getLogger(__name__)
# Failures that say the mail server itself is unreachable or not answering, not this message.
MAIL_SERVER_DOWN = (
    TimeoutError,
    ConnectionError,
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
)


def notification_body() -> str:
    """Return the whole e-mail: no names, no scores, no words about what happened."""
    return f"{SUBJECT}.\n\nPlease log in to Rebond to see it: {settings.SITE_URL}/alerts/\n"


def deliver_notifications(limit: int = 100) -> int:
    """Send unsent notifications; return how many were sent.

    Each row is claimed with a conditional UPDATE before sending (a lease, five minutes by
    default, so a worker killed mid-send leaves it for another after the lease), then marked
    sent. The
    Message-ID is the notification's id, so a rare resend after a crash between sending and
    marking is recognisable as the same message.

    The guarantee, exactly (rebond/alerts/tests/test_delivery_crash.py kills a worker at each
    point): every notification is delivered at least once, and at most once except after a
    crash in the one window nothing can close.
    - Killed before the claim: nothing happened; the next run sends it, once.
    - Killed after the claim, before the message is handed to the mail server: the row stays
      claimed; after the lease (ALERT_DELIVERY_LEASE_SECONDS) another run sends it, once.
    - Killed after the mail server accepted the message, before the row is marked sent: the
      row looks exactly like the case above, so after the lease it is sent again. Marking it
      sent first would instead lose it on a crash, which is worse for a safety alert, and an
      SMTP server cannot be asked whether it already took a message, so a second copy is the
      price of never losing one. That copy has the same Message-ID, so mail systems that
      de-duplicate by Message-ID drop it and a reader can tell it is the same nudge; the resend
      is logged (with the notification's id only). The window lasts one database UPDATE.
    A failed send (the server refused or was unreachable) releases the claim at once and is
    retried on the next run; it is never counted as sent. When the mail server does not answer
    (EMAIL_TIMEOUT) or drops the connection, the run stops there and leaves the rest for the
    next one: a hung server costs one timeout per run, not one per pending e-mail, so the
    safety sweep and the worker get back to escalating within seconds.
    """
    sent = 0
    stale = now() - timedelta(seconds=settings.ALERT_DELIVERY_LEASE_SECONDS)
    pending = (
        AlertNotification.objects.filter(sent_at=None)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=stale))
        .select_related("recipient__clinic")[:limit]
    )
    for notification in pending:
        token = uuid.uuid4()
        claimed = AlertNotification.objects.filter(
            Q(claimed_at=None) | Q(claimed_at__lt=stale), pk=notification.pk, sent_at=None
        ).update(claimed_at=now(), claim_token=token, attempts=notification.attempts + 1)
        if claimed != 1:
            continue
        if notification.claimed_at is not None:
            # The last worker that claimed it died before marking it: it may have sent it.
            logger.warning(
                "Alert notification %s: resending after an interrupted attempt.", notification.pk
            )
        message = clinic_email(
            notification.recipient.clinic,
            SUBJECT,
            notification_body(),
            [notification.recipient.email],
            headers={"Message-ID": f"<alert-notification-{notification.pk}@rebond>"},
        )
        try:
            message.send()
        except Exception as exc:
            AlertNotification.objects.filter(pk=notification.pk, claim_token=token).update(
                claimed_at=None, last_error=type(exc).__name__
            )
            logger.warning(
                "Alert notification %s not sent (%s); it will be retried.",
                notification.pk,
                type(exc).__name__,
            )
            if isinstance(exc, MAIL_SERVER_DOWN):
                break
            continue
        AlertNotification.objects.filter(pk=notification.pk, claim_token=token).update(
            sent_at=now()
        )
        sent += 1
    return sent


# --- Clinic safety settings (clinic admins and safety leads) ----------------------------------

ESCALATION_MINUTES = (5, 1440)  # the escalation window a clinic may choose, in minutes
RESOURCE_POSITION_MAX = 999


def can_manage_safety_settings(user: User) -> bool:
    """Return whether the user may change the clinic's safety settings (admins and leads)."""
    if not user.is_authenticated or not user.is_active or user.clinic_id is None:
        return False
    return bool(user.is_clinic_admin or user.is_safety_lead)


def get_settings_clinic(user: User) -> Clinic:
    """Return the clinic whose safety settings the user manages (admins and safety leads)."""
    return access.get_settings_clinic(user, safety_leads_too=True)


@transaction.atomic
def set_escalation_window(user: User, minutes: int | None) -> Clinic:
    """Set how long a HIGH alert may wait for acknowledgement before it escalates."""
    clinic = get_settings_clinic(user)
    low, high = ESCALATION_MINUTES
    if minutes is None or not low <= minutes <= high:
        raise AlertError(
            "The window could not be saved.",
            {"minutes": [f"Use a whole number of minutes from {low} to {high}."]},
        )
    if clinic.high_alert_ack_minutes != minutes:
        clinic.high_alert_ack_minutes = minutes
        clinic.save(update_fields=["high_alert_ack_minutes"])
        audit.log(
            actor=user,
            action="accounts.clinic.escalation_window",
            obj=clinic,
            clinic_id=clinic.id,
            fields=["high_alert_ack_minutes"],
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
            errors[name] = [f"Keep this to {limit} characters or fewer."]
    if not draft.name.strip():
        errors["name"] = ["Give the service's name."]
    if not (draft.phone.strip() or draft.text_number.strip() or draft.url.strip()):
        errors.setdefault("phone", []).append(
            "Give at least a phone number, a text number or a link."
        )
    if draft.url.strip() and "url" not in errors:
        try:
            URLValidator(schemes=["https", "http"])(draft.url.strip())
        except ValidationError:
            errors["url"] = ["Give a full web address, starting with https://."]
    if draft.position is None or not 0 <= draft.position <= RESOURCE_POSITION_MAX:
        errors["position"] = [f"Use a number from 0 to {RESOURCE_POSITION_MAX}."]
    return errors


@transaction.atomic
def save_crisis_resource(
    user: User, draft: CrisisResourceDraft, resource_id: int | None = None
) -> CrisisResource:
    """Add a crisis resource to the clinic, or change one of its own."""
    clinic = get_settings_clinic(user)
    resource = CrisisResource(clinic=clinic)
    if resource_id is not None:
        resource = get_crisis_resource(clinic, resource_id)
    errors = _validate_resource(draft)
    if errors:
        raise AlertError("The crisis resource could not be saved.", errors)
    values = {
        "name": draft.name.strip(),
        "phone": draft.phone.strip(),
        "text_number": draft.text_number.strip(),
        "url": draft.url.strip(),
        "hours": draft.hours.strip(),
        "position": draft.position,
    }
    changed = [name for name, value in values.items() if getattr(resource, name) != value]
    for name in changed:
        setattr(resource, name, values[name])
    if resource.pk is None:
        resource.save()
        audit.log(
            actor=user, action="accounts.crisis_resource.add", obj=resource, clinic_id=clinic.id
        )
    elif changed:
        resource.save(update_fields=changed)
        audit.log(
            actor=user,
            action="accounts.crisis_resource.update",
            obj=resource,
            clinic_id=clinic.id,
            fields=changed,
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
            raise AlertError(refused.message) from refused
    if clinician.is_safety_lead != is_safety_lead:
        clinician.is_safety_lead = is_safety_lead
        clinician.save(update_fields=["is_safety_lead"])
        audit.log(
            actor=admin,
            action="accounts.user.safety_lead",
            obj=clinician,
            clinic_id=admin.clinic_id,
            fields=["is_safety_lead"],
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
        raise AlertError(
            "The rule could not be saved.",
            {"enabled": [rules.CORE_RULE_ALWAYS_ON]},
        )
    if rule.thresholds and threshold not in rule.thresholds:
        allowed = ", ".join(str(t) for t in rule.thresholds)
        raise AlertError(
            "The rule could not be saved.",
            {"threshold": [f"Choose one of the published values ({allowed})."]},
        )
    if not rule.thresholds and threshold is not None:
        raise AlertError(
            "The rule could not be saved.", {"threshold": ["This rule has no threshold to set."]}
        )
    setting, created = AlertRuleSetting.objects.select_for_update().get_or_create(
        clinic=clinic, rule=rule.code, defaults={"enabled": enabled, "threshold": threshold}
    )
    changed = (
        []
        if created
        else [
            name
            for name, value in (("enabled", enabled), ("threshold", threshold))
            if getattr(setting, name) != value
        ]
    )
    for name in changed:
        setattr(setting, name, enabled if name == "enabled" else threshold)
    if changed:
        setting.save(update_fields=changed)
    if created or changed:
        audit.log(
            actor=user,
            action="alerts.rule.set",
            obj=setting,
            clinic_id=clinic.id,
            fields=changed or ["enabled", "threshold"],
        )
    return setting


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
    try:
        concern = couple.safety_concerns.select_for_update().get(pk=concern_id)
    except (SafetyConcern.DoesNotExist, ValidationError) as exc:
        raise Http404("Not found.") from exc
    errors: dict[str, list[str]] = {}
    if level not in SafetyConcern.Level.values:
        errors["level"] = ["Choose a level."]
    if status not in SafetyConcern.Status.values:
        errors["status"] = ["Choose a status."]
    if errors:
        raise AlertError("The safety concern could not be saved.", errors)
    changed = [
        name
        for name, value in (("level", level), ("status", status))
        if getattr(concern, name) != value
    ]
    if changed:
        concern.level, concern.status = level, status  # type: ignore[assignment]
        concern.save(update_fields=changed)
        audit.log(
            actor=clinician,
            action="couples.safety_concern.update",
            obj=concern,
            clinic_id=couple.clinic_id,
            fields=changed,
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
            errors[name] = [f"Keep this to {PLAN_TEXT_MAX} characters or fewer."]
    if not any(getattr(draft, name).strip() for name in PLAN_FIELDS):
        errors[""] = ["Write at least one part of the plan."]
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
    try:
        partner = couple.partners.get(pk=partner_id)
        plan = (
            SafetyPlan(couple=couple, partner=partner, created_by=clinician)
            if plan_id is None
            else SafetyPlan.objects.select_for_update().get(
                pk=plan_id, couple=couple, partner=partner
            )
        )
    except (ObjectDoesNotExist, ValidationError) as exc:
        raise Http404("Not found.") from exc
    errors = _plan_errors(draft)
    if errors:
        raise AlertError("The safety plan could not be saved.", errors)
    values: dict[str, object] = {name: getattr(draft, name).strip() for name in PLAN_FIELDS}
    values["shared_with_partner"] = draft.shared_with_partner
    changed = [name for name, value in values.items() if getattr(plan, name) != value]
    for name in changed:
        setattr(plan, name, values[name])
    if plan._state.adding:
        plan.save()
        audit.log(
            actor=clinician,
            action="alerts.safety_plan.create",
            obj=plan,
            clinic_id=couple.clinic_id,
            fields=changed,
        )
    elif changed:
        plan.save(update_fields=[*changed, "updated_at"])
        audit.log(
            actor=clinician,
            action="alerts.safety_plan.update",
            obj=plan,
            clinic_id=couple.clinic_id,
            fields=changed,
        )
    return plan


@transaction.atomic
def delete_safety_plan(
    clinician: User, couple_id: uuid.UUID | str, plan_id: uuid.UUID | str
) -> None:
    """Delete a safety plan (the audit trail keeps that it existed, never its words)."""
    couple = access.get_couple_for_clinician(clinician, couple_id)
    try:
        plan = SafetyPlan.objects.get(pk=plan_id, couple=couple)
    except (SafetyPlan.DoesNotExist, ValidationError) as exc:
        raise Http404("Not found.") from exc
    audit.log(
        actor=clinician, action="alerts.safety_plan.delete", obj=plan, clinic_id=couple.clinic_id
    )
    plan.delete()


# --- A case changes hands ---------------------------------------------------------------------


def address_open_alerts_to(couple: Couple, clinician: User, *, by: User) -> list[Alert]:
    """Add the clinician who takes a case over to the recipients of its alerts still open.

    An alert goes to the clinicians on the case when it is raised; whoever joins later is not
    a recipient (the case page tells them that alerts exist). The new primary clinician is the
    exception: without this, a safety alert raised before a handover could be left with
    nobody on the case able to open it once the old primary leaves the team. Each alert nobody
    has acknowledged yet also nudges them by e-mail (no clinical content). Call inside the
    handover's transaction; return the alerts they were added to.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("address_open_alerts_to() must run inside the handover's transaction.")
    alerts = list(
        Alert.objects.filter(clinic_id=couple.clinic_id, couple=couple)
        .exclude(status=Alert.Status.CLOSED)
        .exclude(recipients=clinician)
    )
    for alert in alerts:
        alert.recipients.add(clinician)
        if alert.status == Alert.Status.OPEN:
            AlertNotification.objects.bulk_create(
                [
                    AlertNotification(
                        alert=alert, recipient=clinician, kind=AlertNotification.Kind.NEW
                    )
                ],
                ignore_conflicts=True,
            )
        audit.log(
            actor=by,
            action="alerts.alert.address",
            obj=alert,
            clinic_id=alert.clinic_id,
            fields=["recipients"],
        )
    if any(alert.status == Alert.Status.OPEN for alert in alerts):
        transaction.on_commit(_enqueue_delivery)
    return alerts
