"""A mail server that accepts connections and never answers must not stall escalation
(issue 15, C11; SECURITY.md RL-12).

Real processes on a scratch SQLite file: `rebond safety_sweep --every 1`, and separately
`rebond worker`, send through Django's SMTP backend to a real socket on loopback that accepts
every connection and never says a word (EMAIL_TIMEOUT=1 here; 10 s by default). Meanwhile a
second HIGH alert becomes overdue. Expected: it is escalated within seconds, the stuck
notification is released and retried, and once the server answers, every notification
(the stuck one and the escalation's) is delivered: none lost.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rebond.tests import figures, live

TIMEOUT_SECONDS = 1
FIGURE = "C11 hung mail server"

# Two HIGH alerts on two cases: the first has just been raised (its notification will hang on
# the mail server), the second becomes overdue for escalation a few seconds from now.
SEED = """
import django
django.setup()
from datetime import timedelta
from django.utils.timezone import now
from rebond.alerts.models import Alert
from rebond.assessments import actions
from rebond.test import make_clinic, make_clinician, make_couple
clinic = make_clinic("Hung mail clinic")
clinician = make_clinician(clinic, "Kim Clinician", email="kim@example.test")
make_clinician(clinic, "Lee Lead", email="lead@example.test", is_safety_lead=True)
for n in range(2):
    couple = make_couple(clinician, f"Couple {n}")
    partner = couple.partners.get(role="A")
    administration = next(
        a for a in actions.schedule_instrument(clinician, couple.id, "PHQ-9")
        if a.partner_id == partner.id
    )
    answers = {**dict.fromkeys(range(1, 10), 0), 9: 2}
    key = administration.submission_key
    actions.submit_administration(partner, administration.id, key, answers)
