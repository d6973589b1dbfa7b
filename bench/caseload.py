"""Benchmark: the caseload page and one couple's PDF report on a large synthetic clinic.

Not a test: it prints figures. Run `.venv/bin/python bench/caseload.py` (add `--postgres` to
use a new scratch database, created and dropped, on the PostgreSQL server $BENCH_DATABASE_URL
names, which must be set: bench/scratch.py).

1. Build a scratch database (a SQLite file in WAL mode, or PostgreSQL) with one clinic whose
   therapist has 2,000 active couples, each with 20 sessions of 4 instruments for both
   partners (CSI-4, GAD-7, WHO-5, PHQ-9): 320,000 scored submissions, synthetic only
   (rebond/measurement/synthetic.py; answers scored by psychometrics, written with
   bulk_create). A third of the couples are on track, a third have one partner off track, a
   third both.
2. Serve Rebond with gunicorn (production settings over plain HTTP on 127.0.0.1), log the
   therapist in with password and authenticator code (bench/clinic.py), and request the
   caseload page again and again, one request at a time, in its default order and with the
   sorts and filters a clinician uses (the caseload is paged,
   rebond.measurement.caseload.PAGE_SIZE couples a page).
3. Request one couple's progress page and PDF report several times.
4. Print p50/p95/max per page. Targets (issue 9): caseload p95 < 150 ms on SQLite and on
   PostgreSQL; one couple's PDF report < 2 s. A target is "NOT met" whenever any request
   failed: a timing of error pages or redirects measures nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scratch
from bench.clinic import log_in
from rebond.tests import live

# The clinic's therapist is the live clinician of rebond/tests/live.py (same e-mail, password
# and authenticator-app seed), so bench/clinic.py's log_in signs in with both factors.
SEED = """
import json, time
import django
django.setup()
from django.utils.timezone import now
from rebond.accounts.models import TOTPDevice, User
from rebond.assessments.models import Submission
from rebond.measurement.synthetic import Scenario, build_couples
from rebond.test import make_clinic, make_clinician
started = time.perf_counter()
clinician = User.objects.filter(email={email!r}).first()
if clinician is None:
    clinician = make_clinician(make_clinic("Bench clinic"), "Bench Therapist", email={email!r})
    TOTPDevice.objects.create(user=clinician, secret={secret!r}, confirmed=True,
                              confirmed_at=now())
seeded = clinician.primary_couples.order_by("label").first()
if seeded is not None:  # --sqlite PATH of a clinic seeded before: measure it again
    print(json.dumps({{"couple": str(seeded.id),
                      "submissions": Submission.objects.count(), "seconds": 0}}))
    raise SystemExit(0)
scenarios = (Scenario.IMPROVING, Scenario.ONE_FLAT, Scenario.BOTH_FLAT)
first = None
for batch in range(0, {couples}, 50):
    made = build_couples(clinician, min(50, {couples} - batch), sessions={sessions},
                         scenarios=scenarios, seed=batch, label=f"Bench couple {{batch:04d}}")
    first = first or made[0]
print(json.dumps({{"couple": str(first.id), "submissions": Submission.objects.count(),
                  "seconds": time.perf_counter() - started}}))
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def line(name: str, values: list[float]) -> str:
    return (
        f"  {name:34} p50 {percentile(values, 0.5):7.1f} ms  p95 {percentile(values, 0.95):7.1f} ms"
        f"  max {max(values) * 1000:7.1f} ms  (n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--couples", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="per caseload variant")
    parser.add_argument("--reports", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--sqlite", type=Path, help="a SQLite file to use (and reuse if seeded)")
    scratch.add_options(parser)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rebond-bench-caseload-"))
    if not args.postgres:
        return run(args, f"sqlite:///{args.sqlite or tmp / 'bench.sqlite3'}", tmp)
    with scratch.scratch_postgres("rebond_bench_caseload", args.scratch_name) as db:
        return run(args, db.url, tmp)


def run(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    """Seed the clinic, serve it, measure, print; return 1 if any request failed."""
    env = live.server_env(database_url, tmp)
    live.prepare(env)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SEED.format(
                couples=args.couples,
                sessions=args.sessions,
                email=live.LIVE_EMAIL,
                secret=live.LIVE_TOTP_SECRET,
            ),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=live.ROOT,
    )
    seeded = json.loads(done.stdout.strip().splitlines()[-1])
    if args.postgres:
        # Fresh statistics for the planner after a bulk load, as after any large import.
        subprocess.run(
            [str(live.BIN / "rebond"), "dbshell", "--", "-c", "ANALYZE"],
            env=env,
            check=True,
            capture_output=True,
        )
    port = args.port or live.free_port()
    server = live.start_gunicorn(env, port, workers=args.workers)
    errors: list[str] = []
    timings: dict[str, list[float]] = {}
    try:
        client = live.HttpClient(port)
        try:
            log_in(client)
        except AssertionError as refused:
            errors.append(str(refused))
        variants = {
            "caseload (signal order)": "/cases/",
            "caseload sorted by open alerts": "/cases/?sort=alerts",
            "caseload filtered: to review": "/cases/?signal=review",
            "caseload page 20": "/cases/?page=20",
            "caseload search": "/cases/?q=couple+0750",
        }
        for name, path in variants.items():
            client.request("GET", path)  # warm this worker's caches
            timings[name] = []
            for _ in range(args.requests):
                status, _, elapsed = client.request("GET", path)
                if status != 200:
                    errors.append(f"{name}: {status}")
                timings[name].append(elapsed)
        couple = seeded["couple"]
        for name, path in (
            ("progress page (one couple)", f"/cases/{couple}/progress/"),
            ("progress chart SVG", f"/cases/{couple}/progress/charts/CSI-4.svg"),
            ("progress report PDF", f"/cases/{couple}/progress/report.pdf"),
        ):
            # The first chart or report in a worker imports matplotlib: timed apart, as "cold".
            cold = [client.request("GET", path)[2] for _ in range(args.workers)]
            timings[f"{name}, first per worker"] = cold
            timings[name] = []
            for _ in range(args.reports):
                status, _, elapsed = client.request("GET", path)
                if status != 200:
                    errors.append(f"{name}: {status}")
                timings[name].append(elapsed)
    finally:
        live.stop(server)
    database = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    print(
        f"caseload benchmark: {database}, {args.couples} active couples x {args.sessions} "
        f"sessions x 4 instruments x 2 partners = {seeded['submissions']} scored submissions "
        f"(seeded in {seeded['seconds']:.0f} s); gunicorn {args.workers} workers, "
        f"{os.cpu_count()} CPUs, one request at a time"
    )
    for name, values in timings.items():
        print(line(name, values))
    caseload_p95 = max(percentile(v, 0.95) for k, v in timings.items() if k.startswith("case"))
    report_max = max(timings.get("progress report PDF") or [float("nan")]) * 1000
    # A failed request voids every target: its timing is of an error page, not of the page.
    failed = " (requests failed)" if errors else ""
    print(
        f"targets: caseload p95 < 150 ms (worst variant {caseload_p95:.0f} ms): "
        f"{'met' if caseload_p95 < 150 and not errors else 'NOT met' + failed}; PDF report < 2 s "
        f"(slowest {report_max:.0f} ms): "
        f"{'met' if report_max < 2000 and not errors else 'NOT met' + failed}"
    )
    print(f"errors: {len(errors)}" + (f" (first: {errors[:3]})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
