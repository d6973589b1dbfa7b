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


class ScheduledRun(models.Model):
    """When a periodic job last started, shared by every worker on one database.

    A worker claims a run by moving `started_at` forward with one conditional UPDATE, so of
    several workers (or a worker restarted in a loop) exactly one starts each run
    (rebond/ops/cleanup.py). No clinical content: a job name and a time.
    """

    job = models.CharField(max_length=64, unique=True)
    # Empty until the job first starts.
    started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.job} started {self.started_at}"
