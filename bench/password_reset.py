"""Time the "Forgot your password?" request for a known and an unknown address (ASVS 6.3.8).

`.venv/bin/python -m bench.password_reset [--rounds 300]`: in this process, on a new SQLite
database in a temporary folder (nothing else is touched), with the production task backend
(the task is stored for the worker, never run here), post the form alternately, in random
order, for an enrolled clinician's address and for an address no account has, and print the
median and 95th percentile of each, their difference, and a Mann-Whitney U test (normal
approximation, two-sided). Not a test: timings depend on the machine, so the suite compares
the work done instead (rebond/accounts/tests/test_password_reset.py).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def mann_whitney_p(a: list[float], b: list[float]) -> tuple[float, float]:
    """Return (U, two-sided p) for samples a and b, ties given their mean rank."""
    values = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1][0] == values[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    rank_a = sum(r for r, (_, group) in zip(ranks, values, strict=True) if group == 0)
    n1, n2 = len(a), len(b)
    u = rank_a - n1 * (n1 + 1) / 2
    mean = n1 * n2 / 2
    sd = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    z = (u - mean) / sd
    return u, math.erfc(abs(z) / math.sqrt(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300, help="requests per address")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rebond-bench-reset-"))
    try:
        run(folder, args.rounds)
    finally:
        shutil.rmtree(folder)


def run(folder: Path, rounds: int) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "rebond.tests.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    from rebond.test import ensure_totp_device, make_clinic, make_clinician

    setup_test_environment()
    call_command("migrate", verbosity=0)
    user = make_clinician(make_clinic("Bench clinic"), "Known Clinician")
    ensure_totp_device(user)
    addresses = {"known": user.email, "unknown": "nobody-at-all@example.test"}
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    client = Client()
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        LOGIN_FAILURES_PER_USER=10**6,
        LOGIN_FAILURES_PER_IP=10**6,
    ):
        for n in range(rounds + 20):
            order = ["known", "unknown"]
            random.shuffle(order)
            for kind in order:
                start = time.perf_counter()
                response = client.post(
                    "/accounts/password-reset/",
                    {"email": addresses[kind]},
                    REMOTE_ADDR=f"10.{n // 250}.{n % 250}.{order.index(kind) + 1}",
                )
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 302, response.status_code
                if n >= 20:  # the first rounds warm caches and are left out
                    timings[kind].append(elapsed)
    for kind, values in timings.items():
        p95 = statistics.quantiles(values, n=20)[-1]
        median = statistics.median(values)
        print(f"{kind:8} n={len(values)} median {median:.2f} ms p95 {p95:.2f} ms")
    delta = statistics.median(timings["known"]) - statistics.median(timings["unknown"])
    u, p = mann_whitney_p(timings["known"], timings["unknown"])
    print(f"median known - unknown: {delta:+.3f} ms; Mann-Whitney U {u:.0f}, p = {p:.3f}")


if __name__ == "__main__":
    main()
