"""The local event source mappings: SQS partial batch failures and redrive, stream filtering."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chatmod_local.aws import MotoServer, client
from chatmod_local.client import wait_for
from chatmod_local.pollers import QueuePoller, StreamPoller, matches_filter


class FakeFunction:
    """Records events; fails the records ``fail`` picks."""

    name = "fake"

    def __init__(self, fail: Any = lambda record: False) -> None:
        self.events: list[dict[str, Any]] = []
        self.fail = fail
        self.lock = threading.Lock()

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.events.append(event)
        failures = [r for r in event["Records"] if self.fail(r)]
        key = "messageId" if "messageId" in event["Records"][0] else None
        return {
            "batchItemFailures": [
                {"itemIdentifier": r[key] if key else r["dynamodb"]["SequenceNumber"]}
                for r in failures
            ]
        }

    def records(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r for e in self.events for r in e["Records"]]


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    server = MotoServer().start()
    yield server.url
    server.stop()


def _queues(moto: str, name: str, max_receive: int = 2) -> tuple[str, str, str]:
    sqs = client("sqs", moto)
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive})
    queue = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": policy})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return queue, arn, dlq


def test_queue_poller_deletes_successes_and_redrives_failures_to_the_dlq(moto: str) -> None:
    # Given a queue with maxReceiveCount 2 and a function that fails one record
    queue, arn, dlq = _queues(moto, "partial")
    sqs = client("sqs", moto)
    for body in ("good-1", "bad", "good-2"):
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    function = FakeFunction(fail=lambda record: record["body"] == "bad")
    poller = QueuePoller(
        endpoint_url=moto,
        queue_url=queue,
        queue_arn=arn,
        function=function,
        wait_s=0,  # type: ignore[arg-type]
    )
    poller.start()
    try:
        # Then the failed record comes back, is tried maxReceiveCount times, then dead-letters
        def dead_lettered() -> list[Any]:
            return sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=0).get("Messages", [])

        moved = wait_for(dead_lettered, timeout=15, interval=0.3)
    finally:
        poller.stop()
    assert moved
    assert moved[0]["Body"] == "bad"
    bodies = [r["body"] for r in function.records()]
    assert bodies.count("good-1") == bodies.count("good-2") == 1
    assert bodies.count("bad") == 2
    # And the records have Lambda's SQS shape
    record = function.records()[0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn
    assert {"messageId", "receiptHandle", "body", "attributes", "md5OfBody"} <= set(record)
    assert record["attributes"]["ApproximateReceiveCount"] == "1"


def test_filter_patterns_match_like_lambda_event_filtering() -> None:
    pattern = {"eventName": ["INSERT", "MODIFY"]}
    assert matches_filter(pattern, {"eventName": "INSERT"})
    assert not matches_filter(pattern, {"eventName": "REMOVE"})
    assert matches_filter(
        {"dynamodb": {"Keys": {"id": {"S": ["a"]}}}}, {"dynamodb": {"Keys": {"id": {"S": "a"}}}}
    )


def test_stream_poller_filters_retries_and_gives_up_to_the_failure_queue(moto: str) -> None:
    # Given a table with a stream and a function that always fails "poison"
    dynamodb = client("dynamodb", moto)
    table = dynamodb.create_table(
        TableName="bans-stream",
        AttributeDefinitions=[{"AttributeName": "clientId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "clientId", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    sqs = client("sqs", moto)
    failures = sqs.create_queue(QueueName="stream-failures")["QueueUrl"]
    function = FakeFunction(fail=lambda r: r["dynamodb"]["Keys"]["clientId"]["S"] == "poison")
    poller = StreamPoller(
        endpoint_url=moto,
        stream_arn=table["LatestStreamArn"],
        function=function,  # type: ignore[arg-type]
        mapping={
            "BatchSize": 10,
            "MaximumRetryAttempts": 1,
            "StartingPosition": "LATEST",
            "FilterCriteria": {"Filters": [{"Pattern": '{"eventName":["INSERT","MODIFY"]}'}]},
        },
        failure_queue_url=failures,
        poll_interval_s=0.05,
    )
    poller.start()
    try:
        # When a ban is written, one poisoned, and one deleted (filtered out)
        dynamodb.put_item(TableName="bans-stream", Item={"clientId": {"S": "bob"}})
        dynamodb.put_item(TableName="bans-stream", Item={"clientId": {"S": "poison"}})
        dynamodb.delete_item(TableName="bans-stream", Key={"clientId": {"S": "bob"}})

        def gave_up() -> list[Any]:
            return sqs.receive_message(QueueUrl=failures, WaitTimeSeconds=0).get("Messages", [])

        sent = wait_for(gave_up, timeout=15, interval=0.2)
    finally:
        poller.stop()
    # Then the failure destination got the batch description, and REMOVE never reached the function
    assert sent
    info = json.loads(sent[0]["Body"])["DDBStreamBatchInfo"]
    assert info["streamArn"] == table["LatestStreamArn"]
    records = function.records()
    assert {r["eventName"] for r in records} == {"INSERT"}
    assert [r["dynamodb"]["Keys"]["clientId"]["S"] for r in records].count("bob") == 1
    assert records[0]["eventSource"] == "aws:dynamodb"
    assert records[0]["eventSourceARN"] == table["LatestStreamArn"]
    assert isinstance(records[0]["dynamodb"]["ApproximateCreationDateTime"], int)
