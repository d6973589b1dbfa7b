"""`rebond worker`: django-tasks' db_worker plus a heartbeat that /healthz reads.

The heartbeat comes from a thread of the worker process, written every
WORKER_HEARTBEAT_SECONDS while the worker's main thread is alive: a killed or crashed worker
stops beating, and /healthz turns 503 once the newest beat is older than
WORKER_HEARTBEAT_MAX_AGE_SECONDS. (A task stuck for ever would still beat; task timeouts
are the tasks' own business.)
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

from rebond.ops.health import beat

logger = logging.getLogger(__name__)


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


class Command(DbWorkerCommand):
    help = "Run background tasks from the database queue, with a heartbeat for /healthz."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = f"{socket.gethostname()}:{os.getpid()}"[:64]
        stop = threading.Event()
        thread = threading.Thread(
            target=heartbeat_loop, args=(worker_id, stop), name="heartbeat", daemon=True
        )
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
