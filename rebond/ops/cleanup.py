"""The daily clean-up: delete rows that nothing will ever read again (issue 23, item 4).

Each function below removes one kind of row, and only what is safely dead: a session that
can no longer be loaded, a finished task result past its debugging window, a heartbeat of a
worker long gone (never the newest one /healthz reads), a private link long after it stopped
opening anything, a throttle row outside its window, an export's file or an import's report
past its expiry (its subject key destroyed too, so copies in backups stop opening). Nothing
here touches the audit trail, clinical records or anything a retention rule keeps: those have
their own lifecycle.

`rebond worker` runs `run_if_due` from a thread (rebond/ops/management/commands/worker.py):
at most once a day across every worker on the database, the first check right at start-up.
`rebond cleanup` runs it by hand, `--dry-run` only counting. Deletes go in batches, each its
own short transaction, so a large backlog never holds SQLite's write lock for long. Each run
logs one line of counts, never a person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils.timezone import now
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rebond.accounts import throttle
from rebond.accounts.models import LoginAttempt
from rebond.crypto.subjects import shred as shred_subjects
from rebond.crypto.subjects import subjects_of
from rebond.intake import ratelimit
from rebond.intake.models import RateLimitHit
from rebond.interop.models import BackgroundJob
from rebond.ops.health import SAFETY_SWEEP_PREFIX
from rebond.ops.models import ScheduledRun, WorkerHeartbeat
from rebond.portal.models import LinkOpenedElsewhere, PrivateLink

logger = logging.getLogger(__name__)

# --- Retention: how long each kind of dead row is kept, and why that long ---------------------

# A successful task's row holds its arguments (ids) and return value (a count); a week covers
# "was last Friday's invitation sent?" questions from a clinician, and then it says nothing.
SUCCESSFUL_TASK_RETENTION = timedelta(days=7)
# A failed task's row holds its traceback, what an operator debugs from; a month gives time to
# notice a pattern, report it and compare with the next release.
FAILED_TASK_RETENTION = timedelta(days=30)
# /healthz reads only the newest heartbeat of each kind, and that one is always kept. The older
# rows name worker processes (host and pid) that have stopped; a week lets an operator looking
# into last week's outage see which workers were alive until when.
HEARTBEAT_RETENTION = timedelta(days=7)
# After a link stops working (expired or revoked) it opens nothing: an unknown token and an
# expired one show the same calm page (portal.session.not_valid), so deleting it changes
# nothing for a partner. The clinician's links page lists it as "Expired" or "Revoked"; 90
# days covers a partner mentioning at a later session that an old e-mail's link failed.
LINK_RETENTION = timedelta(days=90)
# Sessions: none. Django refuses a session once its expire_date has passed, so the row is
# dead at that moment. Throttle rows: none past their window (accounts.throttle.window(),
# intake.ratelimit.WINDOW), the same rule those modules apply when they next count.

# How often the worker's clean-up runs, across all workers.
CLEANUP_EVERY = timedelta(days=1)
CLEANUP_JOB = "cleanup"
# Rows deleted per transaction: small enough that SQLite's write lock is held for a moment,
# large enough that a backlog of a million rows is gone in a few thousand statements.
BATCH_SIZE = 500


@dataclass(frozen=True)
class Kind:
    """One kind of row the clean-up removes: a name for the summary line and the rows dead at
    a given moment."""

    name: str
    dead: Callable[[datetime], QuerySet[Model]]
    # Also destroy the subject keys of the rows' sealed values (crypto-shredding), for rows
    # that are their own subject: their copies in backups stop opening too.
    shred: bool = False


def expired_sessions(at: datetime) -> QuerySet[Session]:
    """Sessions Django no longer loads (it needs expire_date after now)."""
    return Session.objects.filter(expire_date__lte=at)


def finished_task_results(at: datetime) -> QuerySet[DBTaskResult[Any, Any]]:
    """Task results finished longer ago than their retention; never one waiting or running."""
    return DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.SUCCESSFUL, finished_at__lte=at - SUCCESSFUL_TASK_RETENTION)
        | Q(status=TaskResultStatus.FAILED, finished_at__lte=at - FAILED_TASK_RETENTION)
    )


def stale_heartbeats(at: datetime) -> QuerySet[WorkerHeartbeat]:
    """Heartbeats not written for HEARTBEAT_RETENTION, except the newest worker heartbeat and
    the newest safety-sweep one: /healthz reads those (rebond/ops/health.py) and says how long
    ago they beat, rather than "never seen"."""
    sweeps = WorkerHeartbeat.objects.filter(worker_id__startswith=SAFETY_SWEEP_PREFIX)
    workers = WorkerHeartbeat.objects.exclude(worker_id__startswith=SAFETY_SWEEP_PREFIX)
    newest = [
        pk
        for kind in (sweeps, workers)
        if (pk := kind.order_by("-seen_at", "-pk").values_list("pk", flat=True).first())
    ]
    return WorkerHeartbeat.objects.filter(seen_at__lte=at - HEARTBEAT_RETENTION).exclude(
        pk__in=newest
    )


def dead_links(at: datetime) -> QuerySet[PrivateLink]:
    """Private links that stopped working (expired or revoked) over LINK_RETENTION ago.

    Kept whatever their age:
    - each partner's newest link of each purpose: the check-in notice (rule 6 of
      rebond/assessments/reminders.py) asks whether the partner was invited before a check-in
      and whether any link was made since, and the newest ones answer both;
    - a link with an opening in another browser the partner has not yet been shown
      (LinkOpenedElsewhere): they are told in their own browser, whatever link they use then.
    A link that is merely spent (its check-ins finished) still carries its session until it
    expires, so only its expiry counts.
    """
    cutoff = at - LINK_RETENTION
    newer = PrivateLink.objects.filter(
        partner_id=OuterRef("partner_id"),
        purpose=OuterRef("purpose"),
        created_at__gt=OuterRef("created_at"),
    )
    unseen = LinkOpenedElsewhere.objects.filter(link_id=OuterRef("pk"), seen_at=None)
    return PrivateLink.objects.filter(
        Q(expires_at__lte=cutoff) | Q(revoked_at__lte=cutoff),
        Exists(newer),
        ~Exists(unseen),
    )


def old_login_attempts(at: datetime) -> QuerySet[LoginAttempt]:
    """Login attempts outside the throttling window: they no longer count (accounts.throttle)."""
    return LoginAttempt.objects.filter(at__lte=at - throttle.window())


def old_form_hits(at: datetime) -> QuerySet[RateLimitHit]:
    """Public-form submissions outside the rate limit's window (intake.ratelimit.prune)."""
    return RateLimitHit.objects.filter(created_at__lt=at - ratelimit.WINDOW)


