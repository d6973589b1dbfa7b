"""Administrations of instruments to partners, their drafts and their submissions.

DOMAIN.md 7.1 (Assessment, Response). Answers are stored as the option's scored value from the
instrument's explicit option-to-value map, never as a position on the screen (INSTRUMENTS.md 6).
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from rebond.couples.models import Couple, Partner
from rebond.crypto.fields import (
    EncryptedCharField,
    EncryptedIntegerField,
    EncryptedJSONField,
)

_Row = TypeVar("_Row", bound="Administration")


class AdministrationQuerySet(models.QuerySet[_Row]):
    def open(self) -> AdministrationQuerySet[_Row]:
        """Check-ins a partner may still answer (`Administration.is_open`)."""
        return self.filter(status__in=Administration.OPEN_STATUSES)


class Administration(models.Model):
    """One instrument given to one partner, due at one time."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    # An open check-in may still be answered: not started, or started and not submitted.
    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (Status.SCHEDULED, Status.IN_PROGRESS)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="administrations")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="administrations")
    instrument_code = models.CharField(max_length=20)
    # Risk instruments can raise a risk flag; they are always scheduled for both partners at
    # the same time, and excluded from every couple-level view (DOMAIN 7.5).
    is_risk = models.BooleanField(default=False)
    # Administrations scheduled together for both partners share this id (symmetry).
    schedule_group = models.UUIDField(default=uuid.uuid4)
    # Typed by the clinician, so sealed like every free text, and never shown to partners.
    occasion = EncryptedCharField(
        max_length=60, blank=True, respondent="partner", help_text=_('E.g. "Intake", "Session 4".')
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    # The language the questionnaire is given in (a code of settings.LANGUAGES): the partner's
    # at scheduling time. Its wording is shown in it; scoring never depends on it.
    language = models.CharField(max_length=20, default="en", db_default="en")
    due_at = models.DateTimeField(default=now)
    created_at = models.DateTimeField(default=now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Issued by the server with the form; the final submit must echo it (idempotent submit).
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True)

    objects = AdministrationQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["due_at", "instrument_code"]
        indexes: ClassVar[list[models.Index]] = [
            # A partner's list of check-ins to do, and a clinician's view per partner.
            models.Index(fields=["partner", "status"], name="administration_partner_status"),
            # The caseload's count of overdue check-ins per couple (measurement/caseload.py).
            models.Index(fields=["couple", "status", "due_at"], name="administration_couple_open"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} for {self.partner_id}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class DraftAnswer(models.Model):
    """One autosaved answer of an administration not yet submitted."""

    id = models.BigAutoField(primary_key=True)
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="draft_answers"
    )
    item_number = models.PositiveSmallIntegerField()
    # Bound to (administration, item): the id is assigned by the database, and autosave
    # upserts on this unique pair anyway (rebond/crypto/fields.py, row identity).
    value = EncryptedIntegerField(
        respondent="administration", row=("administration", "item_number")
    )
    saved_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["item_number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # One current answer per item: autosave upserts on this key.
            models.UniqueConstraint(
                fields=["administration", "item_number"], name="draft_one_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"item {self.item_number}"


class Submission(models.Model):
    """The final, scored answers of an administration. Written once, in one transaction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, related_name="submission"
    )
    submission_key = models.UUIDField(unique=True)
    # Answers, scores and flags are sealed (SECURITY.md CR-01); no query filters on them.
    answers = EncryptedJSONField(
        help_text=_("{item number: scored value or null}"), respondent="administration"
    )
    scores = EncryptedJSONField(default=dict, respondent="administration")
    total = EncryptedJSONField(null=True, blank=True, respondent="administration")
    band = EncryptedCharField(max_length=80, blank=True, respondent="administration")
    flags = EncryptedJSONField(default=list, respondent="administration")
    complete = models.BooleanField()
    missing = EncryptedJSONField(default=list, respondent="administration")
    submitted_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["submitted_at"]

    def __str__(self) -> str:
        return f"submission of {self.administration_id}"

    @property
    def has_risk_flag(self) -> bool:
        return any(flag.get("risk") for flag in self.flags)

    def answer_for(self, item_number: int) -> Any:
        return self.answers.get(str(item_number))


class Occasion(models.TextChoices):
    """When in a case a set of questionnaires is given (DOMAIN.md 8)."""

    INTAKE = "intake", _("Intake")
    EVERY_SESSION = "every_session", _("Every session")
    SESSION_4 = "session_4", _("Session 4")
    EVERY_5_SESSIONS = "every_5_sessions", _("Every 5 sessions")
    END = "end", _("End of therapy")
    FOLLOW_UP = "follow_up", _("Follow-up")


class ScheduleRule(models.Model):
    """One instrument in one occasion's set: the clinic's default, or one case's override.

    A clinic (or case) with no row for an occasion uses the level above: the case falls back to
    the clinic, the clinic to `rebond.assessments.schedule.DEFAULT_SCHEDULE`. Once a level has
    rows for an occasion, its active rows are that occasion's whole set (none active = empty).
    """

    id = models.BigAutoField(primary_key=True)
    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.CASCADE, related_name="schedule_rules"
    )
    couple = models.ForeignKey(
        Couple,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedule_rules",
        help_text=_("Empty for the clinic's default; set for one case's own schedule."),
    )
    occasion = models.CharField(max_length=20, choices=Occasion.choices)
    instrument_code = models.CharField(max_length=20)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["occasion", "instrument_code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # One row per instrument and occasion at each level: saving a set upserts on these.
            models.UniqueConstraint(
                fields=["clinic", "occasion", "instrument_code"],
                condition=models.Q(couple__isnull=True),
                name="schedule_rule_one_per_clinic",
            ),
            models.UniqueConstraint(
                fields=["couple", "occasion", "instrument_code"],
                condition=models.Q(couple__isnull=False),
                name="schedule_rule_one_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} at {self.occasion}"


class ClinicCheckinSettings(models.Model):
    """A clinic's reminder rules for check-ins left open (absent = the defaults)."""

    DEFAULT_REMIND_AFTER_DAYS = 3
    DEFAULT_MAX_REMINDERS = 2

    clinic = models.OneToOneField(
        "accounts.Clinic", on_delete=models.CASCADE, related_name="checkin_settings"
    )
    remind_after_days = models.PositiveSmallIntegerField(default=DEFAULT_REMIND_AFTER_DAYS)
    # 0 turns reminders off.
    max_reminders = models.PositiveSmallIntegerField(default=DEFAULT_MAX_REMINDERS)
    updated_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"check-in settings of {self.clinic_id}"


class InstrumentApproval(models.Model):
    """A clinic's informed choice to offer one instrument kept out of the default catalogue.

    `psychometrics` keeps an instrument out of the default catalogue when part of its scoring
    key was not checked against a primary source (`Instrument.unverified`, e.g. the CSI-16's
    semantic-differential items). A clinic admin who has checked the key against the authors'
    form may offer it at their clinic. The reason they were shown is kept with the approval,
    and every result of such an instrument says its key is not verified by Rebond.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.CASCADE, related_name="instrument_approvals"
    )
    instrument_code = models.CharField(max_length=20)
    reason_shown = models.TextField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # One approval per clinic and instrument; withdrawing deletes it.
            models.UniqueConstraint(
                fields=["clinic", "instrument_code"], name="instrument_approval_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} approved at {self.clinic_id}"


class CheckinReminder(models.Model):
    """One reminder about one open administration; one e-mail covers a partner's whole batch.

    The row is written (claimed) before the e-mail is queued, in the same transaction as the
    link it carries; the unique constraint makes a second, concurrent sweep fail its claim, so
    nothing is sent twice and the clinic's limit holds.
    """

    id = models.BigAutoField(primary_key=True)
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="reminders"
    )
    number = models.PositiveSmallIntegerField(help_text=_("1 for the first reminder, and so on."))
    link = models.ForeignKey(
        "portal.PrivateLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # The claim: the n-th reminder of an administration exists at most once.
            models.UniqueConstraint(
                fields=["administration", "number"], name="reminder_once_per_number"
            ),
        ]

    def __str__(self) -> str:
        return f"reminder {self.number} of {self.administration_id}"
