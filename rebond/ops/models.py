"""What an operator needs to see the service is alive: the background workers' heartbeats."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time one background worker process was seen alive (`rebond worker`), or the
    last time a run of `rebond safety_sweep` finished on a host (worker id "safety-sweep:<host>").

    One row per worker id, updated in place; /healthz reads the newest of each kind.
    No clinical content: a process name and a time.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
