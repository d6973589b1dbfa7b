"""Acceptance of issue 6: kill the delivery worker in the middle of sending and restart it
(SECURITY.md RL-12; the guarantee is in rebond/alerts/delivery.py, deliver_notifications).

Real processes on a scratch database (a SQLite file in WAL mode, and a scratch PostgreSQL
database in the PostgreSQL leg): 20 partners each submit a PHQ-9 with item 9 = "More than half
the days" through the real actions, then a delivery worker sends the notifications through a
slow file e-mail backend (rebond/alerts/tests/slow_email.py). The worker is SIGKILLed three
times, once at each point of a delivery, and restarted; `rebond safety_sweep` finishes.
Expected, exactly: every notification delivered; the one killed after the claim and before
the send delivered once; the one killed after the send and before the row was marked sent
delivered twice with the same Message-ID (the unavoidable window); no other duplicate.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from rebond.tests import live

COUPLES = 20
LEASE_SECONDS = 2
PAUSE = "0.15"  # seconds the slow backend sleeps before and after writing each message
MESSAGE_ID_RE = re.compile(r"^Message-ID: <alert-notification-([0-9a-f-]{36})@rebond>$", re.M)

SEED_ALERTS = """
import django
django.setup()
from rebond.alerts.models import AlertNotification
from rebond.assessments import actions
from rebond.test import make_clinic, make_clinician, make_couple
clinician = make_clinician(make_clinic("Crash clinic"), "Crash Clinician", email="k@example.test")
for n in range({count}):
    couple = make_couple(clinician, f"Crash couple {{n}}")
    partner = couple.partners.get(role="A")
    administration = next(
        a for a in actions.schedule_instrument(clinician, couple.id, "PHQ-9")
        if a.partner_id == partner.id
    )
    answers = {{**dict.fromkeys(range(1, 10), 0), 9: 2}}
    key = administration.submission_key
    actions.submit_administration(partner, administration.id, key, answers)
print(AlertNotification.objects.count())
"""

# The worker the test kills: the delivery function the task and safety_sweep call, one
# notification per call, with an "idle" marker between calls (a kill there is before a claim).
WORKER = """
import time
import django
django.setup()
from rebond.alerts.delivery import deliver_notifications
from rebond.alerts.models import AlertNotification
from rebond.alerts.tests.slow_email import mark
deadline = time.monotonic() + 60
while AlertNotification.objects.filter(sent_at=None).exists() and time.monotonic() < deadline:
    if deliver_notifications(limit=1):
        mark("idle")
    time.sleep({pause})
"""


@dataclass
class Row:
    claimed: bool
    sent: bool
    attempts: int


@dataclass
class Scratch:
    """A scratch database the processes share, read directly by the test."""

    url: str
    rows: Callable[[], dict[str, Row]]


def rows_from(records: list[tuple[Any, ...]]) -> dict[str, Row]:
    return {
        str(uuid.UUID(str(pk))): Row(claimed_at is not None, sent_at is not None, attempts)
        for pk, claimed_at, sent_at, attempts in records
    }


ROWS_SQL = "SELECT id, claimed_at, sent_at, attempts FROM alerts_alertnotification"


@contextmanager
def sqlite_scratch(tmp_path: Path) -> Iterator[Scratch]:
    database = tmp_path / "delivery.sqlite3"

    def rows() -> dict[str, Row]:
        with sqlite3.connect(database, timeout=20) as db:
            return rows_from(db.execute(ROWS_SQL).fetchall())

    yield Scratch(f"sqlite:///{database}", rows)


@contextmanager
def postgresql_scratch() -> Iterator[Scratch]:
    """A scratch PostgreSQL database beside the test database, dropped afterwards."""
    import psycopg

    with live.scratch_postgres(connection.settings_dict, "rebond_delivery") as scratch:

        def rows() -> dict[str, Row]:
            with psycopg.connect(scratch.conninfo) as db:
                return rows_from(db.execute(ROWS_SQL).fetchall())

        yield Scratch(scratch.url, rows)


class Run:
    """The processes of one scenario: their environment, markers, outbox and logs."""

    def __init__(self, scratch: Scratch, tmp_path: Path) -> None:
        self.scratch = scratch
        self.outbox = tmp_path / "outbox"
        self.outbox.mkdir()
        self.markers = tmp_path / "markers.log"
        self.markers.touch()
        self.logs: list[Path] = []
        self.env = {
            **live.server_env(scratch.url, tmp_path),
            "EMAIL_BACKEND": "rebond.alerts.tests.slow_email.Backend",
            "EMAIL_FILE_PATH": str(self.outbox),
            "SLOW_EMAIL_MARKERS": str(self.markers),
            "SLOW_EMAIL_PAUSE": PAUSE,
            "ALERT_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_LEVEL": "INFO",
        }
        self.tmp_path = tmp_path

    def start(self, argv: list[str]) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"worker-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            return subprocess.Popen(
                argv, env=self.env, cwd=live.ROOT, stdout=out, stderr=out, start_new_session=True
            )

    def start_worker(self) -> subprocess.Popen[bytes]:
        return self.start([sys.executable, "-c", WORKER.format(pause=PAUSE)])

    def marker_lines(self) -> list[str]:
        return self.markers.read_text(encoding="utf-8").splitlines()

    def kill_when(
        self, process: subprocess.Popen[bytes], reached: Callable[[list[str]], bool]
    ) -> list[str]:
        """SIGKILL the worker's whole process group as soon as the markers reach a point."""
        deadline = time.monotonic() + 30
        while not reached(lines := self.marker_lines()):
            assert process.poll() is None, "the worker ended before the kill point"
            assert time.monotonic() < deadline, "kill point never reached"
            time.sleep(0.005)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        return lines

    def deliveries(self) -> Counter[str]:
        """Count the messages written to the outbox, per notification id (its Message-ID)."""
        found: Counter[str] = Counter()
        for path in self.outbox.iterdir():
            found.update(MESSAGE_ID_RE.findall(path.read_text(encoding="utf-8")))
        return found

    def log_text(self) -> str:
        return "".join(path.read_text(encoding="utf-8", errors="replace") for path in self.logs)


