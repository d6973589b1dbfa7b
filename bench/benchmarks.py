"""Benchmark the whole service on loopback and write BENCHMARKS.md: `bench/run [--quick]`.

One command does it all, printing its progress:

1. For each database (SQLite in WAL mode, then a new scratch PostgreSQL database created and
   dropped on the server $BENCH_DATABASE_URL names, which must be set: bench/scratch.py):
   migrate, seed the synthetic clinic of the
   dashboard benchmark (bench/clinic.py: 2,000 couples x 20 sessions x 4 instruments x 2
   partners) plus one open PHQ-9 with a private link for each simulated partner, and serve
   Rebond with gunicorn (production settings over plain HTTP on 127.0.0.1).
2. Run, one phase after another:
   - answering: 50 partners each open their link, then autosave answers with a pause of
     0.5-1.5 s (like a person on a phone) and submit at the end;
   - browsing: 5 clinicians (logged in with password and authenticator code) load the
     caseload page and case pages, with a pause of 0.5-1.5 s;
   - mixed: both at once;
   - hello: a bare Django hello-world, served by gunicorn the same way, hammered by as many
     clients with no pause: the floor any Django page stands on, measured in the same run;
   - audit chains (PostgreSQL only): bench/audit_chains.py, audited clinician reads per
     second with 1, 4 and 16 clinicians over 16 clinics (issue 21).
3. Record throughput, p50/p95/p99 latency, errors (any unexpected status) and the peak
   resident memory of each gunicorn worker (/proc, sampled every 0.2 s); write the figures,
   each with its ratio to the hello-world, and the machine they came from to BENCHMARKS.md.

Targets (issue 11), on 2 cores: autosave p95 < 50 ms with 50 partners answering; caseload
page p95 < 150 ms at 2,000 couples; no error. `--quick` runs tiny sizes for trying the
machinery. The report goes to var/BENCHMARKS-run.md (var/BENCHMARKS-quick.md with --quick);
the tracked BENCHMARKS.md only with `--output BENCHMARKS.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import clinics, scratch  # noqa: E402
from bench.checkins import run_partner  # noqa: E402
from bench.clinic import SEED, log_in  # noqa: E402
from rebond.tests import live  # noqa: E402


def say(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


@dataclass
class Sizes:
    couples: int
    sessions: int
    partners: int
    clinicians: int
    seconds: float
    workers: int
    clinics: int  # the multi-clinic load (bench/clinics.py): clinics x clinic_couples
    clinic_couples: int
    port: int = 0  # Rebond's gunicorn (0: a free port)


FULL = Sizes(
    couples=2000, sessions=20, partners=50, clinicians=5, seconds=30, workers=3,
    clinics=20, clinic_couples=100,
)  # fmt: skip
QUICK = Sizes(
    couples=40, sessions=3, partners=8, clinicians=2, seconds=4, workers=2,
    clinics=3, clinic_couples=5,
)  # fmt: skip


@dataclass
class Phase:
    """The latencies of one phase, by request kind, and how long it ran."""

    name: str
    seconds: float = 0.0
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    peak_rss_mib: dict[int, float] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# --- memory ------------------------------------------------------------------------------------


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class MemorySampler(threading.Thread):
    """Record each gunicorn worker's peak resident memory while a phase runs."""

    def __init__(self, master: int) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.peaks: dict[int, float] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            for pid in children(self.master):
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), rss_mib(pid))
            self.stopped.wait(0.2)


# --- load -------------------------------------------------------------------------------------


def browse(
    port: int, cookies: dict[str, str], couples: list[str], until: float, phase: Phase
) -> None:
    """Load the caseload page, then a case page, and again, with a pause of 0.5-1.5 s."""
    client = live.HttpClient(port, cookies=dict(cookies))
    rng = random.Random()
    while time.perf_counter() < until:
        for kind, path in (
            ("caseload", "/cases/"),
            ("case page", f"/cases/{rng.choice(couples)}/"),
        ):
            status, _, elapsed = client.request("GET", path)
            if status != 200:
                phase.errors.append(f"{kind}: {status}")
            phase.timings.setdefault(kind, []).append(elapsed)
            time.sleep(rng.uniform(0.5, 1.5))  # a clinician glances at the page


