"""`rebond worker`: django-tasks' db_worker plus a heartbeat that /healthz reads.

The heartbeat comes from a thread of the worker process, written every
WORKER_HEARTBEAT_SECONDS while the worker's main thread is alive: a killed or crashed worker
stops beating, and /healthz turns 503 once the newest beat is older than
WORKER_HEARTBEAT_MAX_AGE_SECONDS. (A task stuck for ever would still beat; task timeouts
are the tasks' own business.)

A second thread runs the daily clean-up (rebond/ops/cleanup.py): it checks every
CLEANUP_CHECK_SECONDS, the first time at start-up, whether a run is due, and the database
decides which one worker starts it. A thread of its own, so a long clean-up never delays a
heartbeat or a task.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from rebond.ops import cleanup
from rebond.ops.health import beat

logger = logging.getLogger(__name__)

# How often the clean-up thread asks whether the daily run is due: an hour late at most.
CLEANUP_CHECK_SECONDS = 60 * 60


def heartbeat_loop(worker_id: str, stop: threading.Event) -> None:
    main = threading.main_thread()
    while main.is_alive() and not stop.is_set():
        try:
            close_old_connections()
            beat(worker_id)
        except DatabaseError:
            logger.warning("worker heartbeat not written (database error)")
        stop.wait(settings.WORKER_HEARTBEAT_SECONDS)
    connection.close()


def cleanup_loop(stop: threading.Event) -> None:
    """Run the clean-up when due, now and then every CLEANUP_CHECK_SECONDS, until `stop` is set
    or the worker's main thread ends."""
    main = threading.main_thread()
    while True:
        try:
            close_old_connections()
            cleanup.run_if_due()
        except Exception:
            # The worker's job is its tasks: a failed clean-up is logged and tried again on a
            # later day (the claim already moved the schedule on), never the end of the worker.
            logger.exception("clean-up failed")
        if stop.wait(CLEANUP_CHECK_SECONDS) or not main.is_alive():
            break
    connection.close()


class Command(DbWorkerCommand):
    help = "Run background tasks from the database queue, with a heartbeat for /healthz."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = f"{socket.gethostname()}:{os.getpid()}"[:64]
        stop = threading.Event()
        thread = threading.Thread(
            target=heartbeat_loop, args=(worker_id, stop), name="heartbeat", daemon=True
        )
        thread.start()
        threading.Thread(target=cleanup_loop, args=(stop,), name="cleanup", daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
