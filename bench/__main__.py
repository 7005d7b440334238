"""Run every benchmark, each in its own process, and print their tables: ``python -m bench``.

Each benchmark measures its baseline in the same run and reports ratios, because
the machines it runs on are shared and noisy. Pass names to run only some:
``python -m bench blocklist before_publish``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def available() -> list[str]:
    """Benchmark names: the ``*_bench.py`` modules beside this file."""
    return sorted(path.stem.removesuffix("_bench") for path in BENCH_DIR.glob("*_bench.py"))


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(available())}")
        return 2
    failed = []
    for name in names:
        print(f"\n=== {name} " + "=" * (70 - len(name)), flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", f"bench.{name}_bench"], check=False)  # noqa: S603
        print(f"--- {name}: {time.perf_counter() - started:.1f} s, exit {result.returncode}")
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nmissed targets or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
