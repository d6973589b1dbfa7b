"""The health checks behind /healthz: the database answers, a worker beat recently, and the
safety sweep finished a round recently."""

from __future__ import annotations

import socket
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.utils.timezone import now

from rebond.ops.models import WorkerHeartbeat

# The safety sweep's heartbeats share the table under this prefix, one row per host.
SAFETY_SWEEP_PREFIX = "safety-sweep:"


def beat(worker_id: str) -> None:
    """Record that the worker `worker_id` is alive now."""
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now()})


def safety_sweep_beat() -> None:
    """Record that a round of `rebond safety_sweep` on this host has just finished."""
    beat(f"{SAFETY_SWEEP_PREFIX}{socket.gethostname()}"[:64])


def _freshness(heartbeats: QuerySet[WorkerHeartbeat], max_age_seconds: int) -> str:
    newest = heartbeats.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if newest is None:
        return "never seen"
    age = now() - newest
    if age > timedelta(seconds=max_age_seconds):
        return f"last seen {int(age.total_seconds())} s ago"
    return "ok"


# The task backend that needs `rebond worker` processes; with any other (the test suite's
# immediate backend runs tasks in the web process) there is no worker to check.
WORKER_BACKEND = "django_tasks_db.DatabaseBackend"
PASSING = frozenset({"ok", "not needed"})


def checks() -> dict[str, str]:
    """Return each check's outcome: "ok" (or "not needed"), else why it failed.

    No clinical content and no version, whoever asks.
    """
    results: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return {"database": "unreachable", "worker": "unknown", "safety_sweep": "unknown"}
    results["database"] = "ok"
    sweeps = WorkerHeartbeat.objects.filter(worker_id__startswith=SAFETY_SWEEP_PREFIX)
    workers = WorkerHeartbeat.objects.exclude(worker_id__startswith=SAFETY_SWEEP_PREFIX)
    if settings.TASKS["default"]["BACKEND"] != WORKER_BACKEND:
        results["worker"] = "not needed"
    else:
        results["worker"] = _freshness(workers, settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    # Every installation needs the sweep: it is what escalates unacknowledged HIGH alerts.
    results["safety_sweep"] = _freshness(sweeps, settings.SAFETY_SWEEP_MAX_AGE_SECONDS)
    return results
