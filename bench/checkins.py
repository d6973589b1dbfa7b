"""Benchmark: partners autosaving and submitting check-ins against gunicorn on loopback.

Not a test: it prints figures. Run `.venv/bin/python bench/checkins.py` (add `--postgres` to
use a new scratch PostgreSQL database on $BENCH_DATABASE_URL's server, dropped at the end:
bench/scratch.py).

1. Build a scratch database (a SQLite file in WAL mode, or PostgreSQL) with one clinic and as
   many couples as clients, each partner A with an open PHQ-9 and a private link.
2. Serve Rebond with gunicorn (production settings over plain HTTP on 127.0.0.1) and, beside
   it, a bare Django hello-world served the same way.
3. Each simulated client opens its link (the token is swapped for a session), loads its
   check-in, autosaves answers for the run's duration, then submits. Two runs:
   - "answering": each client pauses about a second between answers (0.5-1.5 s, uniform),
     like a person on a phone; this is the load the target is about;
   - "saturation": no pause at all, every client hammering; this finds the ceiling.
4. Print answers per second and p50/p95/p99 latency for autosave and submit, and the same for
   the hello-world under the same concurrency (no pause). Targets: autosave p95 < 50 ms with
   50 answering clients on SQLite; saturation autosave throughput at least 0.30 of the
   hello-world's in the same run (issue 21, item 3; stretch 0.40).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scratch
from rebond.tests import live


def run_partner(
    port: int,
    seed: dict[str, str],
    until: float,
    results: dict[str, list[float]],
    errors: list[str],
    think: float,
) -> None:
    client = live.HttpClient(port)
    status, _, _ = client.request("GET", f"/p/{seed['token_a']}/")
    if status != 302:
        errors.append(f"link: {status}")
        return
    page_path = f"/me/checkins/{seed['administration_a']}/"
    status, page, _ = client.request("GET", page_path)
    if status != 200 or not client.csrf:
        errors.append(f"page: {status}")
        return
    key_match = live.KEY_RE.search(page)
    if think:
        time.sleep(random.uniform(0, think))  # people do not all answer at the same instant
    n = 0
    while time.perf_counter() < until:
        item = n % 9 + 1
        status, _, elapsed = client.request(
            "POST",
            page_path + "autosave/",
            {"item": str(item), "value": str(n % 4)},
        )
        if status != 200:
            errors.append(f"autosave: {status}")
        results["autosave"].append(elapsed)
        n += 1
        if think:
            time.sleep(random.uniform(0.5, 1.5) * think)
    if key_match:
        status, _, elapsed = client.request(
            "POST",
            page_path + "submit/",
            {"submission_key": key_match.group(1), "finish": "anyway"},
        )
        if status not in (302, 303):
            errors.append(f"submit: {status}")
        results["submit"].append(elapsed)


def run_hello(port: int, until: float, results: dict[str, list[float]], errors: list[str]) -> None:
    client = live.HttpClient(port)
    while time.perf_counter() < until:
        status, _, elapsed = client.request("GET", "/")
        if status != 200:
            errors.append(f"hello: {status}")
        results["hello"].append(elapsed)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def rate(values: list[float], seconds: float) -> float:
    return len(values) / seconds


def summary(name: str, values: list[float], seconds: float) -> str:
    if not values:
        return f"{name:10} no requests"
    return (
        f"{name:10} {len(values) / seconds:8.0f}/s  p50 {percentile(values, 0.50):6.1f} ms  "
        f"p95 {percentile(values, 0.95):6.1f} ms  p99 {percentile(values, 0.99):6.1f} ms  "
        f"(n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--hello-port", type=int, default=0, help="default: a free one")
    scratch.add_options(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rebond-bench-") as tmp:
        if args.postgres:
            with scratch.scratch_postgres("rebond_bench", args.scratch_name) as database:
                return bench(args, database.url, Path(tmp))
        return bench(args, f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", Path(tmp))


def bench(args: argparse.Namespace, database_url: str, tmp: Path) -> int:
    env = live.server_env(database_url, tmp)
    seeds = live.prepare(env, seed_count=2 * args.clients)
    port, hello_port = args.port or live.free_port(), args.hello_port or live.free_port()
    servers = [
        live.start_gunicorn(env, port, workers=args.workers),
        live.start_gunicorn(
            {**os.environ}, hello_port, workers=args.workers, app="bench.hello.app:application"
        ),
    ]

    def run_clients(
        batch: list[dict[str, str]], think: float
    ) -> tuple[dict[str, list[float]], float]:
        results: dict[str, list[float]] = {"autosave": [], "submit": []}
        until = time.perf_counter() + args.seconds
        threads = [
            threading.Thread(target=run_partner, args=(port, seed, until, results, errors, think))
            for seed in batch
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results, time.perf_counter() - started

    def warm_up(server_port: int) -> None:
        # gunicorn's workers load Django on their first requests; on a busy machine that took
        # the whole first run, which then saved no answer at all.
        client = live.HttpClient(server_port)
        for _ in range(5):
            client.request("GET", "/")

    warmers = [
        threading.Thread(target=warm_up, args=(p,))
        for p in (port, hello_port)
        for _ in range(2 * args.workers)
    ]
    for t in warmers:
        t.start()
    for t in warmers:
        t.join()
    errors: list[str] = []
    try:
        answering, answering_seconds = run_clients(seeds[: args.clients], think=1.0)
        saturation, saturation_seconds = run_clients(seeds[args.clients :], think=0.0)
        hello: dict[str, list[float]] = {"hello": []}
        until = time.perf_counter() + args.seconds
        hellos = [
            threading.Thread(target=run_hello, args=(hello_port, until, hello, errors))
            for _ in range(args.clients)
        ]
        started = time.perf_counter()
        for t in hellos:
            t.start()
        for t in hellos:
            t.join()
        hello_seconds = time.perf_counter() - started
    finally:
        for server in servers:
            live.stop(server)
    database = "PostgreSQL" if args.postgres else "SQLite (WAL)"
    print(
        f"check-in benchmark: {args.clients} concurrent clients, {args.workers} gunicorn workers, "
        f"{database}, {os.cpu_count()} CPUs, {args.seconds:g} s per run"
    )
    print("answering (a pause of 0.5-1.5 s between answers, like a person):")
    print("  " + summary("autosave", answering["autosave"], answering_seconds))
    print("  " + summary("submit", answering["submit"], answering_seconds))
    print("saturation (no pause):")
    print("  " + summary("autosave", saturation["autosave"], saturation_seconds))
    print("  " + summary("submit", saturation["submit"], saturation_seconds))
    print("bare Django hello-world, same server set-up, no pause:")
    print("  " + summary("hello", hello["hello"], hello_seconds))
    # A phase without a single autosave (clients still opening their links when the run
    # ended, on a starved machine) voids its target as a failed request does.
    failed = " (requests failed)" if errors else ""
    if answering["autosave"] and hello["hello"]:
        print(
            f"ratio to hello-world: answering autosave p95 "
            f"{percentile(answering['autosave'], 0.95) / percentile(hello['hello'], 0.95):.1f}x"
        )
    target = (
        bool(answering["autosave"]) and percentile(answering["autosave"], 0.95) < 50 and not errors
    )
    print(
        f"target: answering autosave p95 < 50 ms with {args.clients} clients: "
        f"{'met' if target else 'NOT met'}{failed}"
        f"{'' if answering['autosave'] else ' (no autosave in the run)'}"
    )
    ratio = (
        rate(saturation["autosave"], saturation_seconds) / rate(hello["hello"], hello_seconds)
        if saturation["autosave"] and hello["hello"]
        else 0.0
    )
    print(
        f"target: saturation autosave throughput >= 0.30 of hello-world ({ratio:.2f}x): "
        f"{'met' if ratio >= 0.30 and not errors else 'NOT met'}{failed}"
        f"{'; stretch 0.40 met' if ratio >= 0.40 and not errors else ''}"
    )
    print(f"errors: {len(errors)}" + (f" (first: {errors[:3]})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
