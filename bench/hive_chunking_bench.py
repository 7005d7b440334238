"""Hive chunking benchmark: a 5,000-character message vs one call, against a 50 ms loopback Hive.

Run with ``python -m bench.hive_chunking_bench``. The chunks of a long message are
sent concurrently, so the chunked call should take about as long as one call:
the target is at most 1.5x. Exits 1 if the target is missed. Bounded: well under
30 seconds.
"""

from __future__ import annotations

import statistics
import sys
import time

import httpx

from bench._measure import scaled, target_status
from chatmod.moderation.providers._chunking import chunk_text
from chatmod.moderation.providers.hive import MAX_CHARS, HiveProvider
from tests.support.fake_providers import FakeServer, hive_responder

DELAY_SECONDS = 0.05
ROUNDS = scaled(7, 2)
TARGET_RATIO = 1.5


def message(length: int = 5000) -> str:
    """A message of exactly ``length`` characters made of distinct words."""
    words, size, i = [], 0, 0
    while size < length:
        word = f"word{i}"
        words.append(word)
        size += len(word) + 1
        i += 1
    return " ".join(words)[:length]


def timed(provider: HiveProvider, text: str) -> float:
    """Seconds one ``moderate`` call takes."""
    started = time.perf_counter()
    provider.moderate(text, timeout=5)
    return time.perf_counter() - started


def main() -> int:
    """Measure, print the table, and return the exit status."""
    text = message()
    chunks = len(chunk_text(text, max_size=MAX_CHARS, overlap=128))
    with FakeServer(hive_responder(), delay=DELAY_SECONDS) as server, httpx.Client() as client:
        hive = HiveProvider("bench-key", base_url=server.url, http_client=client)
        timed(hive, text)  # warm up: open the pooled connections
        single = statistics.median(timed(hive, "one short message") for _ in range(ROUNDS))
        chunked = statistics.median(timed(hive, text) for _ in range(ROUNDS))
        in_flight = server.max_in_flight
    ratio = chunked / single
    rows = [
        ("case", "chars", "requests", f"median of {ROUNDS} (ms)"),
        ("single call", "17", "1", f"{single * 1000:.1f}"),
        ("chunked call", str(len(text)), str(chunks), f"{chunked * 1000:.1f}"),
    ]
    for row in rows:
        print(f"{row[0]:<14} {row[1]:>6} {row[2]:>9} {row[3]:>22}")
    verdict = "ok" if ratio <= TARGET_RATIO else "TOO SLOW"
    print(f"ratio chunked/single: {ratio:.2f} (target <= {TARGET_RATIO}) {verdict}")
    print(f"fake Hive delay {DELAY_SECONDS * 1000:.0f} ms; most requests in flight: {in_flight}")
    return target_status(ratio <= TARGET_RATIO)


if __name__ == "__main__":
    sys.exit(main())
