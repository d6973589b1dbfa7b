"""The daily clean-up (issue 23, item 4): each kind loses exactly its dead rows, at the exact
retention edge; a second run finds nothing; --dry-run deletes nothing; the worker's schedule
really runs it, once a day across workers."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rebond.accounts import throttle
from rebond.accounts.models import LoginAttempt, User
from rebond.couples.models import Partner
from rebond.crypto.subjects import is_shredded
from rebond.intake import ratelimit
from rebond.intake.models import RateLimitHit
from rebond.interop.models import BackgroundJob
from rebond.ops import cleanup
from rebond.ops.health import checks
from rebond.ops.management.commands.worker import cleanup_loop
from rebond.ops.models import ScheduledRun, WorkerHeartbeat
from rebond.portal.models import LinkOpenedElsewhere, PrivateLink, hash_token, new_token
from rebond.test import make_couple

pytestmark = pytest.mark.django_db

# A fixed moment for the whole module: every edge below is this exact distance from it.
AT = now()
TICK = timedelta(microseconds=1)


def make_session(key: str, expires: datetime) -> Session:
    return Session.objects.create(session_key=key, session_data="", expire_date=expires)


def make_result(status: str, finished: datetime | None) -> DBTaskResult[Any, Any]:
    return DBTaskResult.objects.create(
        status=status,
        finished_at=finished,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="rebond.portal.tasks.send_invitation",
        backend_name="default",
        run_after=AT - timedelta(days=60),
    )


def make_link(
    partner: Partner,
    by: User,
    *,
    created: timedelta,
    expires: timedelta,
    purpose: str = PrivateLink.Purpose.INVITATION,
    **fields: Any,
) -> PrivateLink:
    """A link created and expiring at these offsets from AT."""
    return PrivateLink.objects.create(
        partner=partner,
        purpose=purpose,
        created_by=by,
        created_at=AT + created,
        expires_at=AT + expires,
        **fields,
    )


def remaining(model: type[Any]) -> set[Any]:
    return set(model.objects.values_list("pk", flat=True))


def test_sessions_go_once_expired_and_live_ones_stay() -> None:
    make_session("expired" + "0" * 25, AT - timedelta(hours=1))
    make_session("edge" + "0" * 28, AT)  # Django loads a session only before its expire_date.
    alive = make_session("alive" + "0" * 27, AT + TICK)
    assert cleanup.delete_in_batches(cleanup.expired_sessions(AT)) == 2
    assert remaining(Session) == {alive.pk}


def test_finished_task_results_go_after_their_retention_and_unfinished_ones_never() -> None:
    ok_edge = make_result(TaskResultStatus.SUCCESSFUL, AT - cleanup.SUCCESSFUL_TASK_RETENTION)
    ok_recent = make_result(
        TaskResultStatus.SUCCESSFUL, AT - cleanup.SUCCESSFUL_TASK_RETENTION + TICK
    )
    failed_edge = make_result(TaskResultStatus.FAILED, AT - cleanup.FAILED_TASK_RETENTION)
    # A failure is kept longer than a success: a week-old one is still there to debug.
    failed_recent = make_result(TaskResultStatus.FAILED, AT - cleanup.FAILED_TASK_RETENTION + TICK)
    waiting = make_result(TaskResultStatus.READY, None)
    running = make_result(TaskResultStatus.RUNNING, None)
    assert cleanup.delete_in_batches(cleanup.finished_task_results(AT)) == 2
    assert remaining(DBTaskResult) == {ok_recent.pk, failed_recent.pk, waiting.pk, running.pk}
    assert ok_edge.pk not in remaining(DBTaskResult)
    assert failed_edge.pk not in remaining(DBTaskResult)


def test_stale_heartbeats_go_but_never_the_newest_of_each_kind(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    edge = AT - cleanup.HEARTBEAT_RETENTION
    beats = {
        worker_id: WorkerHeartbeat.objects.create(worker_id=worker_id, seen_at=seen)
        for worker_id, seen in [
            ("old-host:1", edge - timedelta(days=30)),
            ("old-host:2", edge),
            ("old-host:3", edge + TICK),
            ("safety-sweep:gone", edge - timedelta(days=1)),
            # Every sweep is stale: the newest one stays, so /healthz says how long ago.
            ("safety-sweep:here", edge),
        ]
    }
    assert cleanup.delete_in_batches(cleanup.stale_heartbeats(AT)) == 3
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {
        "old-host:3",
        "safety-sweep:here",
    }
    assert beats["old-host:3"].seen_at == edge + TICK
    # Now the only worker row is stale too: it stays, and /healthz still reads it.
    assert cleanup.delete_in_batches(cleanup.stale_heartbeats(AT + timedelta(days=9))) == 0
    assert checks()["worker"].startswith("last seen")
    assert checks()["safety_sweep"].startswith("last seen")


def test_links_go_long_after_they_stopped_working_except_those_still_read(alice: User) -> None:
    couple = make_couple(alice)
    one, two = couple.partners.order_by("role")
    edge = -cleanup.LINK_RETENTION
    day = timedelta(days=1)
    dead = {
        "expired at the edge": make_link(one, alice, created=edge - 14 * day, expires=edge),
        "revoked at the edge": make_link(
            one, alice, created=edge - 2 * day, expires=edge + 12 * day, revoked_at=AT + edge
        ),
        "seen elsewhere": make_link(
            one, alice, created=edge - 40 * day, expires=edge - 26 * day, purpose="reminder"
        ),
    }
    LinkOpenedElsewhere.objects.create(link=dead["seen elsewhere"], seen_at=AT - 100 * day)
    kept = {
        "expired just after the edge": make_link(
            one, alice, created=edge - 13 * day, expires=edge + TICK
        ),
        "unseen opening elsewhere": make_link(
            one, alice, created=edge - 50 * day, expires=edge - 36 * day, purpose="reminder"
        ),
        # Spent, yet still carrying its session until it expires.
        "spent, not expired": make_link(
            one,
            alice,
            created=-2 * day,
            expires=12 * day,
            purpose="reminder",
            spent_at=AT - day,
        ),
        "one's newest invitation": make_link(one, alice, created=-day, expires=13 * day),
        # Long dead, but the newest of its purpose: the check-in notice asks about it.
        "two's only invitation": make_link(two, alice, created=-400 * day, expires=-386 * day),
        "two's only diary link": make_link(
            two, alice, created=-300 * day, expires=-286 * day, purpose="diary"
        ),
    }
    LinkOpenedElsewhere.objects.create(link=kept["unseen opening elsewhere"])
    assert cleanup.delete_in_batches(cleanup.dead_links(AT)) == len(dead)
    assert remaining(PrivateLink) == {link.pk for link in kept.values()}
    # The seen notice went with its link; the unseen one is still there to be shown.
    assert LinkOpenedElsewhere.objects.get().link_id == kept["unseen opening elsewhere"].pk


def test_a_deleted_link_shows_the_same_page_as_an_expired_one(client: Client, alice: User) -> None:
    partner = make_couple(alice).partners.first()
    assert partner is not None
    make_link(partner, alice, created=-timedelta(days=1), expires=timedelta(days=13))
    token = new_token()
    make_link(
        partner,
        alice,
        created=-timedelta(days=200),
        expires=-timedelta(days=186),
        token_hash=hash_token(token),
    )
    expired = client.get(f"/p/{token}/")
    assert cleanup.delete_in_batches(cleanup.dead_links(now())) == 1
    deleted = client.get(f"/p/{token}/")
    assert expired.status_code == deleted.status_code == 404
    assert [t.name for t in expired.templates] == [t.name for t in deleted.templates]


def test_throttle_rows_go_once_outside_their_window() -> None:
    login_edge = AT - throttle.window()
    LoginAttempt.objects.create(username_key="k" * 64, ip="192.0.2.1", at=login_edge)
    recent = LoginAttempt.objects.create(
        username_key="k" * 64, ip="192.0.2.1", at=login_edge + TICK
    )
    form_edge = AT - ratelimit.WINDOW
    old_hit = RateLimitHit.objects.create(key="h" * 64, created_at=form_edge - TICK)
    # At the very edge a hit still counts (ratelimit.is_limited counts created_at >= edge).
    edge_hit = RateLimitHit.objects.create(key="h" * 64, created_at=form_edge)
    assert cleanup.delete_in_batches(cleanup.old_login_attempts(AT)) == 1
    assert cleanup.delete_in_batches(cleanup.old_form_hits(AT)) == 1
    assert remaining(LoginAttempt) == {recent.pk}
    assert remaining(RateLimitHit) == {edge_hit.pk}
    assert old_hit.pk not in remaining(RateLimitHit)


def make_job(user: User, expires_at: datetime) -> BackgroundJob:
    """Return a finished research export of the user's caseload that expires at `expires_at`."""
    assert user.clinic_id is not None
    return BackgroundJob.objects.create(
        clinician=user,
        clinic_id=user.clinic_id,
        kind=BackgroundJob.Kind.RESEARCH_CSV,
        status=BackgroundJob.Status.DONE,
        result="couple_id,partner_role\r\n",
        expires_at=expires_at,
    )


