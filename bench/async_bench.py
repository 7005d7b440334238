"""Benchmark the async consumer on one SQS batch: ``python -m bench.async_bench``.

One batch of 100 chat messages (10 of them rejected, so 10 Ably soft deletes)
goes through the real handler against a moto server and the loopback Ably stub,
which holds every delete for ``--latency-ms`` (default 20 ms). Measured in the
same run, median of ``--runs`` batches each:

- one Ably round trip alone (a delete through the gateway, same injected latency);
- the batch with no injected latency (what moderation and DynamoDB cost);
- the batch with the latency: the difference is the time Ably added, reported
  in round trips (target: at most 3 — the deletes overlap; in series they are 10);
- the same batch with ``async.maxConcurrency: 1``, the serial baseline.

Exits 1 when the target is missed. Bounded: well under a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import sys
import time
from typing import Any

from bench._deployment import moto_server_deployment
from bench._measure import scaled, target_status

MESSAGES = 100
REJECTED = 10
TARGET_ROUND_TRIPS = 3.0
DELETE = re.compile(r"/chat/v4/rooms/[^/]+/messages/[^/]+/delete")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=20.0, help="injected Ably latency")
    parser.add_argument("--runs", type=int, default=scaled(5, 1), help="batches per configuration")
    args = parser.parse_args(argv)

    from tests.support.ably_stub import AblyStub

    _serialize_moto_dynamodb()
    with AblyStub() as stub, moto_server_deployment() as endpoint:
        return _run(stub, endpoint, args.latency_ms / 1000, args.runs)


def _serialize_moto_dynamodb() -> None:
    """One DynamoDB request at a time in the (in-process) moto server.

    moto's DynamoDB backend is not thread-safe (a transaction deep-copies tables
    that concurrent writes change: "dictionary changed size during iteration"),
    while the consumer writes from several threads, as it may against DynamoDB.
    Serialising moto makes the store slower than DynamoDB, never faster, so the
    time Ably adds is measured against a pessimistic baseline.
    """
    import threading

    from moto.dynamodb.responses import DynamoHandler

    lock = threading.Lock()
    call_action = DynamoHandler.call_action

    def serialized(self: Any) -> Any:
        with lock:
            return call_action(self)

    DynamoHandler.call_action = serialized  # type: ignore[method-assign]


def _run(stub: Any, endpoint: str, latency_s: float, runs: int) -> int:
    # Imported only now: the deployment's environment must be in place first.
    import httpx

    from chatmod.adapters.ably.client import gateway_for, reset_gateway
    from chatmod.core import constants
    from chatmod.core.policy import RuntimePolicy
    from chatmod.core.settings import get_settings
    from chatmod.handlers import async_moderation
    from tests.support.ably_messages import chat_message, stored_chat_message
    from tests.support.ably_stub import Reply
    from tests.support.deployment import put_parameters, reset_process_state
    from tests.support.dynamodb import create_tables
    from tests.support.events import FakeLambdaContext, ably_envelope, sqs_event

    class FunctionContext(FakeLambdaContext):
        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 30_000  # the async function's timeout (stacks/functions.py)

    context = FunctionContext()
    os.environ[constants.ENV_ABLY_REST_HOST] = f"{stub.host}:{stub.port}"
    os.environ[constants.ENV_ABLY_TLS] = "false"
    batch_number = 0

    policy = RuntimePolicy()

    def fresh_tables() -> None:
        # Every batch starts from empty tables: moto copies a whole table per
        # transaction, so a table grown by earlier batches would slow later ones.
        httpx.post(f"{endpoint}/moto-api/reset").raise_for_status()
        create_tables(endpoint_url=endpoint)
        put_parameters(policy=policy, endpoint_url=endpoint)

    def configure(max_concurrency: int | None) -> None:
        nonlocal policy
        policy = RuntimePolicy.model_validate(
            {"async": {"maxConcurrency": max_concurrency}} if max_concurrency else {}
        )
        fresh_tables()
        reset_process_state()
        reset_gateway()
        async_moderation.reset_removal_guard()
        one_batch(0.0)  # warm: policy, clients, Ably token, idempotency layer

    def one_batch(delay_s: float) -> float:
        nonlocal batch_number
        batch_number += 1
        fresh_tables()
        bodies = []
        for index in range(MESSAGES):
            rude = index % (MESSAGES // REJECTED) == 0
            text = "you are shit" if rude else f"hello number {index}"
            sender = f"b{batch_number}-u{index}"
            serial = stored_chat_message(stub, "bench", text, sender)
            bodies.append(
                ably_envelope("bench::$chat", chat_message(text, serial=serial, client_id=sender))
            )
        if delay_s:
            stub.enqueue("POST", DELETE, *[Reply(process=True, delay_s=delay_s)] * REJECTED)
        event = sqs_event(*bodies)
        before = len(stub.requests_to(DELETE, "POST"))
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # EMF lines
            started = time.perf_counter()
            response = async_moderation.lambda_handler(event, context)
            elapsed = time.perf_counter() - started
        assert response == {"batchItemFailures": []}, response
        assert len(stub.requests_to(DELETE, "POST")) - before == REJECTED
        return elapsed

    def paired(latency: float) -> tuple[float, float, float]:
        """Median batch time without and with latency, and the median paired difference."""
        without, with_, added = [], [], []
        for _ in range(runs):  # alternated, so machine noise hits both alike
            without.append(one_batch(0.0))
            with_.append(one_batch(latency))
            added.append(with_[-1] - without[-1])
        return statistics.median(without), statistics.median(with_), statistics.median(added)

    configure(None)
    # One Ably round trip alone, with the same injected latency.
    gateway = gateway_for(get_settings())
    round_trips = []
    for _ in range(runs * 2):
        serial = stored_chat_message(stub, "bench", "x", "rtt")
        stub.enqueue("POST", DELETE, Reply(process=True, delay_s=latency_s))
        started = time.perf_counter()
        gateway.delete_chat_message("bench", serial, "bench")
        round_trips.append(time.perf_counter() - started)
    rtt = statistics.median(round_trips)

    no_latency, with_latency, added_s = paired(latency_s)
    configure(1)
    _, serial_with_latency, serial_added_s = paired(latency_s)

    added = added_s / rtt
    serial_added = serial_added_s / rtt
    print(
        f"async batch: {MESSAGES} chat messages, {REJECTED} rejected (soft deletes), Ably "
        f"latency {latency_s * 1000:.0f} ms injected; median of {runs} batches"
    )
    print(f"{'':<46} {'ms':>9} {'Ably RTTs':>10}")
    print(f"{'one Ably round trip (baseline)':<46} {rtt * 1000:>9.1f} {1.0:>10.2f}")
    print(f"{'batch, no injected latency':<46} {no_latency * 1000:>9.1f} {no_latency / rtt:>10.2f}")
    print(
        f"{'batch, with latency (concurrent, default)':<46} {with_latency * 1000:>9.1f} "
        f"{with_latency / rtt:>10.2f}"
    )
    print(f"{'  time Ably added (paired difference)':<46} {added_s * 1000:>9.1f} {added:>10.2f}")
    print(
        f"{'batch, with latency, maxConcurrency 1':<46} {serial_with_latency * 1000:>9.1f} "
        f"{serial_with_latency / rtt:>10.2f}"
    )
    print(
        f"{'  time Ably added (serial baseline)':<46} "
        f"{serial_added_s * 1000:>9.1f} {serial_added:>10.2f}"
    )
    print(
        f"concurrent vs serial: {serial_with_latency / with_latency:.1f}x faster; Ably time "
        f"{added:.2f} RTTs (target <= {TARGET_ROUND_TRIPS:.0f}; serial {serial_added:.2f})"
    )
    ok = added <= TARGET_ROUND_TRIPS
    print("targets:", "met" if ok else "MISSED")
    return target_status(ok)


if __name__ == "__main__":
    sys.exit(main())
