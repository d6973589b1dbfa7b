"""Benchmark: score 1,000,000 mixed administrations on one core.

Run ``python bench/scoring.py [N]``. It builds a pool of random, complete
administrations across every instrument of the default catalogue, scores N of
them (default 1,000,000) with the precomputed-table path (``Scorer``), prints
administrations per second, and checks a sample against the reference path
(``score_positions``): any difference is an error. Not a timed test.
"""

from __future__ import annotations

import random
import sys
import time

from psychometrics import Result, Scorer, available, score_positions

POOL = 20_000
SAMPLE = 20_000


def main(argv: list[str]) -> int:
    """Run the benchmark and return an exit code (1 if a result differs)."""
    count = int(argv[1]) if len(argv) > 1 else 1_000_000
    rng = random.Random(20250101)
    instruments = available()
    scorers = {instrument.code: Scorer(instrument) for instrument in instruments}
    pool: list[tuple[Scorer, list[int]]] = []
    for _ in range(POOL):
        instrument = rng.choice(instruments)
        positions = [rng.randrange(len(item.options)) for item in instrument.items]
        pool.append((scorers[instrument.code], positions))

    started = time.perf_counter()
    results: list[Result | None] = [None] * POOL
    for index in range(count):
        scorer, positions = pool[index % POOL]
        results[index % POOL] = scorer.score_positions(positions)
    elapsed = time.perf_counter() - started

    mismatches = 0
    for index in range(min(SAMPLE, POOL, count)):
        scorer, positions = pool[index]
        if results[index] != score_positions(scorer.instrument, positions):
            mismatches += 1
    rate = count / elapsed
    codes = ", ".join(instrument.code for instrument in instruments)
    print(f"instruments: {codes}")
    print(f"scored {count:,} administrations in {elapsed:.2f} s on one core")
    print(f"{rate:,.0f} administrations per second (target >= 100,000)")
    checked = min(SAMPLE, POOL, count)
    print(f"reference check: {checked:,} sampled results, {mismatches} differences")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
