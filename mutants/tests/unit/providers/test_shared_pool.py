"""The providers' shared pool is never what concurrent messages queue on."""

from __future__ import annotations

import concurrent.futures
import threading

import pytest
from pydantic import ValidationError

from chatmod.core.deadline import Deadline
from chatmod.core.policy import AsyncPolicy
from chatmod.moderation.providers._http import run_concurrently


def test_as_many_provider_calls_as_the_async_consumer_allows_run_at_once():
    # Defect: 16 pool threads for up to 64 concurrent messages; with 300 ms provider
    # calls, 48 of them waited until their deadline and ended without a decision.
    messages = 64  # async.maxConcurrency's upper bound (docs/configuration.md)
    AsyncPolicy(max_concurrency=messages)
    with pytest.raises(ValidationError):
        AsyncPolicy(max_concurrency=messages + 1)
    # Every call waits until all are in flight: if any queued behind the pool, the barrier breaks.
    barrier = threading.Barrier(messages, timeout=10)

    def call(_: Deadline) -> bool:
        barrier.wait()
        return True

    def one_message() -> list[bool]:
        return run_concurrently("test", [call], deadline=Deadline(15))

    with concurrent.futures.ThreadPoolExecutor(max_workers=messages) as consumer:
        results = list(consumer.map(lambda _: one_message(), range(messages)))

    assert not barrier.broken
    assert results == [[True]] * messages
