"""Retention policies, the notices sent ahead of erasures, requests to erase one partner's
data, and the tombstones left by every erasure.

None of these rows holds personal data: ids, dates, counts and reason codes only. A tombstone
outlives what it names, so it keeps the erased row's id as a plain value, not a foreign key.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from rebond.accounts.models import Clinic
from rebond.couples.models import Couple, Partner

# The longest period the page offers. Record-keeping rules for health records run from a few
# years to several decades after the last contact (longer for minors); a clinic that must keep
# longer chooses "keep indefinitely". A bound only against typing errors, not a legal number.
MAX_KEEP_YEARS = 100
MAX_NOTICE_DAYS = 365
DEFAULT_NOTICE_DAYS = 30


class RetentionPolicy(models.Model):
    """How long a clinic keeps closed cases; a clinic without a row keeps them indefinitely."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="retention_policy")
    # None: keep closed cases indefinitely (the default: nothing is erased unless an admin
    # chose a period).
    keep_years = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=None,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_KEEP_YEARS)],
    )
    notice_days = models.PositiveSmallIntegerField(
        default=DEFAULT_NOTICE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_NOTICE_DAYS)],
    )
    # The clinic day the period was last set or shortened: nothing becomes erasable before
    # this day plus the notice period, so a new or shorter period never erases unannounced.
    changed_on = models.DateField(default=date.today)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Retention policy of {self.clinic_id}"

    @classmethod
    def of_clinic(cls, clinic_id: uuid.UUID) -> RetentionPolicy:
        """Return the clinic's policy, or the default (keep indefinitely) when it has none."""
        found = cls.objects.filter(clinic_id=clinic_id).first()
        return found or cls(clinic_id=clinic_id)

    @property
    def keeps_indefinitely(self) -> bool:
        return self.keep_years is None


class RetentionNotice(models.Model):
    """The clinic's admins were told that closed cases will be erased on one day.

    One row per clinic and erasure day, so a notice is given once however often the sweep
    runs; `emailed_at` stays empty until the e-mail went out (a failed send is retried).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    erase_on = models.DateField()
    case_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["erase_on"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["clinic", "erase_on"], name="retention_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_count} cases on {self.erase_on}"


class ErasureReason(models.TextChoices):
    """Why something was erased: the code the audit entry and the tombstone carry."""

    RETENTION_ENDED = "retention_ended", _("The clinic's retention period ended")
    PERSON_REQUESTED = "person_requested", _("The person asked for their data to be erased")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("The person withdrew the consent it relied on")
    NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed for the purpose it was kept for")
    # `rebond restore` of a backup older than an erasure: the erasure is carried out again.
    RESTORED_AFTER_ERASURE = (
        "restored_after_erasure",
        _("Erased before; brought back by the restore of an older backup"),
    )


# The reasons a clinic admin may give for erasing one partner's data (GDPR Art. 17(1)).
REQUEST_REASONS = (
    ErasureReason.PERSON_REQUESTED,
    ErasureReason.CONSENT_WITHDRAWN,
    ErasureReason.NO_LONGER_NEEDED,
)


class ErasureRequest(models.Model):
    """A clinic admin's request to erase one partner's own data, waiting for a second person."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        DONE = "done", _("Approved and erased")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=24, choices=ErasureReason.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=now)
    # Who approved or cancelled it, and when.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # The four-eyes rule, kept by the database too.
            models.CheckConstraint(
                condition=~models.Q(status="done", decided_by=models.F("requested_by")),
                name="erasure_not_approved_by_requester",
            ),
            models.UniqueConstraint(
                fields=["partner"],
                condition=models.Q(status="pending"),
                name="erasure_one_pending_per_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"erasure request {self.id} ({self.status})"


class ErasureRecord(models.Model):
    """The tombstone of one erasure: what kind of thing, its id, when, why, who approved."""

    class Kind(models.TextChoices):
        CASE = "case", _("A case")
        PARTNER = "partner", _("One partner's own data")
        REQUEST = "request", _("A consultation request that never became a case")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The erased case's or partner's id: a plain value, since the row is gone.
    object_id = models.UUIDField()
    erased_at = models.DateTimeField(default=now)
    reason = models.CharField(max_length=24, choices=ErasureReason.choices)
    rows_erased = models.PositiveIntegerField(default=0)
    # Empty for the retention sweep: the clinic's policy, set by an admin, approved it.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-erased_at"]

    def __str__(self) -> str:
        return f"erased {self.kind} {self.object_id}"
