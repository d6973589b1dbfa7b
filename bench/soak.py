"""Soak: mixed traffic with random SIGKILLs, then nothing lost, nothing doubled: `bench/soak`.

Bounded in time and count, loopback only. Run `bench/soak` (defaults: 60 s of chaos, 300
check-ins) or e.g. `bench/soak --seconds 600 --checkins 2000 --postgres` for a longer run;
it prints progress and exits 1 if any check fails.

1. A scratch database (SQLite in WAL mode, or with --postgres a scratch PostgreSQL database
   on $BENCH_DATABASE_URL's server) with one clinic; every partner has an open PHQ-9 and a
   private link. gunicorn serves Rebond; `rebond worker` runs tasks (alert e-mails go to
   files, one per message, named by Message-ID, through a file e-mail backend).
2. Traffic: partners open their link, autosave all nine answers and submit; one in four
   endorses item 9 (thoughts of death or self-harm), which raises a HIGH alert and e-mails
   the clinician. A clinician browses the caseload and the alerts. Every request is retried
   after a failure (same submission key), as a browser would.
3. Chaos, every --kill-every seconds, at random: SIGKILL one gunicorn worker (the master
   replaces it), SIGKILL the whole server (master and workers) and start it again, or SIGKILL
   the task worker and start it again; `rebond safety_sweep` runs every few seconds as the
   timer would.
4. When the time is up (or every check-in is in), the chaos stops, the survivors finish,
   pending e-mails are delivered, and the checks run: every acknowledged submission exists
   exactly once; every risk submission has exactly one alert and no other submission has
   one; every alert e-mail was sent, and a copy sent twice is counted and allowed only as
   the documented at-least-once resend after a worker died mid-delivery (at most one per
   task-worker kill); `rebond audit verify` passes.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402
from bench.clinic import log_in  # noqa: E402
from rebond.tests import live  # noqa: E402

CHECK = """
import json, sys
import django
django.setup()
from rebond.alerts.models import Alert, AlertNotification
from rebond.assessments.models import Administration, Submission
acked = json.load(open(sys.argv[1]))
risk = set(acked["risk"])
submitted = {{}}
for administration_id in Submission.objects.values_list("administration_id", flat=True):
    submitted[str(administration_id)] = submitted.get(str(administration_id), 0) + 1
alerts = {{}}
for administration_id in Alert.objects.values_list("source_submission__administration_id",
                                                   flat=True):
    alerts[str(administration_id)] = alerts.get(str(administration_id), 0) + 1
