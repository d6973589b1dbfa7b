"""Benchmark: audited clinician page reads per second on PostgreSQL, 1, 4 and 16 clinicians.

Not a test: it prints figures. Run `.venv/bin/python bench/audit_chains.py` with
$BENCH_DATABASE_URL naming a PostgreSQL server (bench/scratch.py): a new scratch database is
created there and dropped at the end.

1. Migrate the scratch database and seed 16 clinics, each with one clinician and one couple.
2. For 1, 4 and 16 concurrent clinicians (clinician i in clinic i mod 16, so 16 clinicians
   cover 16 clinics), start one process per clinician, each with its own database
   connection, and for `--seconds` record reads the way the clinical-read audit middleware
   does after a case page (rebond.accounts.middleware._record_read: the emergency-grant
   check, then `audit.log()` in its own transaction). Count completed reads and errors.
3. Print reads per second for each, verify the audit trail, and check the target: reads/s
   grows with the number of clinicians spread over clinics (4 clinicians at least 1.5x one,
   16 at least 1.2x four) instead of flattening on one lock. Any error, or a trail that does
   not verify, makes the target NOT met.

The processes call the middleware's own function, not HTTP: this measures the audit write of
a page read and its lock, not page rendering (bench/run measures pages). `--root` runs the
same measurement against another checkout of Rebond (e.g. the commit before per-clinic chains),
with this checkout's virtualenv.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import scratch  # noqa: E402
from rebond.tests import live  # noqa: E402

CLINICS = 16
CLINICIANS = (1, 4, 16)

# Runs in a fresh process on the scratch database, with the checkout to measure first on the
# path; prints one JSON line.
MEASURE = """
import json, multiprocessing, sys, time
sys.path.insert(0, {root!r})
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory
from rebond.accounts.middleware import _record_read
from rebond.audit.chain import verify
from rebond.test import make_clinic, make_clinician, make_couple

call_command("migrate", verbosity=0)
readers = []
for n in range({clinics}):
    clinician = make_clinician(make_clinic(f"Bench clinic {{n}}"), f"Bench Clinician {{n}}")
    readers.append((clinician.pk, str(make_couple(clinician, f"Bench couple {{n}}").pk)))
connections.close_all()

def read_for(user_pk, couple, start, until, results):
    from django.contrib.auth import get_user_model
    connections.close_all()  # a connection of its own, never the parent's
    user = get_user_model().objects.get(pk=user_pk)
    request = RequestFactory().get(f"/cases/{{couple}}/")
    response = HttpResponse()
    reads, errors = 0, []
    while time.time() < start:
        time.sleep(0.001)
    while time.time() < until:
        try:
            _record_read(request, user, "case", "couple", couple, response)
            reads += 1
        except Exception as exc:
            errors.append(f"{{type(exc).__name__}}: {{exc}}"[:200])
    connections.close_all()
    results.put((reads, errors))

out = {{"vendor": connections["default"].vendor, "runs": []}}
context = multiprocessing.get_context("fork")
for count in {clinicians}:
    results = context.Queue()
    start = time.time() + 2.0
    until = start + {seconds}
    workers = [
        context.Process(target=read_for, args=(*readers[n % len(readers)], start, until, results))
        for n in range(count)
    ]
    for worker in workers:
        worker.start()
    done = [results.get(timeout={seconds} + 120) for _ in workers]
    for worker in workers:
        worker.join()
    reads = sum(r for r, _ in done)
    errors = [e for _, found in done for e in found]
    out["runs"].append({{"clinicians": count, "clinics": min(count, len(readers)),
                         "reads": reads, "per_second": reads / {seconds},
                         "errors": len(errors), "first_errors": errors[:3]}})
verdict = verify()
out["intact"] = verdict.intact
out["problem"] = verdict.problem
out["entries"] = verdict.total
print(json.dumps(out))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per clinician count")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the Rebond checkout to measure (default: this)"
    )
    scratch.add_options(parser)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rebond-bench-audit-chains-"))
    with scratch.scratch_postgres("rebond_bench_audit_chains", args.scratch_name) as db:
        env = live.server_env(db.url, tmp)
        env["PYTHONPATH"] = str(args.root.resolve())
        # One connection of its own per forked clinician process: a pool made before the fork
        # would hand every child the parent's sockets, without the pool's threads.
        env["DB_POOL"] = "False"
        script = MEASURE.format(
            root=str(args.root.resolve()),
            clinics=CLINICS,
            clinicians=CLINICIANS,
            seconds=args.seconds,
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            cwd=args.root,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        return 1
    result = json.loads(done.stdout.strip().splitlines()[-1])
    revision = subprocess.run(
        ["git", "-C", str(args.root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print(
        f"audit chains benchmark: PostgreSQL, commit {revision}, {CLINICS} clinics, one process"
        f" and connection per clinician, {args.seconds:.0f} s each, {os.cpu_count()} CPUs"
    )
    rates = {}
    errors = 0
    for run in result["runs"]:
        rates[run["clinicians"]] = run["per_second"]
        errors += run["errors"]
        print(
            f"  {run['clinicians']:2} clinicians over {run['clinics']:2} clinics:"
            f" {run['per_second']:7.1f} audited reads/s ({run['reads']} reads,"
            f" {run['errors']} errors{': ' + str(run['first_errors']) if run['errors'] else ''})"
        )
    intact = result["intact"]
    print(
        f"audit verify after the run: {'intact' if intact else 'BROKEN: ' + str(result['problem'])}"
        f" ({result['entries']} entries)"
    )
    grows = rates[4] >= 1.5 * rates[1] and rates[16] >= 1.2 * rates[4]
    met = grows and not errors and intact
    failed = " (reads failed)" if errors else "" if intact else " (trail does not verify)"
    print(
        f"target: reads/s grows with clinicians over clinics (4 >= 1.5x 1: "
        f"{rates[4] / rates[1]:.2f}x; 16 >= 1.2x 4: {rates[16] / rates[4]:.2f}x): "
        f"{'met' if met else 'NOT met' + failed}"
    )
    print(f"errors: {errors}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
