"""What one decision costs on every path: ``python -m bench.cost_bench``.

Drives the real handlers, warm and in process, against the loopback moto server
(and the loopback Ably stub where a path publishes or deletes): before-publish
over the Lambda transport and over the HTTP transport, the async SQS consumer
(batches of the stack's default ``ingest.batchSize``, 10) and ``POST /messages``.
Accepted messages come from one sender; rejected ones are first offences of new
senders (a strike, never a ban's short cut). Per decision it reports:

- **bytes logged**: everything Powertools Logger and Metrics write to stdout (JSON
  log lines and EMF metric blobs), at the level the stack deploys (``INFO``);
- **DynamoDB capacity**: every call counted and sized by DynamoDB's rules (items
  sized from the request or the response; 4 KB per strongly consistent read unit,
  half a unit eventually consistent, a missing item still one unit; 1 KB per write
  unit; transactions twice that) — the code does not ask ``ReturnConsumedCapacity``;
- **invocations** (one per message, 1/batch on the async path) and the **measured
  duration** per invocation (wall time, median, on this machine against moto).

``docs/cost.md`` turns these into dollars per million messages. No target: exit 0.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bench._deployment import moto_server_deployment
from bench._measure import scaled

MESSAGES = scaled(100, 10)
ASYNC_BATCH = 10  # the stack's default ingest.batchSize (stacks/config.py)
READ_UNIT = 4096
WRITE_UNIT = 1024


# -- DynamoDB capacity by the documented rules --------------------------------------------


def attribute_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one typed attribute value (``{"S": ...}`` and so on)."""
    (kind, data), *_ = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        digits = data.lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: item}) for item in data)
    if kind == "L":
        return 3 + sum(1 + attribute_size(item) for item in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + attribute_size(v) for k, v in data.items())
    return 0


def item_size(item: dict[str, Any] | None) -> int:
    """An item's size: attribute names plus values."""
    return sum(len(name.encode()) + attribute_size(value) for name, value in (item or {}).items())


def read_units(size: int, consistent: bool) -> float:
    """Read units for one item (a missing item still costs one read)."""
    units = max(1, math.ceil(size / READ_UNIT))
    return units if consistent else units / 2


def write_units(size: int) -> int:
    """Write units for one item."""
    return max(1, math.ceil(size / WRITE_UNIT))