def hello(port: int, until: float, phase: Phase) -> None:
    client = live.HttpClient(port)
    while time.perf_counter() < until:
        status, _, elapsed = client.request("GET", "/")
        if status != 200:
            phase.errors.append(f"hello: {status}")
        phase.timings.setdefault("hello-world", []).append(elapsed)


Load = list[tuple[Callable[..., None], tuple[Any, ...]]]


def run_phase(name: str, master: int, seconds: float, targets: Load) -> Phase:
    """Run every (function, args) in its own thread until `seconds` pass; return the figures."""
    phase = Phase(name)
    until = time.perf_counter() + seconds
    sampler = MemorySampler(master)
    sampler.start()
    threads = [
        threading.Thread(target=target, args=(*args, until, phase)) for target, args in targets
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    phase.peak_rss_mib = sampler.peaks
    say(f"  {name}: " + ", ".join(f"{k} n={len(v)}" for k, v in phase.timings.items())
        + f", errors {len(phase.errors)}")  # fmt: skip
    return phase


def partner(port: int, seed: dict[str, str], until: float, phase: Phase) -> None:
    results: dict[str, list[float]] = {"autosave": [], "submit": []}
    run_partner(port, seed, until, results, phase.errors, think=1.0)
    for kind, values in results.items():
        phase.timings.setdefault(kind, []).extend(values)


# --- one database ------------------------------------------------------------------------------


def bench_database(label: str, database_url: str, sizes: Sizes, tmp: Path) -> list[Phase]:
    env = live.server_env(database_url, tmp)
    say(f"{label}: migrate, collect static files, seed {sizes.partners * 2} open check-ins")
    seeds = live.prepare(env, seed_count=sizes.partners * 2)
    say(f"{label}: seed {sizes.couples} couples x {sizes.sessions} sessions x 4 instruments")
    seeding = subprocess.Popen(
        [sys.executable, "-c",
         SEED.format(couples=sizes.couples, sessions=sizes.sessions, email=live.LIVE_EMAIL)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert seeding.stdout is not None
    last = ""
    for line in seeding.stdout:
        last = line
        if line.startswith("  seeded") and (
            line.split()[1].split("/")[0] == line.split()[1].split("/")[1]
            or int(line.split()[1].split("/")[0]) % 500 == 0
        ):
            say(f"{label}:{line.rstrip()}")
    assert seeding.wait() == 0, "seeding failed"
    seeded = json.loads(last)
    say(f"{label}: {seeded['submissions']} submissions seeded in {seeded['seconds']} s "
        f"({seeded['builder']})")  # fmt: skip
    if database_url.startswith("postgres"):
        subprocess.run(
            [str(live.BIN / "rebond"), "dbshell", "--", "-c", "ANALYZE"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
    port = sizes.port or live.free_port()
    server = live.start_gunicorn(env, port, workers=sizes.workers)
    phases: list[Phase] = []
    try:
        clinician = live.HttpClient(port)
        log_in(clinician)
        couples = seeded["couples"]
        for _ in range(sizes.workers * 2):  # warm each worker
            clinician.request("GET", "/cases/")
        browsing: Load = [
            (browse, (port, clinician.cookies, couples)) for _ in range(sizes.clinicians)
        ]
        first, second = seeds[: sizes.partners], seeds[sizes.partners :]
        say(f"{label}: answering, {sizes.partners} partners, {sizes.seconds:g} s")
        answering: Load = [(partner, (port, seed)) for seed in first]
        phases.append(run_phase("answering", server.pid, sizes.seconds, answering))
        say(f"{label}: browsing, {sizes.clinicians} clinicians, {sizes.seconds:g} s")
        phases.append(run_phase("browsing", server.pid, sizes.seconds, browsing))
        say(f"{label}: mixed, {sizes.partners} partners and {sizes.clinicians} clinicians")
        mixed: Load = [(partner, (port, seed)) for seed in second]
        phases.append(run_phase("mixed", server.pid, sizes.seconds, mixed + browsing))
    finally:
        live.stop(server)
    return phases


def bench_clinics(database_url: str, sizes: Sizes, tmp: Path) -> Phase:
    """The multi-clinic load (bench/clinics.py) on the PostgreSQL database `database_url`."""
    env = live.server_env(database_url, tmp)
    say(f"clinics: migrate and seed {sizes.clinics} clinics x {sizes.clinic_couples} couples "
        f"x {sizes.sessions} sessions, {sizes.partners} answering partners")  # fmt: skip
    seeded = clinics.seed(
        env, sizes.clinics, sizes.clinic_couples, sizes.sessions, sizes.partners, say
    )
    say(f"clinics: seeded in {seeded.seconds} s; two servers and a task worker")
    started = clinics.start_servers(env, tmp, sizes.workers)
    ports = started.ports
    try:
        browsing: Load = []
        for n, clinician in enumerate(seeded.clinicians):
            port = ports[n % 2]
            client = clinics.clinician_client(port, str(clinician["email"]))
            client.request("GET", "/cases/")  # warm the worker this clinician reaches
            couples = [str(couple) for couple in clinician["couples"]]  # type: ignore[attr-defined]
            browsing.append((browse, (port, client.cookies, couples)))
        answering: Load = [(partner, (ports[n % 2], seed)) for n, seed in enumerate(seeded.seeds)]
        say(f"clinics: {len(browsing)} clinicians browsing while {len(answering)} partners "
            f"answer, {sizes.seconds:g} s")  # fmt: skip
        master = started.processes[0].pid  # the first server's workers' memory is sampled
        return run_phase("many clinics", master, sizes.seconds, browsing + answering)
    finally:
        for process in started.processes:
            live.stop(process)


def bench_audit_chains(sizes: Sizes) -> tuple[str, bool]:
    """Run bench/audit_chains.py (its own scratch PostgreSQL database); return its report."""
    say("audit chains: audited clinician reads/s with 1, 4 and 16 clinicians over 16 clinics")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "audit_chains.py"), "--seconds", str(sizes.seconds)],
        capture_output=True,
        text=True,
        check=False,
    )
    text = (done.stdout or done.stderr[-2000:]).strip()
    section = f"## Audit chains (bench/audit_chains.py)\n\n```\n{text}\n```\n"
    return section, done.returncode == 0


def bench_hello(sizes: Sizes) -> Phase:
    port = live.free_port()
    server = live.start_gunicorn(
        dict(os.environ), port, workers=sizes.workers, app="bench.hello.app:application"
    )
    try:
        say(f"hello-world: {sizes.partners} clients, no pause, {sizes.seconds:g} s")
        load: Load = [(hello, (port,)) for _ in range(sizes.partners)]
        return run_phase("hello", server.pid, sizes.seconds, load)
    finally:
        live.stop(server)


# --- the report --------------------------------------------------------------------------------


def machine(postgres_version: str) -> list[str]:
    import django

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    mem_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )  # fmt: skip
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    load = os.getloadavg()
    return [
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit or 'unknown'}",
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM {mem_kib / 1024 / 1024:.1f} GiB; "
        f"load average before the run {load[0]:.2f}",
        f"- {platform.system()} {platform.release()}; Python {platform.python_version()}; "
        f"Django {django.get_version()}; SQLite {sqlite3.sqlite_version}; "
        f"PostgreSQL {postgres_version}",
    ]


