"""One append-only table of audit entries (SECURITY.md 164.312(b); STYLE.md 7.8 point 9)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now


class AuditEntry(models.Model):
    """One action by one actor on one record. Outlives what it describes."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=now)
    # DO_NOTHING without a database constraint: the entry must survive its actor's deletion.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    # Snapshot of who acted ("clinician:<email>", "partner:<id>", "public", "system").
    actor_label = models.CharField(max_length=200)
    clinic_id = models.UUIDField(null=True, db_index=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Names of the fields changed, never their values.
    fields = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    # One id per user action, shared by the entries it writes.
    request_id = models.UUIDField(default=uuid.uuid4)

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        indexes: ClassVar[list[models.Index]] = [
            # "What happened to this record?" (case history, audit review).
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once; an existing entry is never rewritten."""
        if not self._state.adding:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit entries are append-only.")