@dataclass
class Capacity:
    """DynamoDB calls and capacity units, counted from boto3's events."""

    calls: int = 0
    reads: float = 0.0
    writes: float = 0.0
    strong_reads: int = 0  # read calls that asked for ConsistentRead
    paused: bool = False  # set while a bench prepares its tables (not the handler's work)
    _params: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def before(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self.paused:
            return
        self.calls += 1
        # ``params`` is the serialised request: its JSON body is the typed call.
        body = params.get("body") or b"{}"
        context["chatmod_bench_params"] = (model.name, json.loads(body))

    def after(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if "chatmod_bench_params" not in context:
            return
        name, params = context["chatmod_bench_params"]
        self._account(name, params, parsed)

    def _account(self, name: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        consistent = bool(params.get("ConsistentRead"))
        if name == "GetItem":
            self.strong_reads += consistent
            self.reads += read_units(item_size(parsed.get("Item")), consistent)
        elif name == "BatchGetItem":
            for table, request in params.get("RequestItems", {}).items():
                strong = bool(request.get("ConsistentRead"))
                self.strong_reads += strong
                found = parsed.get("Responses", {}).get(table, [])
                sizes = [item_size(item) for item in found]
                sizes += [0] * (len(request.get("Keys", [])) - len(found))
                self.reads += sum(read_units(size, strong) for size in sizes)
        elif name in ("Query", "Scan"):
            self.strong_reads += consistent
            size = sum(item_size(item) for item in parsed.get("Items", []))
            self.reads += read_units(size, consistent)
        elif name == "PutItem":
            self.writes += write_units(item_size(params.get("Item")))
        elif name in ("UpdateItem", "DeleteItem"):
            # The item's size is not in the request: key plus new values, at least 1 unit.
            values = params.get("ExpressionAttributeValues", {})
            size = item_size(params.get("Key")) + sum(attribute_size(v) for v in values.values())
            self.writes += write_units(size)
        elif name == "TransactWriteItems":
            for entry in params.get("TransactItems", []):
                (kind, body), *_ = entry.items()
                item = body.get("Item") or body.get("Key")
                values = body.get("ExpressionAttributeValues", {})
                size = item_size(item) + (0 if kind == "Put" else item_size(values))
                self.writes += 2 * write_units(size)  # transactions cost two units per unit
        elif name == "BatchWriteItem":
            for requests in params.get("RequestItems", {}).values():
                for request in requests:
                    put = request.get("PutRequest", {}).get("Item")
                    key = request.get("DeleteRequest", {}).get("Key")
                    self.writes += write_units(item_size(put or key))

    def reset(self) -> None:
        self.calls, self.reads, self.writes, self.strong_reads = 0, 0.0, 0.0, 0


# -- bytes logged -------------------------------------------------------------------------


class Counting(io.TextIOBase):
    """A text stream that keeps what is written (to count bytes and lines)."""

    def __init__(self) -> None:
        self.chunks: list[str] = []

    def write(self, text: str) -> int:
        self.chunks.append(text)
        return len(text)

    def take(self) -> str:
        text, self.chunks = "".join(self.chunks), []
        return text


@contextlib.contextmanager
def captured(stream: Counting) -> Iterator[None]:
    """Send Powertools' log handler and ``print`` (EMF) to ``stream`` for the duration."""
    from chatmod.core.observability import logger

    handler = logger.registered_handler
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        with contextlib.redirect_stdout(stream):
            yield
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]


# -- the paths ----------------------------------------------------------------------------


@dataclass
class Row:
    path: str
    outcome: str
    bytes_per_decision: float
    lines_per_decision: float
    metric_blobs_per_decision: float
    calls: float
    reads: float
    writes: float
    strong_reads: float
    invocations: float
    duration_ms: float  # median per invocation


def measure(
    path: str,
    outcome: str,
    prepare: Callable[[int], Callable[[], int]],
    capacity: Capacity,
    stream: Counting,
    count: int,
) -> Row:
    """Time ``prepare(i)()`` (which returns how many decisions it made) until ``count`` decisions.

    ``prepare(i)`` builds the invocation (and may reset tables) outside the figures.
    """
    decisions, invocations, durations = 0, 0, []
    capacity.reset()
    stream.take()
    with captured(stream):
        for index in itertools.count():
            if decisions >= count:
                break
            capacity.paused = True
            invoke = prepare(index)
            capacity.paused = False
            started = time.perf_counter()
            decisions += invoke()
            durations.append(time.perf_counter() - started)
            invocations += 1
    text = stream.take()
    lines = [line for line in text.splitlines() if line.strip()]
    blobs = sum(1 for line in lines if '"_aws"' in line)
    return Row(
        path=path,
        outcome=outcome,
        bytes_per_decision=len(text.encode()) / decisions,
        lines_per_decision=len(lines) / decisions,
        metric_blobs_per_decision=blobs / decisions,
        calls=capacity.calls / decisions,
        reads=capacity.reads / decisions,
        writes=capacity.writes / decisions,
        strong_reads=capacity.strong_reads / decisions,
        invocations=invocations / decisions,
        duration_ms=statistics.median(durations) * 1000,
    )


def main() -> int:
    import boto3

    from bench.async_bench import _serialize_moto_dynamodb
    from tests.support.ably_stub import AblyStub

    _serialize_moto_dynamodb()  # the consumer writes from several threads; moto is not safe
    capacity = Capacity()
    with AblyStub() as stub, moto_server_deployment(log_level="INFO") as endpoint:
        os.environ.update(
            {"CHATMOD_ABLY_REST_HOST": f"{stub.host}:{stub.port}", "CHATMOD_ABLY_TLS": "false"}
        )
        session = boto3._get_default_session()  # the session every client copies
        session.events.register("before-call.dynamodb", capacity.before)
        session.events.register("after-call.dynamodb", capacity.after)
        from tests.support.deployment import reset_process_state

        reset_process_state()  # clients made from now on carry the counting hooks
        rows = _run(stub, endpoint, capacity)
    _print(rows)
    return 0


def _run(stub: Any, endpoint: str, capacity: Capacity) -> list[Row]:
    import httpx

    from chatmod.handlers import async_moderation, before_publish, publish
    from tests.support.ably_messages import chat_message, stored_chat_message
    from tests.support.deployment import BEFORE_PUBLISH_SECRET, put_parameters
    from tests.support.dynamodb import create_tables
    from tests.support.events import (
        FakeLambdaContext,
        ably_envelope,
        before_publish_request,
        http_event,
        sqs_event,
    )

    class AsyncContext(FakeLambdaContext):
        @staticmethod
        def get_remaining_time_in_millis() -> int:
            return 30_000  # the async function's timeout (stacks/functions.py)

    context, async_context = FakeLambdaContext(), AsyncContext()

    def fresh_tables() -> None:
        httpx.post(f"{endpoint}/moto-api/reset").raise_for_status()
        create_tables(endpoint_url=endpoint)
        put_parameters(endpoint_url=endpoint)

    senders = itertools.count()
    stream = Counting()

    def text(index: int, rude: bool) -> str:
        return f"you are shit, number {index}" if rude else f"hello everyone, number {index}"

    def sender(rude: bool) -> str:
        return f"user-{next(senders)}" if rude else "alice"

    Prepared = Callable[[int], Callable[[], int]]

    def before_publish_call(event: dict[str, Any]) -> Callable[[], int]:
        def invoke() -> int:
            answer = before_publish.lambda_handler(event, context)
            assert answer["statusCode"] == 200, answer
            return 1

        return invoke

    def lambda_transport(rude: bool) -> Prepared:
        def prepare(index: int) -> Callable[[], int]:
            return before_publish_call(
                before_publish_request(text(index, rude), client_id=sender(rude))
            )

        return prepare

    def http_transport(rude: bool) -> Prepared:
        def prepare(index: int) -> Callable[[], int]:
            body = before_publish_request(text(index, rude), client_id=sender(rude))
            return before_publish_call(
                http_event(
                    "POST",
                    "/before-publish",
                    body=body,
                    headers={"authorization": f"Bearer {BEFORE_PUBLISH_SECRET}"},
                )
            )

        return prepare

    def consumer(rude: bool) -> Prepared:
        def prepare(index: int) -> Callable[[], int]:
            fresh_tables()  # as the async bench: moto copies whole tables per transaction
            bodies = []
            for number in range(ASYNC_BATCH):
                words, client = text(index * ASYNC_BATCH + number, rude), sender(rude)
                serial = stored_chat_message(stub, "bench", words, client)
                message = chat_message(words, serial=serial, client_id=client)
                bodies.append(ably_envelope("bench::$chat", message))
            event = sqs_event(*bodies)

            def invoke() -> int:
                answer = async_moderation.lambda_handler(event, async_context)
                assert answer == {"batchItemFailures": []}, answer
                return ASYNC_BATCH

            return invoke

        return prepare

    def messages(rude: bool) -> Prepared:
        def prepare(index: int) -> Callable[[], int]:
            body = {"room": "lobby", "text": text(index, rude)}
            event = http_event("POST", "/messages", body=body, claims={"sub": sender(rude)})

            def invoke() -> int:
                answer = publish.lambda_handler(event, context)
                assert answer["statusCode"] == (422 if rude else 201), answer
                return 1

            return invoke

        return prepare

    paths = {
        "before-publish, Lambda": lambda_transport,
        "before-publish, HTTP": http_transport,
        "async (SQS batch of 10)": consumer,
        "POST /messages": messages,
    }
    rows = []
    for name, make in paths.items():
        with captured(Counting()):
            make(False)(0)()  # warm: runtime, policy, clients, Ably token
            make(True)(0)()
        for outcome, rude in (("accepted", False), ("rejected", True)):
            rows.append(measure(name, outcome, make(rude), capacity, stream, MESSAGES))
    return rows


def _print(rows: list[Row]) -> None:
    print(
        f"cost per decision, {MESSAGES} decisions per row, log level INFO (as deployed); "
        "duration = median per invocation, this machine, moto"
    )
    header = (
        f"{'path':<24} {'outcome':<9} {'log B':>7} {'lines':>6} {'EMF':>5} {'DDB calls':>9} "
        f"{'RRU':>6} {'WRU':>6} {'strong':>6} {'invocs':>6} {'ms':>7}"
    )
    print(header)
    for r in rows:
        print(
            f"{r.path:<24} {r.outcome:<9} {r.bytes_per_decision:>7.0f} "
            f"{r.lines_per_decision:>6.2f} {r.metric_blobs_per_decision:>5.2f} {r.calls:>9.2f} "
            f"{r.reads:>6.2f} {r.writes:>6.2f} {r.strong_reads:>6.2f} {r.invocations:>6.2f} "
            f"{r.duration_ms:>7.2f}"
        )
    print(
        "RRU/WRU: DynamoDB read/write request units per decision; strong: strongly "
        "consistent reads per decision; EMF: metric blobs per decision"
    )
    print(json.dumps({"costBench": [r.__dict__ for r in rows]}))
    print("targets: none (figures for docs/cost.md)")


if __name__ == "__main__":
    sys.exit(main())
