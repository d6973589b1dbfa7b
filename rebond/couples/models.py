"""A couple's case and its partners (DOMAIN.md 7.1 Couple and Partner, 7.2 lifecycle).

Never query these models directly from a view: fetch through `rebond.accounts.access`, which
scopes every query to the clinician's clinic and own cases.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from rebond.accounts.models import Clinic


class Couple(models.Model):
    """The case: the couple is the identified client, treated by one or more clinicians."""

    class Status(models.TextChoices):
        # DOMAIN.md 7.2, in lifecycle order.
        REFERRED = "referred", "Referred"
        INTAKE_SCHEDULED = "intake_scheduled", "Intake scheduled"
        ASSESSMENT = "assessment", "Assessment"
        CONJOINT_ACTIVE = "conjoint_active", "Conjoint therapy"
        INDIVIDUAL_ONLY = "individual_only", "Individual work only"
        PAUSED_SAFETY = "paused_safety", "Paused for safety"
        DISCERNMENT = "discernment", "Discernment"
        SEPARATION_SUPPORT = "separation_support", "Separation support"
        TERMINATION_PLANNED = "termination_planned", "Ending planned"
        FOLLOW_UP = "follow_up", "Follow-up"
        REFERRED_OUT = "referred_out", "Referred out"
        DROPPED_OUT = "dropped_out", "Dropped out"
        CLOSED = "closed", "Closed"
        ARCHIVED = "archived", "Archived"

    # Statuses that are no longer on anyone's working caseload.
    INACTIVE_STATUSES: ClassVar[frozenset[str]] = frozenset(
        {Status.REFERRED_OUT, Status.DROPPED_OUT, Status.CLOSED, Status.ARCHIVED}
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="couples")
    # The clinician's short label for the case, e.g. "Rivera & Chen"; never shown to partners.
    label = models.CharField(max_length=120)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.REFERRED)
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="primary_couples"
    )
    co_clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="co_couples", blank=True
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_couples",
        null=True,
        blank=True,
    )
    opened_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["label"]
        indexes: ClassVar[list[models.Index]] = [
            # The access gateway's first filter and the caseload's sort (accounts/access.py).
            models.Index(fields=["clinic", "primary_clinician"], name="couple_clinic_primary"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_active(self) -> bool:
        """Return whether the case belongs on a working caseload."""
        return self.status not in self.INACTIVE_STATUSES


class Partner(models.Model):
    """One member of the couple; answers questionnaires through private links, never logs in."""

    class Role(models.TextChoices):
        # A stable, neutral role for dyadic analyses (actor-partner models need it).
        A = "A", "Partner A"
        B = "B", "Partner B"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="partners")
    role = models.CharField(max_length=1, choices=Role.choices)
    display_name = models.CharField(max_length=120)
    pronouns = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["role"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # A couple has exactly one partner A and one partner B.
            models.UniqueConstraint(fields=["couple", "role"], name="partner_one_per_role"),
        ]

    def __str__(self) -> str:
        return self.display_name
