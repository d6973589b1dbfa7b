"""Raising, acknowledging and closing alerts, and addressing them when a case changes hands.

Escalation and delivery are in delivery.py, the clinic's safety settings in safety_settings.py,
a case's safety concerns and plans in safety_plans.py.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from rebond import access, audit
from rebond.accounts.models import User
from rebond.alerts import rules
from rebond.alerts.delivery import enqueue_delivery
from rebond.alerts.models import Alert, AlertNotification, AlertRuleSetting
from rebond.assessments.models import Submission
from rebond.couples import lifecycle
from rebond.couples.models import Couple
from rebond.diary.models import DiaryEntry
from rebond.lib.errors import ActionError


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
    transaction.on_commit(enqueue_delivery)
    return alerts


def write_alert(
    couple: Couple,
    subject_partner_id: uuid.UUID,
    draft: rules.AlertDraft,
    submission: Submission | None = None,
    *,
    diary_entry: DiaryEntry | None = None,
) -> Alert:
    """Write one alert for the clinicians on the case, with its outbox rows, and audit it.

    Its source is a check-in's submission or a diary entry (exactly one of them).

    The team is read after the audit entry is written: audit.log() holds the audit chain's
    lock until the transaction ends, and so does a case team change before it looks for the
    case's open alerts (rebond/couples/team.py). So a handover either committed before, and
    its new primary clinician is read here, or waits for this alert and then finds it: a
    safety alert is never addressed only to a team that has just left the case.
    """
    if (submission is None) == (diary_entry is None):
        raise ValueError("An alert comes from one submission or one diary entry.")
    alert = Alert.objects.create(
        clinic_id=couple.clinic_id,
        couple=couple,
        subject_partner_id=subject_partner_id,
        type=draft.type,
        severity=draft.severity,
        rule=draft.rule,
        source_submission=submission,
        source_diary_entry=diary_entry,
    )
    audit.log(actor=None, action="alerts.alert.raise", obj=alert, clinic_id=couple.clinic_id)
    # Read again: the caller's couple may have been loaded before the chain's lock was held.
    team = Couple.objects.select_related("primary_clinician", "supervisor").get(pk=couple.pk)
    recipients = access.case_clinicians(team)
    alert.recipients.set(recipients)
    AlertNotification.objects.bulk_create(
        AlertNotification(alert=alert, recipient=person, kind=AlertNotification.Kind.NEW)
        for person in recipients
    )
    return alert


def raise_track_alert(
    submission: Submission, couple_signal: str, subject: tuple[uuid.UUID | None, bool]
) -> Alert | None:
    """Raise the progress alert for a couple, unless one is still open or the rule is off.

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
    if Alert.objects.open().filter(couple=couple, rule=draft.rule).exists():
        return None
    alert = write_alert(couple, partner_id, draft, submission)
    transaction.on_commit(enqueue_delivery)
    return alert


def raise_diary_alert(entry: DiaryEntry) -> Alert:
    """Raise the HIGH alert of a diary entry whose author said "right now I don't feel safe".

    Always on (a core rule: no clinic setting is read), and it pauses conjoint work like any
    HIGH alert (rules.py, `diary_not_safe`). Must run in the transaction that writes the entry,
    so an entry never exists without its alert. Nothing of the entry's own words is read.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("raise_diary_alert() must run inside the diary entry's transaction.")
    if not entry.not_safe_now:
        raise ValueError("Only an entry saying 'not safe right now' raises the diary alert.")
    couple = Couple.objects.get(pk=entry.couple_id)
    alert = write_alert(couple, entry.author_id, rules.DIARY_NOT_SAFE, diary_entry=entry)
    _pause_conjoint_work(couple)
    transaction.on_commit(enqueue_delivery)
    return alert


def _pause_conjoint_work(couple: Couple) -> None:
    """Pause a case in conjoint work (a system move, by nobody); any other case stays as it is."""
    locked = lifecycle.lock_case(couple.pk)
    if locked.status != Couple.Status.CONJOINT_ACTIVE:
        return
    lifecycle.move_case(
        locked,
        Couple.Status.PAUSED_SAFETY,
        by=None,
        reason="Paused automatically by a HIGH safety alert until a clinician records a decision.",
        audit_action="couples.case.pause_safety",
    )


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
        errors["disposition"] = [_("Choose what was decided.")]
    if not reason.strip():
        errors["reason"] = [_("Record the reason for this decision.")]
    if alert.status == Alert.Status.CLOSED:
        errors[""] = [_("This alert is already closed.")]
    if errors:
        raise ActionError(_("The alert could not be closed."), errors)
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
        Alert.objects.open()
        .filter(clinic_id=couple.clinic_id, couple=couple)
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
        transaction.on_commit(enqueue_delivery)
    return alerts
