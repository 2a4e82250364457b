"""Long fuzzing of the chip parsers: the properties in tests/fuzz, run for as much CPU time as asked.

CI runs each property a few hundred times; this runs them round after round with fresh seeds
(hypothesis' "long" profile, `BALIE_FUZZ=long`) in several worker processes until the CPU
budget is spent, then prints what ran and every failure with its seed. A failure is any
exception that is not the parser's own typed error — the properties assert exactly that.

Run: .venv/bin/python benchmarks/fuzz.py --cpu-minutes 60 --workers 2
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_PER_ROUND = 5000


def collect() -> list[str]:
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/fuzz"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in listing.stdout.splitlines() if "::" in line]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_round(test_ids: list[str], seed: int) -> tuple[int, str]:
    env = {**os.environ, "BALIE_FUZZ": "long", "BALIE_FUZZ_EXAMPLES": str(EXAMPLES_PER_ROUND)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", f"--hypothesis-seed={seed}", *test_ids],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    return run.returncode, run.stdout[-4000:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-minutes", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    tests = collect()
    budget = args.cpu_minutes * 60
    started = time.monotonic()
    rounds = failures = 0
    print(
        f"{len(tests)} fuzz properties, {EXAMPLES_PER_ROUND} examples each per round, budget {budget / 60:.0f} CPU min"
    )
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        while children_cpu() < budget:
            seeds = [random.randrange(2**32) for _ in range(args.workers)]
            for seed, (code, output) in zip(seeds, pool.map(lambda s: run_round(tests, s), seeds), strict=True):
                rounds += 1
                if code != 0:
                    failures += 1
                    print(f"FAILURE with --hypothesis-seed={seed}:\n{output}", flush=True)
            print(
                f"round {rounds}: {children_cpu() / 60:.1f} CPU min, {(time.monotonic() - started) / 60:.1f} min wall, "
                f"{failures} failing rounds",
                flush=True,
            )
    examples = rounds * len(tests) * EXAMPLES_PER_ROUND
    print(f"done: {rounds} rounds, about {examples:,} examples, {children_cpu() / 60:.1f} CPU min, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
