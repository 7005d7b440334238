"""Async moderation: drains the SQS queue Ably's integration rule feeds (partial batch failures).

The batch is moderated at once (``chatmod.ingest.consumer``); Powertools then
reports the records that must come again. A record fails only when a retry may
succeed (Ably or DynamoDB unavailable, no decision and ``failedAction: defer``):
SQS delivers it again, and after ``maxReceiveCount`` the DLQ keeps it (an alarm
watches). Records that can never be read are audited and acknowledged.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Final

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters.idempotency import OnceGuard
from chatmod.core.deadline import Deadline
from chatmod.core.errors import ChatmodError, ServiceUnavailableError
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.runtime import get_runtime
from chatmod.core.settings import Settings
from chatmod.enforcement.judged import JUDGED_HEADER, judged_by_chatmod
from chatmod.ingest.consumer import (
    AsyncModerator,
    Fate,
    MessageFate,
    QueuedRecord,
    RecordResult,
    count_fates,
)

# Failures are reported record by record (never raised for the whole batch), so
# SQS keeps exactly those and redrives them to the DLQ after maxReceiveCount.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
#: Kept back from the invocation for reporting the batch after the messages.
REPORT_RESERVE_S: Final = 0.5
#: The idempotency keys of removals: independent of the function's name.
REMOVAL_KEY_PREFIX: Final = "chatmod.async"
#: Metric per fate (namespace ``Chatmod``, dimension ``service``).
FATE_METRICS: Final = {
    Fate.REMOVED: "AsyncRemoved",
    Fate.MASKED: "AsyncMasked",
    Fate.SKIPPED: "AsyncSkipped",
    Fate.POISON: "AsyncPoison",
    Fate.FAILED: "AsyncRetried",
}

_guard_lock = threading.Lock()
_guard: tuple[str, OnceGuard] | None = None


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """Entry point for the ingest queue's event source mapping."""
    started = time.perf_counter()
    deadline = Deadline.for_lambda(context)
    records = [SQSRecord(raw) for raw in event.get("Records") or []]
    results = moderate_records(
        records, context, deadline.within(deadline.remaining() - REPORT_RESERVE_S)
    )
    report(results, started)

    def confirm(record: SQSRecord) -> None:
        """Fail the record a retry may mend (Powertools reports it to SQS)."""
        result = results[record.message_id]
        if result.failed:
            raise ServiceUnavailableError(result.failure, code="retry")

    return process_partial_response(
        event=event, record_handler=confirm, processor=processor, context=context
    )


def moderate_records(
    records: list[SQSRecord], context: LambdaContext, deadline: Deadline
) -> dict[str, RecordResult]:
    """Each record's result; every record failed when the configuration cannot be read."""
    try:
        runtime = get_runtime(deadline)
        guard = removal_guard(runtime.settings)
        guard.register_lambda_context(context)
    except ChatmodError as error:
        logger.error("configuration unavailable; the batch is retried", extra={"error": error.code})
        return {
            r.message_id: RecordResult(r.message_id, [MessageFate(Fate.FAILED, None, error.code)])
            for r in records
        }
    settings = runtime.settings

    def gateway() -> Any:
        from chatmod.adapters.ably.client import gateway_for

        return gateway_for(settings)

    moderator = AsyncModerator(
        pipeline=runtime.pipeline,
        audit=runtime.audit,
        gateway=gateway,
        guard=guard,
        policy=runtime.policy.async_moderation,
        judged=lambda message, deadline: judged_by_chatmod(
            message.headers.get(JUDGED_HEADER),
            room=message.room or message.channel,
            client_id=message.client_id,
            text=message.text,
            # Dated from the message itself: a queue backlog must not make it stale.
            at=message.timestamp_ms / 1000 if message.timestamp_ms is not None else time.time(),
            deadline=deadline,
        ),
    )
    queued = [QueuedRecord(r.message_id, r.body or "", _receive_count(r)) for r in records]
    return moderator.moderate_batch(queued, deadline)


def removal_guard(settings: Settings) -> OnceGuard:
    """The process-wide guard on the idempotency table (one per table name)."""
    global _guard
    current = _guard
    if current is None or current[0] != settings.idempotency_table:
        with _guard_lock:
            current = _guard
            if current is None or current[0] != settings.idempotency_table:
                current = (
                    settings.idempotency_table,
                    OnceGuard(settings.idempotency_table, key_prefix=REMOVAL_KEY_PREFIX),
                )
                _guard = current
    return current[1]


def reset_removal_guard() -> None:
    """Forget the guard (tests, and local mode after a config change)."""
    global _guard
    with _guard_lock:
        _guard = None


def report(results: dict[str, RecordResult], started: float) -> None:
    """One log line and the counters for the batch."""
    counts = count_fates(results)
    for fate, name in FATE_METRICS.items():
        if counts[fate]:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=counts[fate])
    elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    metrics.add_metric(name="HandlerLatency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    logger.info(
        "batch moderated",
        extra={
            "records": len(results),
            "failedRecords": sum(1 for r in results.values() if r.failed),
            **{fate.value: counts[fate] for fate in Fate},
            "elapsedMs": elapsed_ms,
        },
    )


def _receive_count(record: SQSRecord) -> int:
    try:
        return int(record.attributes.approximate_receive_count)
    except (TypeError, ValueError):
        return 1
