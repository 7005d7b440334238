"""What Lambda's event source mappings do, locally: poll a queue or a stream, invoke a function.

- :class:`QueuePoller` long-polls an SQS queue, invokes the function with SQS
  event records and honours partial batch responses: succeeded records are
  deleted, failed ones become visible again after ``retry_delay_s`` and, once
  received ``maxReceiveCount`` times, the queue's redrive policy moves them to
  the DLQ (moto enforces it, as SQS does).
- :class:`LogSubscription` delivers what the functions log for a subscription filter
  (the decision counts) to its destination function, as CloudWatch Logs does: batched,
  gzipped and base64-encoded under ``awslogs.data``.
- :class:`StreamPoller` reads a DynamoDB stream, applies the mapping's filter
  criteria, invokes the function with DynamoDB Streams records, retries failed
  records up to ``MaximumRetryAttempts`` and then sends the batch description to
  the on-failure destination, as Lambda does.

Locally a failed SQS record comes back after ``retry_delay_s`` (1 s) rather than
the queue's visibility timeout, so that a redrive shows within seconds.
"""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chatmod_local.aws import ACCOUNT, client
from chatmod_local.functions import LocalFunction

log = logging.getLogger(__name__)


class _Poller:
    """A background loop with a stop event."""

    name = "poller"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()

    def start(self) -> _Poller:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.poll_once()
            except Exception:  # keep polling, as the event source mapping does
                log.exception("%s: polling failed", self.name)
                busy = False
            if busy:
                self._idle.clear()
            else:
                self._idle.set()
                self._stop.wait(self.idle_wait_s)

    idle_wait_s = 0.1

    def poll_once(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


def _sqs_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """An SQS message as Lambda's SQS event source delivers it."""
    attributes = {name: str(value) for name, value in (message.get("Attributes") or {}).items()}
    message_attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": _region_of(queue_arn),
    }


class QueuePoller(_Poller):
    """Lambda's SQS event source mapping for one queue and one function."""

    name = "chatmod-local-queue-poller"

    def __init__(
        self,
        *,
        endpoint_url: str,
        queue_url: str,
        queue_arn: str,
        function: LocalFunction,
        batch_size: int = 10,
        wait_s: int = 1,
        retry_delay_s: int = 1,
    ) -> None:
        super().__init__()
        self._sqs = client("sqs", endpoint_url, _region_of(queue_arn))
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.function = function
        self.batch_size = batch_size
        self.wait_s = wait_s
        self.retry_delay_s = retry_delay_s
        self.invocations = 0
        self.idle_wait_s = 0.0  # receive_message already long-polls

    def poll_once(self) -> bool:
        messages = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.wait_s,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return False
        records = [_sqs_record(message, self.queue_arn) for message in messages]
        try:
            response = self.function.invoke({"Records": records})
            failed = {
                item["itemIdentifier"] for item in (response or {}).get("batchItemFailures") or []
            }
        except Exception:  # the whole batch failed: every record comes back
            log.exception("%s failed; the batch will be retried", self.function.name)
            failed = {record["messageId"] for record in records}
        self.invocations += 1
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        for message in messages:
            if message["MessageId"] in failed:
                self._sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self.retry_delay_s,
                )
        return True


