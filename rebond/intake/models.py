"""Consultation requests: the first, public contact with a clinic (issue 4, DOMAIN.md 4.6).

Someone whose partner may be watching their phone asks for a consultation. What they tell us
is clinical content: it is shown only to the clinic's clinicians (through `access.py`), never
copied into e-mails, logs, URLs or audit payloads.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rebond.accounts.models import Clinic
from rebond.crypto.fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField


class ConsultationRequest(models.Model):
    """One request for a consultation, sent through a clinic's public page."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("consultation request", "New")
        ACCEPTED = "accepted", pgettext_lazy("consultation request", "Accepted")
        DECLINED = "declined", pgettext_lazy("consultation request", "Declined")
        SPAM = "spam", pgettext_lazy("consultation request", "Spam")
        CONVERTED = "converted", pgettext_lazy("consultation request", "Converted to a case")

    # Statuses a clinician can still act on; the others are final.
    OPEN_STATUSES: ClassVar[frozenset[str]] = frozenset({Status.NEW, Status.ACCEPTED})

    class ContactMethod(models.TextChoices):
        # The same values as couples.ContactChannel.Kind, so a channel carries over as is.
        PHONE_CALL = "phone", _("Phone call")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("E-mail")

    class Concern(models.TextChoices):
        # The four kinds of betrayal of DOMAIN.md section 0, in the requester's words.
        INFIDELITY = "infidelity", _("An affair, sexual or emotional")
        BROKEN_TRUST = (
            "broken_trust",
            _("Broken trust: lying or hiding things, secret habits, crossed boundaries"),
        )
        ATTACHMENT_NEGLECT = (
            "attachment_neglect",
            _(
                "Feeling let down at a moment of need, for example"
                " “you weren’t there when my mother died”"  # noqa: RUF001 (the apostrophe the page shows)
            ),
        )
        SAFETY_THREAT = (
            "safety_threat",
            _(
                "Feeling unsafe: money gambled away, risky behaviour, being put down,"
                " threatened or hurt"
            ),
        )

    class FeelsSafe(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        NOT_SURE = "not_sure", _("Not sure")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="consultation_requests"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    name = EncryptedCharField(max_length=120, respondent="self")
    contact_method = models.CharField(max_length=8, choices=ContactMethod.choices)
    contact_value = EncryptedCharField(max_length=254, respondent="self")
    safe_times = EncryptedCharField(max_length=200, blank=True, respondent="self")
    may_leave_message = models.BooleanField()
    # The safe window as times (clinic time) for automated messages about a booked consultation;
    # empty: the clinic's default window (rebond/lib/safe_window.py).
    safe_from = models.TimeField(null=True, blank=True)
    safe_until = models.TimeField(null=True, blank=True)
    # Whether messages may name the clinic and what it is for; off: neutral wording only.
    may_mention_therapy = models.BooleanField(default=False, db_default=False)
    # A list of Concern values; a request may name several or none.
    concerns = EncryptedJSONField(default=list, blank=True, respondent="self")
    concerns_text = EncryptedTextField(max_length=2000, blank=True, respondent="self")
    feels_safe = EncryptedCharField(max_length=8, choices=FeelsSafe.choices, respondent="self")
    consented_at = models.DateTimeField()
    created_at = models.DateTimeField(default=now)
    # The idempotency key of the form that sent it (a random hidden field, new on every form):
    # the same form sent again, after a double tap or Back, is this request, not a second one.
    # NULL (not "") without a key, since NULLs never collide in the unique constraint below.
    submission_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Where the clinic referred the person when declining; shown to clinicians only.
    referral = EncryptedTextField(max_length=2000, blank=True, respondent="self")
    couple = models.OneToOneField(
        "couples.Couple",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            # The inbox: one clinic's requests, filtered by status, newest first
            # (intake/access.py requests_for_clinician, views.inbox), and the nav count.
            models.Index(fields=["clinic", "status", "-created_at"], name="request_inbox"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # One request per form sent (issue 15 C13); requests without a key never collide.
            models.UniqueConstraint(
                fields=["clinic", "submission_key"], name="request_sent_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"Consultation request {self.id}"

    @property
    def is_open(self) -> bool:
        """Return whether a clinician can still accept, decline or convert the request."""
        return self.status in self.OPEN_STATUSES

    @property
    def may_be_unsafe(self) -> bool:
        """Return whether the person did not say they feel safe at home."""
        return self.feels_safe != self.FeelsSafe.YES

    @property
    def concern_labels(self) -> list[str]:
        """Return the labels of the concerns the person chose, in the form's order."""
        chosen = set(self.concerns)
        return [str(c.label) for c in self.Concern if c.value in chosen]


class RateLimitHit(models.Model):
    """One accepted submission from one client address to one clinic's public form.

    Stored in the database so that every server process sees the same counts. The key is a
    keyed hash (HMAC with SECRET_KEY) of clinic and address: the raw IP is never stored.
    Rows older than the window are deleted whenever a new submission is checked.
    """

    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            # Counting one key's hits inside the window (ratelimit.is_limited).
            models.Index(fields=["key", "created_at"], name="ratelimit_key_time"),
            # Deleting every row older than the window (ratelimit.prune).
            models.Index(fields=["created_at"], name="ratelimit_time"),
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}… at {self.created_at:%Y-%m-%d %H:%M}"