def table(phases: list[Phase], hello_p95: float, hello_rate: float) -> list[str]:
    """Return the markdown table of the phases' figures, each beside the hello-world's."""
    lines = [
        "| phase | request | n | per second | p50 ms | p95 ms | p99 ms | p95 / hello p95 "
        "| rate / hello rate |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for phase in phases:
        for kind, values in phase.timings.items():
            if not values:
                continue
            rate = len(values) / phase.seconds
            p95 = percentile(values, 0.95)
            lines.append(
                f"| {phase.name} | {kind} | {len(values)} | {rate:.1f} | "
                f"{percentile(values, 0.5):.1f} | {p95:.1f} | "
                f"{percentile(values, 0.99):.1f} | {p95 / hello_p95:.1f}x | "
                f"{rate / hello_rate:.3f}x |"
            )
    return lines


def p95_verdict(
    what: str, values: list[float], limit: float, errors: list[str]
) -> tuple[str, bool]:
    """Return the line saying whether the p95 of `values` is under `limit` ms, and whether it
    is; a failed request voids the target, whatever the timings (its timing is of an error)."""
    met = bool(values) and percentile(values, 0.95) < limit and not errors
    measured = f"{percentile(values, 0.95):.1f} ms" if values else "no request"
    return f"- {what} p95 < {limit:g} ms: {measured}, {'met' if met else 'NOT met'}", met


def report(
    sizes: Sizes,
    quick: bool,
    results: dict[str, list[Phase]],
    baseline: Phase,
    about: list[str],
    many: Phase | None = None,
) -> tuple[str, bool]:
    hello_values = baseline.timings["hello-world"]
    hello_rate = len(hello_values) / baseline.seconds
    hello_p95 = percentile(hello_values, 0.95)
    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/run`"
        + (" --quick (tiny sizes: not the figures of record)" if quick else "")
        + "; rerun it to reproduce. Loopback only; gunicorn "
        f"with {sizes.workers} sync workers; production settings over plain HTTP.",
        "",
        "## Machine",
        "",
        *about,
        "",
        "## Load",
        "",
        f"- Clinic: {sizes.couples} couples x {sizes.sessions} sessions x 4 instruments x 2 "
        "partners (bench/clinic.py), one therapist, who is also the browsing clinician.",
        f"- answering: {sizes.partners} partners, each autosaving with a 0.5-1.5 s pause and "
        "submitting at the end; browsing: "
        f"{sizes.clinicians} clinicians loading the caseload and case pages with a 0.5-1.5 s "
        "pause; "
        f"mixed: both at once. {sizes.seconds:g} s a phase.",
        f"- hello-world: a bare Django view (bench/hello/app.py), {sizes.partners} clients with "
        f"no pause: {hello_rate:.0f} requests/s, p50 {percentile(hello_values, 0.5):.1f} ms, "
        f"p95 {hello_p95:.1f} ms, p99 {percentile(hello_values, 0.99):.1f} ms; ratios below are "
        "to these (the rate ratio means most for the paced phases as a share of capacity).",
        "",
    ]
    ok = not baseline.errors
    verdicts = []
    for database, phases in results.items():
        lines += [f"## {database}", "", *table(phases, hello_p95, hello_rate), ""]
        peaks = [max(p.peak_rss_mib.values(), default=0.0) for p in phases]
        lines.append(f"Peak resident memory per gunicorn worker: {max(peaks):.0f} MiB "
                     f"(largest worker, any phase; {sizes.workers} workers).")  # fmt: skip
        errors = [e for p in phases for e in p.errors]
        lines.append(f"Errors: {len(errors)}" + (f" (first: {errors[:5]})" if errors else "."))
        lines.append("")
        answering = phases[0].timings.get("autosave", [])
        caseload = phases[1].timings.get("caseload", [])
        # A failed request voids every target: its timing is of an error, not of the page.
        autosave_ok = bool(answering) and percentile(answering, 0.95) < 50 and not errors
        caseload_ok = bool(caseload) and percentile(caseload, 0.95) < 150 and not errors
        ok = ok and autosave_ok and caseload_ok and not errors
        verdicts += [
            f"- {database}: autosave p95 < 50 ms with {sizes.partners} partners answering: "
            f"{percentile(answering, 0.95) if answering else float('nan'):.1f} ms, "
            f"{'met' if autosave_ok else 'NOT met'}",
            f"- {database}: caseload p95 < 150 ms at {sizes.couples} couples: "
            f"{percentile(caseload, 0.95) if caseload else float('nan'):.1f} ms, "
            f"{'met' if caseload_ok else 'NOT met'}",
            f"- {database}: no error under the load: {'met' if not errors else 'NOT met'}",
        ]
        # Issue 21, item 4: the clinician's pages while partners answer.
        for page in ("caseload", "case page"):
            line, met = p95_verdict(
                f"{database}: {page} with {sizes.partners} partners answering (mixed),",
                phases[2].timings.get(page, []),
                100,
                errors,
            )
            verdicts.append(line)
            ok = ok and met
    if many is not None:
        lines += [
            "## Many clinics (PostgreSQL)",
            "",
            f"{sizes.clinics} clinics x {sizes.clinic_couples} couples x {sizes.sessions} "
            "sessions (bench/clinics.py); two gunicorn servers "
            f"({sizes.workers} sync workers each) and one task worker on one PostgreSQL; each "
            "clinic's clinician browses its caseload and case pages with a 0.5-1.5 s pause "
            f"while {sizes.partners} partners of couples spread over the clinics answer. "
            f"Beside it, the single clinic's mixed phase above: {sizes.couples} couples in one "
            "clinic on one server.",
            "",
            *table([many], hello_p95, hello_rate),
            "",
            f"Errors: {len(many.errors)}"
            + (f" (first: {many.errors[:5]})" if many.errors else "."),
            "",
        ]
        verdicts.append(
            f"- many clinics: no error under the load: {'met' if not many.errors else 'NOT met'}"
        )
        ok = ok and not many.errors
    lines += ["## Targets (issues 11 and 21)", "", *verdicts, ""]
    return "\n".join(lines), ok


def postgres_version(conninfo: str) -> str:
    import psycopg

    with psycopg.connect(conninfo) as db:
        row = db.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def report_path(quick: bool, output: Path | None) -> Path:
    """Return where the report goes: the tracked BENCHMARKS.md only when `output` names it."""
    return output or ROOT / "var" / f"BENCHMARKS-{'quick' if quick else 'run'}.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to try the machinery")
    parser.add_argument("--seconds", type=float, help="seconds a phase")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--output", type=Path, help="where to write the report (BENCHMARKS.md only when named)"
    )
    scratch.add_options(parser)
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    if args.seconds:
        sizes.seconds = args.seconds
    sizes.port = args.port
    output = report_path(args.quick, args.output)
    if not args.no_postgres:
        scratch.postgres_server()  # stop now, not after the SQLite half, when it is unusable
    tmp = Path(tempfile.mkdtemp(prefix="rebond-bench-run-"))
    started = time.perf_counter()
    about_load = os.getloadavg()
    results: dict[str, list[Phase]] = {}
    say(f"bench/run{' --quick' if args.quick else ''}: scratch files in {tmp}")
    (tmp / "sqlite").mkdir()
    results["SQLite (WAL)"] = bench_database(
        "SQLite", f"sqlite:///{tmp / 'sqlite' / 'bench.sqlite3'}", sizes, tmp / "sqlite"
    )
    pg_version = "not run"
    many = None
    if not args.no_postgres:
        (tmp / "pg").mkdir()
        with scratch.scratch_postgres("rebond_bench_run", args.scratch_name) as db:
            pg_version = postgres_version(db.conninfo)
            results["PostgreSQL"] = bench_database("PostgreSQL", db.url, sizes, tmp / "pg")
        (tmp / "clinics").mkdir()
        with scratch.scratch_postgres("rebond_bench_clinics") as db:
            many = bench_clinics(db.url, sizes, tmp / "clinics")
    chains_section, chains_ok = ("", True) if args.no_postgres else bench_audit_chains(sizes)
    baseline = bench_hello(sizes)
    about = machine(pg_version)
    about[1] = about[1].replace(
        f"load average before the run {os.getloadavg()[0]:.2f}",
        f"load average before the run {about_load[0]:.2f}",
    )
    text, ok = report(sizes, args.quick, results, baseline, about, many)
    text, ok = text + ("\n" + chains_section if chains_section else ""), ok and chains_ok
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    shutil.rmtree(tmp)
    print(text)
    say(f"wrote {output} in {time.perf_counter() - started:.0f} s; targets "
        f"{'all met' if ok else 'NOT all met'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