def test_expired_export_files_go_with_their_keys_and_live_ones_stay_readable(
    alice: User,
) -> None:
    expired = make_job(alice, AT - TICK)
    at_the_edge = make_job(alice, AT)
    live = make_job(alice, AT + TICK)
    assert cleanup.delete_in_batches(cleanup.expired_job_files(AT), shred=True) == 2
    assert remaining(BackgroundJob) == {live.pk}
    # Their keys are destroyed: a copy of their files in a backup no longer opens.
    assert is_shredded(str(expired.pk))
    assert is_shredded(str(at_the_edge.pk))
    assert not is_shredded(str(live.pk))
    assert BackgroundJob.objects.get(pk=live.pk).result == "couple_id,partner_role\r\n"


def test_a_backlog_is_deleted_in_batches() -> None:
    for n in range(5):
        make_session(f"backlog{n}".ljust(32, "0"), AT - timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        assert cleanup.delete_in_batches(cleanup.expired_sessions(AT), batch_size=2) == 5
    deletes = [q for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3
    assert not Session.objects.exists()


@pytest.fixture
def one_dead_row_of_each_kind(alice: User) -> None:
    make_session("dead".ljust(32, "0"), AT - timedelta(days=1))
    make_result(TaskResultStatus.SUCCESSFUL, AT - timedelta(days=100))
    WorkerHeartbeat.objects.create(worker_id="gone:1", seen_at=AT - timedelta(days=100))
    WorkerHeartbeat.objects.create(worker_id="here:1", seen_at=AT)
    partner = make_couple(alice).partners.first()
    assert partner is not None
    make_link(partner, alice, created=-timedelta(days=200), expires=-timedelta(days=186))
    make_link(partner, alice, created=-timedelta(days=1), expires=timedelta(days=13))
    LoginAttempt.objects.create(username_key="k" * 64, ip="192.0.2.1", at=AT - timedelta(days=9))
    RateLimitHit.objects.create(key="h" * 64, created_at=AT - timedelta(days=1))
    make_job(alice, AT - timedelta(hours=1))
    make_job(alice, AT + timedelta(hours=23))


ONE_OF_EACH = (
    "expired sessions 1, task results 1, worker heartbeats 1, private links 1, "
    "login attempts 1, form submission counts 1, expired export files 1"
)
NONE = (
    "expired sessions 0, task results 0, worker heartbeats 0, private links 0, "
    "login attempts 0, form submission counts 0, expired export files 0"
)


def row_counts() -> list[int]:
    models: list[type[Any]] = [
        Session,
        DBTaskResult,
        WorkerHeartbeat,
        PrivateLink,
        LoginAttempt,
        RateLimitHit,
        BackgroundJob,
    ]
    return [model.objects.count() for model in models]


def test_the_command_counts_on_a_dry_run_then_deletes_once(one_dead_row_of_each_kind: None) -> None:
    before = row_counts()
    out = StringIO()
    call_command("cleanup", "--dry-run", stdout=out)
    assert out.getvalue() == f"would remove: {ONE_OF_EACH}\n"
    assert row_counts() == before
    out = StringIO()
    call_command("cleanup", stdout=out)
    assert out.getvalue() == f"removed: {ONE_OF_EACH}\n"
    assert row_counts() == [n - 1 for n in before]
    out = StringIO()
    call_command("cleanup", stdout=out)
    assert out.getvalue() == f"removed: {NONE}\n"


def test_a_run_logs_counts_only(one_dead_row_of_each_kind: None, caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="rebond.ops.cleanup"):
        cleanup.run(AT)
    assert [r.getMessage() for r in caplog.records] == [f"clean-up removed: {ONE_OF_EACH}"]


def test_the_schedule_runs_it_once_a_day_across_workers(one_dead_row_of_each_kind: None) -> None:
    assert cleanup.run_if_due(AT) is not None
    assert not Session.objects.exists()
    # Another worker, a moment later, or the same one restarted: not due.
    assert cleanup.run_if_due(AT) is None
    make_session("later".ljust(32, "0"), AT)
    assert cleanup.run_if_due(AT + cleanup.CLEANUP_EVERY - TICK) is None
    assert Session.objects.exists()
    counts = cleanup.run_if_due(AT + cleanup.CLEANUP_EVERY)
    assert counts is not None
    assert counts["expired sessions"] == 1
    assert ScheduledRun.objects.get().started_at == AT + cleanup.CLEANUP_EVERY


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_runs_the_clean_up_when_it_starts() -> None:
    make_session("dead".ljust(32, "0"), now() - timedelta(days=1))
    stop = threading.Event()
    stop.set()  # One round, then stop: the round at start-up is the one under test.
    cleanup_loop(stop)
    assert not Session.objects.exists()
    assert ScheduledRun.objects.get(job=cleanup.CLEANUP_JOB).started_at is not None