def expired_job_files(at: datetime) -> QuerySet[BackgroundJob]:
    """Background exports and imports past their expiry (BACKGROUND_FILE_HOURS): the page has
    said "expired" since then, and nothing else reads them."""
    return BackgroundJob.objects.filter(expires_at__lte=at)


KINDS: tuple[Kind, ...] = (
    Kind("expired sessions", expired_sessions),
    Kind("task results", finished_task_results),
    Kind("worker heartbeats", stale_heartbeats),
    Kind("private links", dead_links),
    Kind("login attempts", old_login_attempts),
    Kind("form submission counts", old_form_hits),
    Kind("expired export files", expired_job_files, shred=True),
)


def delete_in_batches(
    rows: QuerySet[Model], batch_size: int = BATCH_SIZE, *, shred: bool = False
) -> int:
    """Delete `rows` BATCH_SIZE at a time, each batch its own transaction; return how many.

    Each batch is deleted through `rows` again, so a row that came back to life since it was
    listed (a worker that beat again) stays. Cascades follow the models' on_delete. With
    `shred`, the subject keys of the batch's sealed values are destroyed once it is deleted.
    """
    deleted = 0
    while True:
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        doomed = {row.pk: row for row in rows.filter(pk__in=batch)} if shred else {}
        removed = rows.filter(pk__in=batch).delete()[1].get(rows.model._meta.label, 0)
        if doomed:
            # Only the keys of rows really gone: one that came back to life keeps its values.
            manager = rows.model._default_manager
            alive = set(manager.filter(pk__in=batch).values_list("pk", flat=True))
            shred_subjects(subjects_of(row for pk, row in doomed.items() if pk not in alive))
        deleted += removed
        if removed < len(batch):
            # Some listed rows were alive after all; the next listing would find them again.
            rows = rows.exclude(pk__in=batch)


def run(at: datetime | None = None, *, dry_run: bool = False, log: bool = True) -> dict[str, int]:
    """Delete every kind's dead rows (or only count them); log one line of counts unless the
    caller prints its own (`rebond cleanup`)."""
    at = at or now()
    counts = {
        kind.name: kind.dead(at).count()
        if dry_run
        else delete_in_batches(kind.dead(at), shred=kind.shred)
        for kind in KINDS
    }
    if log:
        logger.info("clean-up %s: %s", "would remove" if dry_run else "removed", summary(counts))
    return counts


def summary(counts: dict[str, int]) -> str:
    """Return the counts as one line, zeros included: a run with nothing to do is visible."""
    return ", ".join(f"{name} {count}" for name, count in counts.items())


def claim(at: datetime) -> bool:
    """Start today's run if no worker started one in the last CLEANUP_EVERY; return whether
    this caller did. One conditional UPDATE decides, so two workers never both start."""
    ScheduledRun.objects.get_or_create(job=CLEANUP_JOB)
    due = Q(started_at=None) | Q(started_at__lte=at - CLEANUP_EVERY)
    return ScheduledRun.objects.filter(due, job=CLEANUP_JOB).update(started_at=at) == 1


def run_if_due(at: datetime | None = None) -> dict[str, int] | None:
    """Run the clean-up if it is due (see `claim`); return its counts, or None if not due."""
    at = at or now()
    if not claim(at):
        return None
    return run(at)
