"""Alerts and their delivery outbox (DOMAIN.md 4.6 and 7.1 Alert; SECURITY.md RL-12).

Recipients are clinicians only; there is no path from an alert to a partner.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from rebond.accounts.models import Clinic
from rebond.assessments.models import Submission
from rebond.couples.models import Couple, Partner
from rebond.crypto.fields import EncryptedTextField
from rebond.diary.models import DiaryEntry

_Row = TypeVar("_Row", bound="Alert")


class AlertQuerySet(models.QuerySet[_Row]):
    """The states of an alert the app asks about, each named once."""

    def open(self) -> AlertQuerySet[_Row]:
        """Alerts not closed yet: unacknowledged or acknowledged (`Alert.is_open`)."""
        return self.filter(status__in=Alert.OPEN_STATUSES)

    def awaiting_escalation(self) -> AlertQuerySet[_Row]:
        """HIGH alerts nobody acknowledged nor escalated yet (`Alert.escalation_due_at`)."""
        return self.filter(
            status=Alert.Status.OPEN, severity=Alert.Severity.HIGH, escalated_at=None
        )


class Alert(models.Model):
    class Type(models.TextChoices):
        SUICIDE_RISK = "suicide_risk", _("Suicide risk screen positive")
        IPV_SCREEN_POSITIVE = "ipv_screen_positive", _("Partner violence screen positive")
        SEVERE_SCORE = "severe_score", _("Very severe score")
        RELIABLE_DETERIORATION = "reliable_deterioration", _("Reliable deterioration")
        NOT_ON_TRACK = "not_on_track", _("Progress to review")
        NOT_SAFE_NOW = "not_safe_now", _("Said they don't feel safe right now (diary)")

    class Severity(models.IntegerChoices):
        INFO = 1, _("Info")
        PRIORITY = 2, _("Priority")
        HIGH = 3, _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Closed")

    # An open alert is one nobody closed yet, acknowledged or not.
    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (Status.OPEN, Status.ACKNOWLEDGED)

    class Disposition(models.TextChoices):
        CONTINUE_CONJOINT = "continue_conjoint", _("Continue conjoint work")
        PAUSE_CONJOINT = "pause_conjoint", _("Pause conjoint work")
        INDIVIDUAL_ONLY = "individual_only", _("Individual work only")
        REFERRED = "referred", _("Referred for further assessment or care")
        SAFETY_PLAN = "safety_plan", _("Safety plan made")
        FALSE_POSITIVE = "false_positive", _("False positive")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="alerts")
    subject_partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=30, choices=Type.choices)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices)
    rule = models.CharField(max_length=40, help_text="The rule that raised it (alerts/rules.py).")
    source_submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A diary entry whose author said "right now I don't feel safe" (rule diary_not_safe).
    source_diary_entry = models.ForeignKey(
        DiaryEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="alerts")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="escalated_alerts", blank=True
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    disposition_reason = EncryptedTextField(blank=True, respondent="subject_partner")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-severity", "-created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # One alert per rule per submission: a retried submit can never raise it twice.
            models.UniqueConstraint(
                fields=["source_submission", "rule"], name="alert_once_per_rule_and_submission"
            ),
            # One alert per rule per diary entry, likewise.
            models.UniqueConstraint(
                fields=["source_diary_entry", "rule"], name="alert_once_per_rule_and_diary_entry"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The priority banner and the escalation sweep look for open alerts per clinic.
            models.Index(fields=["clinic", "status", "severity"], name="alert_open_by_clinic"),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.get_type_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def escalation_due_at(self) -> datetime | None:
        """When it escalates to the safety leads unless acknowledged first, or None.

        Only a HIGH alert nobody acknowledged nor escalated yet escalates: its clinic's window
        (`Clinic.high_alert_ack_minutes`) after it was raised.
        """
        if self.severity != self.Severity.HIGH or self.status != self.Status.OPEN:
            return None
        if self.escalated_at is not None:
            return None
        return self.created_at + timedelta(minutes=self.clinic.high_alert_ack_minutes)


class AlertNotification(models.Model):
    """One out-of-band nudge to one clinician, with no clinical content (outbox row)."""

    class Kind(models.TextChoices):
        NEW = "new", _("New alert")
        ESCALATION = "escalation", _("Escalation")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(default=now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["alert", "recipient", "kind"], name="notification_once_per_recipient"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The delivery worker's claim query: unsent rows, oldest first.
            models.Index(fields=["sent_at", "created_at"], name="notification_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


# PHQ-9 item 9 > 0, ASQ positive, HARK or HITS positive, a diary's "right now I don't feel
# safe" (rebond/alerts/rules.py).
CORE_ALERT_RULES = frozenset({"phq9_item9", "asq", "ipv_screen", "diary_not_safe"})


class AlertRuleSetting(models.Model):
    """A clinic's choice for one rule: on or off, and a threshold among the published values.

    The core safety rules (issue 15 B6; INSTRUMENTS.md 6.7 "risk routing") are always on: a
    clinic may only make them stricter (a lower PHQ-9 item 9 threshold). The database refuses a
    row that switches one off, whoever writes it.
    """

    CORE_RULES: ClassVar[frozenset[str]] = CORE_ALERT_RULES

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="alert_rules")
    rule = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    threshold = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["clinic", "rule"], name="alert_rule_once_per_clinic"),
            models.CheckConstraint(
                condition=models.Q(enabled=True) | ~models.Q(rule__in=sorted(CORE_ALERT_RULES)),
                name="core_alert_rules_always_on",
                violation_error_message="A core safety rule is always on.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({'on' if self.enabled else 'off'})"


class SafetyPlan(models.Model):
    """One partner's safety plan (DOMAIN 7.1 SafetyPlan; SAFETY_RESTRICTED, DOMAIN 7.5).

    Written by the clinicians on the case. It may be shared with its own partner, never with
    the other one: `shared_with_partner` means "with `partner`" and nobody else, and
    `rebond.access.plans_visible_to_partner` is the only way a partner reaches it.
    The sections follow the Stanley-Brown safety planning intervention.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="safety_plans")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="safety_plans")
    warning_signs = EncryptedTextField(blank=True, respondent="partner")
    coping_steps = EncryptedTextField(blank=True, respondent="partner")
    people_and_places = EncryptedTextField(blank=True, respondent="partner")
    professional_contacts = EncryptedTextField(blank=True, respondent="partner")
    making_environment_safe = EncryptedTextField(blank=True, respondent="partner")
    shared_with_partner = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]
        indexes: ClassVar[list[models.Index]] = [
            # plans_visible_to_partner(): one partner's shared plans.
            models.Index(fields=["partner", "shared_with_partner"], name="safetyplan_partner"),
        ]

    def __str__(self) -> str:
        return f"Safety plan for {self.partner_id}"