def ids_in(lines: list[str], event: str) -> list[str]:
    prefix = f"{event} <alert-notification-"
    return [line[len(prefix) : len(prefix) + 36] for line in lines if line.startswith(prefix)]


def kill_restart_and_finish(scratch: Scratch, tmp_path: Path) -> None:
    run = Run(scratch, tmp_path)
    live.prepare(run.env)
    seeded = subprocess.run(
        [sys.executable, "-c", SEED_ALERTS.format(count=COUPLES)],
        env=run.env,
        cwd=live.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    notifications = int(seeded.stdout.strip().splitlines()[-1])
    assert notifications == COUPLES == len(scratch.rows())

    # 1. Killed between two deliveries, before its next claim: nothing is in flight.
    worker = run.start_worker()
    run.kill_when(worker, lambda lines: lines.count("idle") >= 3)
    rows = scratch.rows()
    assert sum(r.sent for r in rows.values()) == 3
    assert [pk for pk, r in rows.items() if r.claimed and not r.sent] == []
    assert run.deliveries().total() == 3

    # 2. Killed after the claim, before the message is handed over.
    worker = run.start_worker()
    lines = run.kill_when(worker, lambda lines: len(ids_in(lines, "begin")) >= 6)
    before_send = ids_in(lines, "begin")[-1]
    assert len(ids_in(lines, "written")) == 5
    assert rows_state(scratch, before_send) == Row(claimed=True, sent=False, attempts=1)
    assert run.deliveries()[before_send] == 0

    # 3. Killed after the message is handed over, before the row is marked sent; not the row
    #    of point 2, which the restarted worker resends once its lease has run out.
    written_so_far = len(ids_in(lines, "written"))
    worker = run.start_worker()

    def after_another_send(lines: list[str]) -> bool:
        written = ids_in(lines, "written")
        return len(written) > written_so_far + 4 and written[-1] != before_send

    lines = run.kill_when(worker, after_another_send)
    before_mark = ids_in(lines, "written")[-1]
    assert rows_state(scratch, before_mark) == Row(claimed=True, sent=False, attempts=1)
    assert run.deliveries()[before_mark] == 1

    # The scheduled sweep, as deployed, finishes the job once the lease has run out.
    run.env["SLOW_EMAIL_PAUSE"] = "0.01"
    sweep = run.start([str(live.BIN / "rebond"), "safety_sweep", "--every", "1"])
    deadline = time.monotonic() + 40
    try:
        while not all(r.sent for r in scratch.rows().values()):
            assert sweep.poll() is None, run.log_text()
            assert time.monotonic() < deadline, "not every notification was delivered"
            time.sleep(0.2)
    finally:
        live.stop(sweep)

    rows = scratch.rows()
    deliveries = run.deliveries()
    duplicates = {pk: n for pk, n in deliveries.items() if n > 1}
    print(
        f"\nDelivery crash ({scratch.url.split(':')[0]}): alerts {COUPLES}, notifications "
        f"{len(rows)}, kills 3 (before claim, after claim before send, after send before "
        f"mark), deliveries {deliveries.total()}, delivered {len(deliveries)}/{len(rows)}, "
        f"duplicates {sum(duplicates.values()) - len(duplicates)} "
        f"(only the one killed after send, before mark), lost {len(set(rows) - set(deliveries))}"
    )
    assert set(deliveries) == set(rows), "a notification was lost"
    assert duplicates == {before_mark: 2}
    assert deliveries[before_send] == 1
    assert deliveries.total() == notifications + 1
    assert rows[before_send].attempts == rows[before_mark].attempts == 2
    assert {pk for pk, r in rows.items() if r.attempts != 1} == {before_send, before_mark}
    # Each resend after an interrupted attempt is logged, by notification id only.
    logged = re.findall(r"Alert notification ([0-9a-f-]{36}): resending", run.log_text())
    assert sorted(logged) == sorted([before_send, before_mark])


def rows_state(scratch: Scratch, pk: str) -> Row:
    return scratch.rows()[pk]


@pytest.mark.slow
def test_a_killed_delivery_worker_loses_nothing_and_repeats_only_the_unmarked_send(
    tmp_path: Path,
) -> None:
    with sqlite_scratch(tmp_path) as scratch:
        kill_restart_and_finish(scratch, tmp_path)


@pytest.mark.postgresql
@pytest.mark.django_db
def test_a_killed_delivery_worker_loses_nothing_on_postgresql(tmp_path: Path) -> None:
    assert connection.vendor == "postgresql", "run in the PostgreSQL leg of make test"
    with postgresql_scratch() as scratch:
        kill_restart_and_finish(scratch, tmp_path)