print(json.dumps({{
    "acknowledged": len(acked["done"]),
    "lost": sorted(a for a in acked["done"] if a not in submitted),
    "duplicated": sorted(a for a, n in submitted.items() if n > 1),
    "submissions": sum(submitted.values()),
    "risk_submissions": len(risk),
    "risk_without_one_alert": sorted(a for a in risk if alerts.get(a, 0) != 1),
    "alerts_without_risk": sorted(a for a in alerts if a not in risk),
    "alerts": Alert.objects.count(),
    "notifications": AlertNotification.objects.count(),
    "notifications_unsent": AlertNotification.objects.filter(sent_at__isnull=True).count(),
    "notification_ids": [str(n) for n in AlertNotification.objects.values_list("id", flat=True)],
}}))
"""

MESSAGE_ID = re.compile(r"^Message-ID: <alert-notification-([0-9a-f-]+)@rebond>", re.MULTILINE)


def say(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


class Servers:
    """gunicorn and the task worker, which the chaos kills and this restarts."""

    def __init__(self, env: dict[str, str], port: int, workers: int, logs: Path) -> None:
        self.env, self.port, self.workers, self.logs = env, port, workers, logs
        self.lock = threading.Lock()
        self.kills: Counter[str] = Counter()
        self.web = live.start_gunicorn(env, port, workers=workers)
        self.task_worker = self.start_task_worker()

    def start_task_worker(self) -> subprocess.Popen[bytes]:
        with (self.logs / "worker.log").open("ab") as out:
            return subprocess.Popen(
                [str(live.BIN / "rebond"), "worker", "--no-reload", "--interval", "0.2"],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def chaos(self, rng: random.Random) -> str:
        with self.lock:
            choice = rng.choice(["web worker", "web worker", "whole web server", "task worker"])
            if choice == "web worker":
                pids = live_children(self.web.pid)
                if not pids:
                    return "no web worker to kill"
                os.kill(rng.choice(pids), signal.SIGKILL)
            elif choice == "whole web server":
                live.kill_hard(self.web)
                self.web = live.start_gunicorn(self.env, self.port, workers=self.workers)
            else:
                os.killpg(self.task_worker.pid, signal.SIGKILL)
                self.task_worker.wait(timeout=30)
                self.task_worker = self.start_task_worker()
            self.kills[choice] += 1
            return choice

    def stop(self) -> None:
        live.stop(self.web)
        live.stop(self.task_worker)


def live_children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def request(
    client: live.HttpClient, method: str, path: str, body: dict[str, str] | None, ok: set[int]
) -> tuple[int, str]:
    """Send until the answer is one of `ok`, as a person pressing again would; return it."""
    for attempt in range(200):
        try:
            status, text, _ = client.request(method, path, body)
        except (OSError, Exception):  # the server was killed: try again
            status, text = 0, ""
        if status in ok:
            return status, text
        time.sleep(min(0.1 * (attempt + 1), 1.0))
    raise RuntimeError(f"{method} {path}: no answer in {sorted(ok)} after 200 attempts")


def partner(
    port: int,
    seeds: queue.Queue[tuple[str, str, bool]],
    stop: threading.Event,
    done: dict[str, Any],
) -> None:
    rng = random.Random()
    while not stop.is_set():
        try:
            token, administration, risky = seeds.get_nowait()
        except queue.Empty:
            return
        client = live.HttpClient(port)
        request(client, "GET", f"/p/{token}/", None, {302})
        page_path = f"/me/checkins/{administration}/"
        _, page = request(client, "GET", page_path, None, {200})
        key = live.KEY_RE.search(page)
        assert key, "no submission key on the check-in page"
        for item in range(1, 10):
            value = rng.randint(1, 3) if (item == 9 and risky) else (0 if item == 9 else 1)
            request(client, "POST", page_path + "autosave/",
                    {"item": str(item), "value": str(value)}, {200})  # fmt: skip
            time.sleep(rng.uniform(0, 0.2))
        request(client, "POST", page_path + "submit/",
                {"submission_key": key.group(1), "finish": "anyway"}, {302, 303})  # fmt: skip
        with done["lock"]:
            done["done"].append(administration)
            if risky:
                done["risk"].append(administration)


def clinician(port: int, stop: threading.Event, errors: list[str]) -> None:
    client = live.HttpClient(port)
    log_in(client)
    while not stop.is_set():
        for path in ("/cases/", "/alerts/"):
            request(client, "GET", path, None, {200})
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="chaos for this long at most")
    parser.add_argument("--checkins", type=int, default=300, help="partners' check-ins in all")
    parser.add_argument("--partners", type=int, default=12, help="partners answering at once")
    parser.add_argument("--kill-every", type=float, default=3.0, help="seconds between kills")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=11)
    scratch.add_options(parser)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rebond-soak-"))
    say(f"bench/soak: scratch files in {tmp}")
    if args.postgres:
        with scratch.scratch_postgres("rebond_soak", args.scratch_name) as db:
            return soak(args, db.url, tmp)
    return soak(args, f"sqlite:///{tmp / 'soak.sqlite3'}", tmp)


def soak(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    rng = random.Random(args.seed)
    mail = tmp / "mail"
    mail.mkdir()
    env = live.server_env(database_url, tmp)
    env.update(
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_BACKEND="rebond.alerts.tests.slow_email.Backend",
        EMAIL_FILE_PATH=str(mail),
        SLOW_EMAIL_PAUSE="0.05",
        # A claim by a killed worker is retried after 5 s instead of 5 minutes.
        ALERT_DELIVERY_LEASE_SECONDS="5",
    )
    couples = (args.checkins + 1) // 2
    say(f"migrate and seed {couples} couples ({couples * 2} check-ins)")
    seeds = live.prepare(env, seed_count=couples)
    work: queue.Queue[tuple[str, str, bool]] = queue.Queue()
    for seed in seeds:
        for role in ("a", "b"):
            work.put((seed[f"token_{role}"], seed[f"administration_{role}"], rng.random() < 0.25))
    port = args.port or live.free_port()
    servers = Servers(env, port, args.workers, tmp)
    done: dict[str, Any] = {"lock": threading.Lock(), "done": [], "risk": []}
    stop_traffic, stop_clinician = threading.Event(), threading.Event()
    errors: list[str] = []
    threads = [
        threading.Thread(target=partner, args=(port, work, stop_traffic, done))
        for _ in range(args.partners)
    ]
    browsing = threading.Thread(target=clinician, args=(port, stop_clinician, errors))
    started = time.monotonic()
    for thread in [*threads, browsing]:
        thread.start()
    say(f"traffic: {args.partners} partners at once, 1 clinician; a kill every "
        f"{args.kill_every:g} s for at most {args.seconds:g} s")  # fmt: skip
    last_sweep = 0.0
    try:
        while time.monotonic() - started < args.seconds and any(t.is_alive() for t in threads):
            time.sleep(rng.uniform(0.5, 1.5) * args.kill_every)
            what = servers.chaos(rng)
            say(f"  killed: {what}; {len(done['done'])} check-ins submitted")
            if time.monotonic() - last_sweep > 5:
                subprocess.run([str(live.BIN / "rebond"), "safety_sweep"], env=env, cwd=ROOT,
                               capture_output=True, check=False)  # fmt: skip
                last_sweep = time.monotonic()
        say("chaos over; the partners answering finish their check-ins")
        stop_traffic.set()
        for thread in threads:
            thread.join()
        stop_clinician.set()
        browsing.join()
        say("deliver pending alert e-mails")
        acked_file = tmp / "acknowledged.json"
        acked_file.write_text(json.dumps({"done": done["done"], "risk": done["risk"]}))
        deadline = time.monotonic() + 60
        while True:
            subprocess.run([str(live.BIN / "rebond"), "safety_sweep"], env=env, cwd=ROOT,
                           capture_output=True, check=False)  # fmt: skip
            result = check(env, acked_file)
            if not result["notifications_unsent"] or time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        servers.stop()
    audit = subprocess.run([str(live.BIN / "rebond"), "audit", "verify"], env=env, cwd=ROOT,
                           capture_output=True, text=True)  # fmt: skip
    sent = Counter(
        match for path in mail.iterdir() for match in MESSAGE_ID.findall(path.read_text())
    )
    never_sent = [n for n in result["notification_ids"] if sent[n] == 0]
    resent = sum(count - 1 for count in sent.values() if count > 1)
    elapsed = time.monotonic() - started
    kills = dict(servers.kills)
    checks = {
        "0 acknowledged submissions lost": not result["lost"],
        "0 submissions duplicated": not result["duplicated"],
        "exactly one alert per risk submission": not result["risk_without_one_alert"],
        "no alert without a risk submission": not result["alerts_without_risk"],
        "every alert e-mail sent": not never_sent and not result["notifications_unsent"],
        "resent e-mails at most one per task-worker kill (at-least-once)": resent
        <= kills.get("task worker", 0),
        "audit chain verifies": audit.returncode == 0,
    }
    say(f"soak over after {elapsed:.0f} s: {result['acknowledged']} check-ins acknowledged "
        f"({result['risk_submissions']} with a risk answer), {result['submissions']} "
        f"submissions, {result['alerts']} alerts, {result['notifications']} alert e-mails "
        f"({resent} resent); kills: {kills}")  # fmt: skip
    say(f"lost {len(result['lost'])}, duplicated {len(result['duplicated'])}, risk without "
        f"one alert {len(result['risk_without_one_alert'])}, alerts without risk "
        f"{len(result['alerts_without_risk'])}, e-mails never sent {len(never_sent)}")  # fmt: skip
    say("audit verify: " + (audit.stdout.strip() or audit.stderr.strip())[-300:])
    for name, passed in checks.items():
        say(f"  {'ok  ' if passed else 'FAIL'} {name}")
    return 0 if all(checks.values()) else 1


def check(env: dict[str, str], acked_file: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(), str(acked_file)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    sys.exit(main())
