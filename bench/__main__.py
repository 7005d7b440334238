"""Run every benchmark, each in its own process, and print their tables: ``python -m bench``.

Each benchmark measures its baseline in the same run and reports ratios, because
the machines it runs on are shared and noisy. Pass names to run only some:
``python -m bench blocklist before_publish``.

``python -m bench --quick [name…]`` (what ``.ci/run`` runs after the tests) runs every
benchmark with small counts: a benchmark that crashes fails it, so benches cannot rot,
while missed targets are reported, not enforced (figures from tiny samples on a shared
CI machine are not evidence).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench._measure import MISSED_TARGET, QUICK_ENV

BENCH_DIR = Path(__file__).resolve().parent


def available() -> list[str]:
    """Benchmark names: the ``*_bench.py`` modules beside this file."""
    return sorted(path.stem.removesuffix("_bench") for path in BENCH_DIR.glob("*_bench.py"))


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    argv = [arg for arg in argv if arg != "--quick"]
    names = [name for name in argv if name != "all"] or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(available())}")
        return 2
    failed, missed = [], []
    env = {**os.environ, QUICK_ENV: "1" if quick else "0"}
    for name in names:
        print(f"\n=== {name} " + "=" * (70 - len(name)), flush=True)
        started = time.perf_counter()
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", f"bench.{name}_bench"], check=False, env=env
        )
        print(f"--- {name}: {time.perf_counter() - started:.1f} s, exit {result.returncode}")
        if result.returncode == MISSED_TARGET:
            missed.append(name)
        elif result.returncode != 0:
            failed.append(name)
    if missed:
        enforced = "" if not quick else " (quick run: reported, not enforced)"
        print(f"\nmissed targets{enforced}: {', '.join(missed)}")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed or (missed and not quick) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
