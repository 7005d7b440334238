"""Small timing helpers shared by the benchmarks: percentiles and cold-import ratios."""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

#: Set by ``python -m bench --quick`` (CI): small counts, targets reported but not enforced.
QUICK_ENV = "CHATMOD_BENCH_QUICK"
#: A benchmark's exit status when it ran but missed a target (a crash exits 1).
MISSED_TARGET = 3


def quick() -> bool:
    """Whether this run is the quick one (``python -m bench --quick``)."""
    return os.environ.get(QUICK_ENV) == "1"


def scaled(full: int, quick_count: int) -> int:
    """``full``, or ``quick_count`` in a quick run."""
    return quick_count if quick() else full


def target_status(met: bool) -> int:
    """A benchmark's exit status: 0 when its targets were met, else :data:`MISSED_TARGET`."""
    return 0 if met else MISSED_TARGET


COLD_IMPORT_ROUNDS = scaled(5, 2)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` percentile (0..1) of ``samples``, nearest-rank."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def time_calls(function: Callable[[], Any], calls: int) -> list[float]:
    """Seconds per call of ``function``, with stdout (EMF metric lines) sent to /dev/null."""
    samples = []
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        for _ in range(calls):
            started = time.perf_counter()
            function()
            samples.append(time.perf_counter() - started)
    return samples


def import_seconds(module: str, *, env: dict[str, str] | None = None) -> float:
    """Seconds a fresh interpreter takes to import ``module`` (measured inside it)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return float(result.stdout.strip().splitlines()[-1])


def cold_import_ratio(
    module: str, baseline: str = "boto3", *, env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Median cold import of ``module`` and of ``baseline`` (seconds), and their ratio.

    The two are measured alternately in fresh processes, so machine noise hits both.
    """
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(COLD_IMPORT_ROUNDS):
        ours.append(import_seconds(module, env=env))
        theirs.append(import_seconds(baseline, env=env))
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    return ours_median, theirs_median, ours_median / theirs_median


# Chat-like text shared by the benchmarks.
WORDS = [
    "hello",
    "everyone",
    "what",
    "a",
    "great",
    "match",
    "tonight",
    "did",
    "you",
    "see",
    "that",
    "goal",
    "the",
    "keeper",
    "had",
    "no",
    "chance",
    "at",
    "all",
    "honestly",
    "best",
    "game",
    "of",
    "the",
    "season",
    "so",
    "far",
    "lets",
    "hope",
    "they",
    "keep",
    "it",
    "up",
]
RUDE = ("shit", "f.u.c.k", "a$$hole", "fuuuuck", "sh1t")


def message(length: int, rng: random.Random, *, rude: bool = False) -> str:
    """Chat-like text of exactly ``length`` characters (one rude word if asked).

    Padded with spaces rather than cut mid-word: "hello" cut to "hell" would be rude.
    """
    words = [rng.choice(WORDS) for _ in range(length // 3)]
    if rude:
        words.insert(rng.randrange(len(words) // 2), rng.choice(RUDE))
    text = " ".join(words)[: length + 1]
    return text[: text.rfind(" ")].ljust(length)


def row(name: str, samples: list[float]) -> tuple[str, float, float]:
    return name, percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000


def latency_report(
    title: str,
    *,
    baseline: tuple[str, list[float]],
    measured: tuple[str, list[float]],
    target_p95_ms: float,
) -> int:
    """Print p50/p95 of ``measured`` beside its ``baseline`` from the same run, their
    ratio and the p95 target; return the exit status (``target_status``)."""
    (base_name, base_ms), (name, samples) = baseline, measured
    p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    base50, base95 = percentile(base_ms, 0.5), percentile(base_ms, 0.95)
    print(f"{title:<46} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"{base_name + ' (baseline)':<46} {base50:>8.1f} {base95:>8.1f}")
    print(f"{name:<46} {p50:>8.1f} {p95:>8.1f}")
    print(f"{'ratio to the baseline':<46} {p50 / base50:>8.2f} {p95 / base95:>8.2f}")
    met = p95 <= target_p95_ms
    print(f"target p95 <= {target_p95_ms:.0f} ms: {p95:.1f} ms")
    print("targets:", "met" if met else "MISSED")
    return target_status(met)
