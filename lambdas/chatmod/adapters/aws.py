"""boto3 clients, created lazily once per process, and calls that never outlive a deadline.

boto3 reads ``AWS_ENDPOINT_URL`` itself, which is how local mode points every
client at the embedded moto server; nothing here branches on the mode.

Why a worker thread per call: botocore fixes connect/read timeouts per client,
while a request's budget shrinks as it runs. ``call_within`` waits for the call
no longer than the deadline; the clients' own short timeouts and bounded
retries end a straggler soon after, on a bounded pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import cache
from typing import Any, Final, TypeVar

import boto3
from botocore.config import Config

from chatmod.core.deadline import Deadline

T = TypeVar("T")

#: The budget of a store call made without a request deadline (e.g. from a tool).
DEFAULT_BUDGET_S: Final = 2.0
#: Threads for store calls; a hung endpoint can hold at most this many.
POOL_THREADS: Final = 8

# One attempt is at most ~1.5 s; two attempts bound a straggler to a few seconds.
CLIENT_CONFIG: Final = Config(
    connect_timeout=0.5,
    read_timeout=1.0,
    retries={"mode": "standard", "max_attempts": 2},
    # The audit listing reads a day's 11 time-index partitions at once (audit_log).
    max_pool_connections=16,
)

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


class DeadlineExceededError(TimeoutError):
    """The call did not finish before the request's deadline."""


@cache
def client(service: str) -> Any:
    """The shared boto3 client for ``service`` (short timeouts, bounded retries)."""
    return boto3.client(service, config=CLIENT_CONFIG)


@cache
def table(name: str) -> Any:
    """The shared DynamoDB ``Table`` resource for ``name``."""
    return _dynamodb().Table(name)


@cache
def _dynamodb() -> Any:
    # One resource (and so one client) for every table: building a resource costs a few
    # milliseconds of a cold start each, a ``Table`` of it half a millisecond.
    return boto3.resource("dynamodb", config=CLIENT_CONFIG)


def forget_clients() -> None:
    """Drop every client and resource (a test's or local mode's new environment)."""
    client.cache_clear()
    table.cache_clear()
    _dynamodb.cache_clear()


def call_within(deadline: Deadline, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs)``, answered no later than ``deadline``.

    Raises:
        DeadlineExceededError: the deadline passed first (or had passed already).
        Exception: whatever ``call`` raised.
    """
    remaining = deadline.remaining()
    if remaining <= 0:
        raise DeadlineExceededError("no time left for the call")
    future = _shared_pool().submit(call, *args, **kwargs)
    try:
        return future.result(timeout=remaining)
    except FutureTimeout:
        future.cancel()
        raise DeadlineExceededError(f"the call took longer than {remaining:.3f}s") from None


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(
                    max_workers=POOL_THREADS, thread_name_prefix="chatmod-aws"
                )
    return _pool
