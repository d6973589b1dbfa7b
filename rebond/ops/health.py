"""The health checks behind /healthz: the database answers and a worker beat recently."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.timezone import now

from rebond.ops.models import WorkerHeartbeat


def beat(worker_id: str) -> None:
    """Record that the worker `worker_id` is alive now."""
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now()})


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
        return {"database": "unreachable", "worker": "unknown"}
    results["database"] = "ok"
    if settings.TASKS["default"]["BACKEND"] != WORKER_BACKEND:
        results["worker"] = "not needed"
        return results
    limit = timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    newest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if newest is None:
        results["worker"] = "never seen"
    elif now() - newest > limit:
        results["worker"] = f"last seen {int((now() - newest).total_seconds())} s ago"
    else:
        results["worker"] = "ok"
    return results