def matches_filter(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Lambda event filtering, for the equality patterns the stack uses.

    ``{"eventName": ["INSERT", "MODIFY"]}`` matches a record whose ``eventName`` is
    one of them; nested objects match nested fields.
    """
    for key, expected in pattern.items():
        value = record.get(key)
        if isinstance(expected, Mapping):
            if not isinstance(value, Mapping) or not matches_filter(expected, value):
                return False
        elif isinstance(expected, list):
            if value not in expected:
                return False
        elif value != expected:
            return False
    return True


def _stream_record(raw: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record from ``GetRecords`` as Lambda's DynamoDB event source delivers it."""
    record: dict[str, Any] = json.loads(json.dumps(raw, default=_epoch))
    record["eventSourceARN"] = stream_arn
    record.setdefault("awsRegion", _region_of(stream_arn))
    return record


def _region_of(arn: str) -> str:
    """The region an ARN names (``arn:aws:sqs:<region>:<account>:<name>``)."""
    return arn.split(":")[3]


def _epoch(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class StreamPoller(_Poller):
    """Lambda's DynamoDB Streams event source mapping for one table and one function."""

    name = "chatmod-local-stream-poller"

    def __init__(
        self,
        *,
        endpoint_url: str,
        stream_arn: str,
        function: LocalFunction,
        mapping: Mapping[str, Any],
        failure_queue_url: str | None,
        poll_interval_s: float = 0.1,
    ) -> None:
        super().__init__()
        region = _region_of(stream_arn)  # the failure queue is in the stream's region
        self._streams = client("dynamodbstreams", endpoint_url, region)
        self._sqs = client("sqs", endpoint_url, region)
        self.stream_arn = stream_arn
        self.function = function
        self.batch_size = int(mapping.get("BatchSize", 100))
        self.max_retries = int(mapping.get("MaximumRetryAttempts", -1))
        self.filters = [
            json.loads(item["Pattern"])
            for item in (mapping.get("FilterCriteria") or {}).get("Filters", [])
        ]
        self.failure_queue_url = failure_queue_url
        self.idle_wait_s = poll_interval_s
        self.invocations = 0
        self.sent_to_failure_destination = 0
        self._iterators: dict[str, str] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._attempts: dict[str, int] = {}
        position = str(mapping.get("StartingPosition", "LATEST"))
        for shard in self._streams.describe_stream(StreamArn=stream_arn)["StreamDescription"][
            "Shards"
        ]:
            self._iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType=position
            )["ShardIterator"]

    def poll_once(self) -> bool:
        busy = False
        for shard_id in list(self._iterators):
            pending = self._pending.setdefault(shard_id, [])
            if not pending:
                reply = self._streams.get_records(
                    ShardIterator=self._iterators[shard_id], Limit=self.batch_size
                )
                if reply.get("NextShardIterator"):
                    self._iterators[shard_id] = reply["NextShardIterator"]
                records = [_stream_record(raw, self.stream_arn) for raw in reply["Records"]]
                pending.extend(r for r in records if self._wanted(r))
            if pending:
                busy = True
                self._deliver(shard_id, pending)
        return busy

    def _wanted(self, record: Mapping[str, Any]) -> bool:
        return not self.filters or any(matches_filter(p, record) for p in self.filters)

    def _deliver(self, shard_id: str, pending: list[dict[str, Any]]) -> None:
        batch = pending[: self.batch_size]
        try:
            response = self.function.invoke({"Records": batch})
            failures = [
                item["itemIdentifier"] for item in (response or {}).get("batchItemFailures") or []
            ]
        except Exception:
            log.exception("%s failed; the batch will be retried", self.function.name)
            failures = [batch[0]["dynamodb"]["SequenceNumber"]]
        self.invocations += 1
        if not failures:
            del pending[: len(batch)]
            self._attempts.pop(shard_id, None)
            return
        # Lambda resumes from the lowest failed sequence number (checkpoint).
        sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in batch]
        first = min(
            (sequence_numbers.index(s) for s in failures if s in sequence_numbers), default=0
        )
        del pending[:first]
        attempts = self._attempts.get(shard_id, 0) + 1
        self._attempts[shard_id] = attempts
        if 0 <= self.max_retries < attempts:
            self._send_to_failure_destination(shard_id, pending[: len(batch) - first])
            del pending[: len(batch) - first]
            self._attempts.pop(shard_id, None)
        else:
            time.sleep(min(2.0, 0.1 * 2**attempts))

    def _send_to_failure_destination(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        log.error("%s: gave up on %d stream records", self.function.name, len(records))
        self.sent_to_failure_destination += len(records)
        if self.failure_queue_url is None or not records:
            return
        body = {
            "version": "1.0",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "requestContext": {
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": self.max_retries + 1,
                "functionArn": self.function.name,
            },
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
        self._sqs.send_message(QueueUrl=self.failure_queue_url, MessageBody=json.dumps(body))


class SchedulePoller(_Poller):
    """Runs a function on a fixed rate, as an EventBridge schedule does (an empty event)."""

    name = "schedule-poller"

    def __init__(self, function: Any, interval_s: float) -> None:
        super().__init__()
        self.function = function
        self.idle_wait_s = interval_s

    def poll_once(self) -> bool:
        self.function.invoke({})
        return False  # then wait a whole interval


class LogSubscription(_Poller):
    """CloudWatch Logs' subscription delivery to a function, for the decision counts.

    The functions run in this process and print their EMF blobs where local mode does not
    read them; so each decision's counts come here through
    ``chatmod.moderation.decision_log.set_counts_tap`` (the same ``roomCounts`` object
    the blob carries), one log event each. Every ``interval_s`` the events gathered are
    delivered in one invocation, in CloudWatch Logs' format.
    """

    name = "log-subscription"

    def __init__(
        self,
        function: LocalFunction,
        *,
        key: str,
        log_group: str,
        filter_name: str,
        interval_s: float = 1.0,
    ) -> None:
        super().__init__()
        self.function = function
        self.idle_wait_s = interval_s
        self._key = key
        self._log_group = log_group
        self._filter_name = filter_name
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []
        self._ids = itertools.count(int(time.time() * 1000) * 10**40)
        self.delivered = 0

    def offer(self, timestamp_ms: int, counts: dict[str, Any]) -> None:
        """One decision's counts, as the subscription filter would select its blob."""
        message = json.dumps({self._key: counts}, separators=(",", ":"))
        with self._lock:
            self._events.append(
                {"id": str(next(self._ids)), "timestamp": timestamp_ms, "message": message}
            )

    def stop(self) -> None:
        super().stop()
        self.poll_once()  # what was logged before the stop is delivered

    def poll_once(self) -> bool:
        with self._lock:
            events, self._events = self._events, []
        if not events:
            return False
        document = {
            "messageType": "DATA_MESSAGE",
            "owner": ACCOUNT,
            "logGroup": self._log_group,
            "logStream": "local",
            "subscriptionFilters": [self._filter_name],
            "logEvents": events,
        }
        data = base64.b64encode(gzip.compress(json.dumps(document).encode())).decode()
        self.function.invoke({"awslogs": {"data": data}})
        self.delivered += len(events)
        return False  # then wait a whole interval: deliveries come in batches
