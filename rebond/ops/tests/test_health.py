"""/healthz answers 200 only while the database answers, a worker beat recently and the safety
sweep finished a round recently (issue 15, C11)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils.timezone import now

from rebond.ops.health import beat, safety_sweep_beat
from rebond.ops.management.commands.worker import heartbeat_loop
from rebond.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tasks_need_a_worker(settings: Any) -> None:
    """Configure the database task backend, as production does (docs/deploy.md)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def sweep_ran() -> None:
    safety_sweep_beat()


def test_health_is_ok_when_a_worker_beat_and_the_sweep_ran_just_now(
    client: Client, sweep_ran: None
) -> None:
    beat("host:1")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "worker": "ok", "safety_sweep": "ok"},
    }
    assert response["Cache-Control"].startswith("no-store")


def test_health_fails_when_no_worker_was_ever_seen(client: Client, sweep_ran: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "worker": "never seen",
        "safety_sweep": "ok",
    }


def test_health_fails_when_the_safety_sweep_never_ran(client: Client) -> None:
    beat("host:1")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["safety_sweep"] == "never seen"


def test_health_fails_when_the_sweeps_heartbeat_is_stale(client: Client, settings: Any) -> None:
    settings.SAFETY_SWEEP_MAX_AGE_SECONDS = 180
    beat("host:1")
    safety_sweep_beat()
    WorkerHeartbeat.objects.filter(worker_id__startswith="safety-sweep").update(
        seen_at=now() - timedelta(seconds=200)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "worker": "ok",
        "safety_sweep": "last seen 200 s ago",
    }


def test_each_round_of_the_safety_sweep_beats_and_is_no_worker_beat(client: Client) -> None:
    call_command("safety_sweep")
    assert WorkerHeartbeat.objects.filter(worker_id__startswith="safety-sweep:").count() == 1
    call_command("safety_sweep")
    assert WorkerHeartbeat.objects.count() == 1  # One row per host, updated in place.
    # A running sweep does not stand in for a dead worker.
    assert client.get("/healthz").json()["checks"]["worker"] == "never seen"
    beat("host:1")
    assert client.get("/healthz").status_code == 200


def test_health_fails_when_the_newest_heartbeat_is_too_old(client: Client, settings: Any) -> None:
    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    WorkerHeartbeat.objects.create(worker_id="host:1", seen_at=now() - timedelta(seconds=90))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"].startswith("last seen 9")


def test_one_live_worker_among_dead_ones_is_enough(client: Client, sweep_ran: None) -> None:
    WorkerHeartbeat.objects.create(worker_id="host:1", seen_at=now() - timedelta(hours=2))
    beat("host:2")
    assert client.get("/healthz").status_code == 200


def test_tasks_run_in_the_web_process_need_no_worker_but_the_sweep(
    client: Client, settings: Any, sweep_ran: None
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "worker": "not needed",
        "safety_sweep": "ok",
    }


def test_health_needs_no_login_and_refuses_writes(client: Client, sweep_ran: None) -> None:
    beat("host:1")
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_beating_again_updates_the_workers_row_in_place() -> None:
    beat("host:1")
    first = WorkerHeartbeat.objects.get().seen_at
    beat("host:1")
    assert WorkerHeartbeat.objects.count() == 1
    assert WorkerHeartbeat.objects.get().seen_at >= first


def beat_written(worker_id: str) -> bool:
    """Return whether the worker's beat is there. The SQLite test database is in memory with a
    shared cache, whose table lock refuses a read at once while the thread writes (no busy
    timeout applies): such a read is not an answer, so it counts as not yet."""
    try:
        return WorkerHeartbeat.objects.filter(worker_id=worker_id).exists()
    except OperationalError as error:
        if "table is locked" not in str(error):
            raise
        return False


@pytest.mark.django_db(transaction=True)
def test_the_worker_heartbeat_thread_beats_until_told_to_stop(settings: Any) -> None:
    settings.WORKER_HEARTBEAT_SECONDS = 1
    stop = threading.Event()
    thread = threading.Thread(target=heartbeat_loop, args=("host:9", stop))
    thread.start()
    try:
        deadline = now() + timedelta(seconds=10)
        while not beat_written("host:9"):
            assert now() < deadline, "no heartbeat written"
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