first, second = Alert.objects.order_by("created_at")
window = timedelta(minutes=clinic.high_alert_ack_minutes)
Alert.objects.filter(pk=second.pk).update(created_at=now() - window + timedelta(seconds={due}))
print(second.pk.hex)
"""


class MailServer:
    """SMTP on loopback that hangs (accepts, never answers) until `recover()`, then answers.

    After recovery it speaks just enough SMTP for Django's backend and records the Message-ID
    of every message it accepts.
    """

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.answering = threading.Event()
        self.stopping = threading.Event()
        self.held: list[socket.socket] = []
        self.message_ids: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def recover(self) -> None:
        self.answering.set()

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        for held in self.held:
            held.close()
        self.listener.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            if self.answering.is_set():
                threading.Thread(target=self._answer, args=(conn,), daemon=True).start()
            else:
                self.held.append(conn)  # Accepted, and never a byte back.

    def _answer(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:

            def reply(text: str) -> None:
                conn.sendall(text.encode() + b"\r\n")

            reply("220 localhost ESMTP")
            for raw in lines:
                verb = raw.decode(errors="replace").strip().upper()[:4]
                if verb == "DATA":
                    reply("354 go ahead")
                    message = b"".join(iter(lines.readline, b".\r\n"))
                    found = re.search(rb"^Message-ID: <([^>]+)>", message, re.M | re.I)
                    self.message_ids.append(found.group(1).decode() if found else "")
                    reply("250 queued")
                elif verb == "QUIT":
                    reply("221 bye")
                    return
                else:
                    reply("250 localhost")


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    yield server
    server.close()


@dataclass
class Notification:
    id: str  # 32 hex digits, as SQLite stores a UUID
    kind: str
    sent: bool
    attempts: int
    last_error: str


class Scenario:
    def __init__(self, tmp_path: Path, mail: MailServer, tasks_backend: str) -> None:
        self.database = tmp_path / "hung-mail.sqlite3"
        self.tmp_path = tmp_path
        self.env = {
            **live.server_env(f"sqlite:///{self.database}", tmp_path),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mail.port),
            "EMAIL_USE_TLS": "False",
            "EMAIL_TIMEOUT": str(TIMEOUT_SECONDS),
            "TASKS_BACKEND": tasks_backend,
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        live.prepare(self.env)
        seeded = subprocess.run(
            [sys.executable, "-c", SEED.replace("{due}", "4")],
            env=self.env, cwd=live.ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        self.overdue_alert = seeded.stdout.strip().splitlines()[-1]

    def start(self, *args: str) -> None:
        with (self.tmp_path / f"process-{len(self.processes)}.log").open("wb") as log:
            self.processes.append(
                subprocess.Popen(
                    [str(live.BIN / "rebond"), *args],
                    env=self.env,
                    cwd=live.ROOT,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            )

    def query(self, sql: str, *params: object) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.database, timeout=20) as db:
            return db.execute(sql, params).fetchall()

    def escalated(self) -> bool:
        rows = self.query("SELECT escalated_at FROM alerts_alert WHERE id = ?", self.overdue_alert)
        return rows[0][0] is not None

    def notifications(self) -> list[Notification]:
        rows = self.query(
            "SELECT id, kind, sent_at, attempts, last_error FROM alerts_alertnotification"
        )
        return [
            Notification(str(pk), str(kind), sent_at is not None, int(str(attempts)), str(error))
            for pk, kind, sent_at, attempts, error in rows
        ]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:  # Hung for good (as before EMAIL_TIMEOUT).
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not within {seconds} s: {what}"
        time.sleep(0.2)
    return time.monotonic() - started


def escalate_retry_and_deliver(scenario: Scenario, mail: MailServer, who: str) -> None:
    # While the mail server hangs, the second alert is escalated when it falls due ...
    waited = wait_until(scenario.escalated, 30, "the overdue alert escalated")
    # ... and the stuck notification is released again and again, never marked sent.
    wait_until(lambda: any(n.attempts >= 2 for n in scenario.notifications()), 30, "a retry")
    stuck = [n for n in scenario.notifications() if n.attempts >= 2]
    assert not any(n.sent for n in stuck), "nothing is sent while the server hangs"
    assert {n.last_error for n in stuck} <= {"TimeoutError", "SMTPServerDisconnected"}
    assert mail.held, "the mail server was reached"
    # The mail server comes back: every notification is delivered, the stuck one included.
    mail.recover()
    wait_until(
        lambda: all(n.sent for n in scenario.notifications()), 60, "every notification delivered"
    )
    notifications = scenario.notifications()
    assert "escalation" in {n.kind for n in notifications}
    delivered = {
        message_id.removeprefix("alert-notification-").removesuffix("@rebond").replace("-", "")
        for message_id in mail.message_ids
    }
    ids = {n.id.replace("-", "") for n in notifications}
    figures.record(FIGURE, f"{who}: overdue alert escalated after (s, due at 4)", round(waited, 1))
    figures.record(FIGURE, f"{who}: notifications delivered", f"{len(ids & delivered)}/{len(ids)}")
    figures.record(FIGURE, f"{who}: lost", len(ids - delivered))
    assert ids <= delivered, "a notification was lost"


@pytest.mark.slow
def test_the_safety_sweep_escalates_and_retries_while_the_mail_server_hangs(
    tmp_path: Path, mail_server: MailServer
) -> None:
    scenario = Scenario(tmp_path, mail_server, "django_tasks.backends.dummy.DummyBackend")
    scenario.start("safety_sweep", "--every", "1")
    try:
        escalate_retry_and_deliver(scenario, mail_server, "sweep")
    finally:
        scenario.stop()


@pytest.mark.slow
def test_the_worker_goes_on_with_other_tasks_while_the_mail_server_hangs(
    tmp_path: Path, mail_server: MailServer
) -> None:
    """Only `rebond worker`: the seed queued a delivery task per alert; escalation and the
    retries come from tasks queued while the first delivery hangs."""
    scenario = Scenario(tmp_path, mail_server, "django_tasks_db.DatabaseBackend")
    scenario.start("worker", "--interval", "0.2", "--no-startup-delay")
    enqueue = (
        "from rebond.alerts import tasks; import time\n"
        "for _ in range(40):\n"
        "    tasks.escalate_overdue_alerts.enqueue(); tasks.deliver_alert_notifications.enqueue()\n"
        "    time.sleep(1)\n"
    )
    scenario.start("shell", "-c", enqueue)
    try:
        escalate_retry_and_deliver(scenario, mail_server, "worker")
    finally:
        scenario.stop()
