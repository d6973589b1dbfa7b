"""Interop rows: API tokens (stored hashed, expiring, revocable) and background export and
import jobs."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rebond.crypto.fields import EncryptedJSONField, EncryptedTextField

TOKEN_PREFIX = "rbd_"  # noqa: S105 (a prefix that makes leaked tokens recognisable)
TOKEN_LIFETIME = timedelta(days=90)
# A 5,000-row import or a large caseload's export takes minutes; an hour means no worker.
JOB_STALE_AFTER = timedelta(hours=1)


def new_api_token() -> str:
    """Return a fresh token (shown once to its owner, never stored in clear)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    """Return the SHA-256 of a token: 256 bits of randomness need no slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """One clinician's API token; it reaches exactly what its owner reaches on the web."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text=_("What the token is for."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"API token {self.name}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > now()


class BackgroundJob(models.Model):
    """A caseload export or a CSV import run by the worker, with its progress and its result.

    Only the clinician who asked sees it (rebond/access/jobs.py). Its file, the uploaded CSV
    and the import's row errors are sealed under the job's own subject key, so the daily
    clean-up destroys that key once the job expires and no copy, backups included, opens again
    (rebond/ops/cleanup.py).
    """

    class Kind(models.TextChoices):
        RESEARCH_CSV = "research_csv", _("Research export (de-identified CSV)")
        FHIR_CASELOAD = "fhir_caseload", _("FHIR R4 bundle of every case")
        CSV_IMPORT = "csv_import", _("Import of historical scores")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", pgettext_lazy("a background job", "Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="background_jobs"
    )
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="+")
    # The case an import writes into; exports cover the clinician's whole caseload.
    couple = models.ForeignKey(
        "couples.Couple", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    include_risk = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=120, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The couples whose data the file holds: the download re-checks that the clinician still
    # works on every one of them.
    couple_ids = models.JSONField(default=list, blank=True)
    source = EncryptedTextField(blank=True, default="", respondent="self")
    result = EncryptedTextField(blank=True, default="", respondent="self")
    filename = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    imported = models.PositiveIntegerField(null=True, blank=True)
    row_errors = EncryptedJSONField(null=True, blank=True, respondent="self")
    # What went wrong, in words for the clinician; never a value from the data.
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at",)
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["expires_at"], name="interop_job_expires_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.status})"

    @property
    def is_import(self) -> bool:
        return self.kind == self.Kind.CSV_IMPORT

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_stale(self) -> bool:
        """Queued or running for longer than any export or import takes: its worker is down
        or died with it, so the page stops waiting and says so."""
        return self.is_busy and self.created_at < now() - JOB_STALE_AFTER

    def is_expired(self, at: datetime | None = None) -> bool:
        return self.expires_at <= (at or now())
