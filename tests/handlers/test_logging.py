"""What a decision writes to CloudWatch Logs: few bytes when accepted, everything when rejected.

Logs are most of what a decision costs (docs/cost.md): these tests pin the budget at the
stack's log level (``INFO``), the fields a rejection keeps, one EMF blob per invocation,
and that handlers sharing a process never tag each other's lines.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from typing import Any

import pytest

from chatmod.adapters.ably.client import reset_gateway
from chatmod.core import constants
from chatmod.core.observability import ChatmodLogger, logger
from chatmod.handlers import async_moderation, before_publish, publish
from chatmod.moderation import decision_log
from tests.support.ably_messages import chat_message
from tests.support.ably_stub import AblyStub
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import (
    FakeLambdaContext,
    ably_envelope,
    before_publish_request,
    http_event,
    sqs_event,
)

#: The budget for an accepted decision at the default level: its share of the EMF blob.
ACCEPTED_BYTES = 500
RUDE = "you are a shit, take this"


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub) -> Iterator[ChatmodTables]:
    ably = {
        constants.ENV_ABLY_REST_HOST: f"{ably_stub.host}:{ably_stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    reset_gateway()
    with moto_deployment(monkeypatch, env=ably) as tables:
        yield tables
    reset_gateway()


class Written:
    """Everything the handlers wrote to stdout: log lines and EMF blobs."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.startswith("{")]

    @property
    def logs(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if "_aws" not in line]

    @property
    def blobs(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if "_aws" in line]

    def decisions(self) -> list[dict[str, Any]]:
        return [line for line in self.logs if line["message"] == "moderation decision"]


@contextmanager
def written() -> Iterator[Written]:
    """Capture the logger's stream (it keeps the stdout it was built with) and ``print``."""
    capture = Written()
    previous = logger.registered_handler.setStream(capture.stream)  # type: ignore[attr-defined]
    try:
        with redirect_stdout(capture.stream):
            yield capture
    finally:
        logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]


def metric_names(blob: dict[str, Any]) -> set[str]:
    return {m["Name"] for d in blob["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}


def context(name: str) -> FakeLambdaContext:
    return FakeLambdaContext(function_name=name, aws_request_id=f"{name}-request")


def before_publish_call(text: str, client_id: str, name: str = "BeforePublish") -> int:
    event = before_publish_request(text, client_id=client_id)
    return int(before_publish.lambda_handler(event, context(name))["statusCode"])


def publish_call(text: str, client_id: str, name: str = "Publish") -> int:
    event = http_event(
        "POST", "/messages", body={"room": "lobby", "text": text}, claims={"sub": client_id}
    )
    return int(publish.lambda_handler(event, context(name))["statusCode"])


@pytest.mark.parametrize(
    "call", [before_publish_call, publish_call], ids=["before-publish", "publish"]
)
def test_given_an_accepted_message_at_the_default_level_then_only_one_small_metrics_blob(
    deployment, call
):
    with written() as out:
        assert call("hello everyone", "alice") in (200, 201)

    assert out.decisions() == []  # accepted decisions are DEBUG
    assert len(out.blobs) == 1
    assert {"Accepted", "DecisionLatency"} <= metric_names(out.blobs[0])
    # an accepted message is counted for its room, and nobody is named an offender
    assert out.blobs[0]["roomCounts"] == {"lobby": {"o": {"accepted": 1}}}
    assert len(out.text.encode()) <= ACCEPTED_BYTES, out.text


@pytest.mark.parametrize(
    "call", [before_publish_call, publish_call], ids=["before-publish", "publish"]
)
def test_given_a_rejection_then_its_line_keeps_reason_provider_and_categories(deployment, call):
    with written() as out:
        assert call(RUDE, "mallory") in (200, 422)

    (line,) = out.decisions()
    assert line["level"] == "INFO"
    assert line["outcome"] == "reject"
    assert line["provider"] == "blocklist"
    assert line["categories"] == ["profanity"]
    assert line["reason"]
    assert line["strikes"] == 1
    assert line["function_name"] in ("BeforePublish", "Publish")
    assert "shit" not in out.text  # never the message text
    assert not {"failure", "storeFailed", "banApplied", "duplicate"} & line.keys()  # only news


def test_given_a_rejection_then_one_blob_counts_it_with_the_alarms_names(deployment):
    with written() as out:
        before_publish_call(RUDE, "mallory")

    (blob,) = out.blobs
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["service"]]
    assert {"Rejected", "DecisionLatency"} <= metric_names(blob)
    assert "HandlerLatency" not in metric_names(blob)  # Lambda's free Duration times it
    assert blob["service"] == "chatmod-tests"
    assert blob["decisions"] == {"blocklist": {"Rejected": 1}}
    assert blob["categories"] == {"profanity": 1}
    # and the room's counts, which the counts subscription reads (no write of its own)
    assert blob["roomCounts"] == {
        "lobby": {"o": {"rejected": 1}, "c": {"profanity": 1}, "u": {"mallory": 1}}
    }


def test_given_a_batch_then_one_blob_for_the_invocation_and_a_line_per_rejection_only(
    deployment, ably_stub
):
    from tests.support.ably_messages import stored_chat_message

    bodies = []
    for index, text in enumerate(["hello", "nice goal", RUDE, "see you", RUDE]):
        serial = stored_chat_message(ably_stub, "lobby", text, f"user-{index}")
        message = chat_message(text, serial=serial, client_id=f"user-{index}")
        bodies.append(ably_envelope("lobby::$chat", message))

    with written() as out:
        response = async_moderation.lambda_handler(sqs_event(*bodies), context("AsyncModeration"))

    assert response == {"batchItemFailures": []}
    (blob,) = out.blobs
    assert blob["Accepted"] == [1.0] * 3
    assert blob["Rejected"] == [1.0] * 2
    # (an accepted message names no provider, none flagged it: its total says it all)
    assert blob["decisions"] == {"blocklist": {"Rejected": 2}}
    assert blob["roomCounts"] == {
        "lobby": {
            "o": {"accepted": 3, "rejected": 2},
            "c": {"profanity": 2},
            "u": {"user-2": 1, "user-4": 1},
        }
    }
    decisions = out.decisions()
    assert [line["outcome"] for line in decisions] == ["reject", "reject"]
    # Written from the consumer's worker threads, still named after the invocation.
    assert {line["function_name"] for line in out.logs} == {"AsyncModeration"}
    assert {line["function_request_id"] for line in out.logs} == {"AsyncModeration-request"}


def test_given_a_batch_of_more_than_a_hundred_then_every_decision_is_counted_once(deployment):
    # Powertools prints the blob by itself at a metric's 100th value, and keeps its metadata:
    # the rooms' counts of that blob came out again in the next one, and were counted twice
    bodies = [
        ably_envelope("lobby::$chat", chat_message("hello", serial=f"s{n}", client_id=f"u{n}"))
        for n in range(120)
    ]
    with written() as out:
        async_moderation.lambda_handler(sqs_event(*bodies), context("AsyncModeration"))

    # Every decision (accepted; or failed, when a loaded machine makes a store call outlive
    # its budget) is in the rooms' counts once, whatever the blob it lands in
    outcomes = set(decision_log.METRIC_FOR.values())
    values = [len(blob.get(name, [])) for blob in out.blobs for name in outcomes]
    decisions = sum(values)
    assert decisions >= 100  # (past a metric's 100th value, or the test proves nothing)
    counted = sum(sum(blob["roomCounts"]["lobby"]["o"].values()) for blob in out.blobs)
    assert counted == decisions
    assert max(values) < 100  # (each blob flushed before a metric's 100th value)


def test_given_debug_then_accepted_decisions_are_logged(deployment):
    logger.setLevel("DEBUG")
    try:
        with written() as out:
            before_publish_call("hello everyone", "alice")
    finally:
        logger.setLevel("INFO")

    (line,) = out.decisions()
    assert line["outcome"] == "accept"
    assert line["level"] == "DEBUG"


# --- handlers sharing a process ------------------------------------------------------------


def test_given_two_handlers_in_one_process_then_each_line_names_its_own_function(deployment):
    """Local mode runs every function in one process: no logger state is shared."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(call: Any, name: str) -> None:
        try:
            barrier.wait(timeout=10)
            for index in range(5):
                call(RUDE, f"{name}-user-{index}", name=name)
        except BaseException as exc:  # pragma: no cover (reported below)
            errors.append(exc)

    with written() as out:
        threads = [
            threading.Thread(target=run, args=(before_publish_call, "BeforePublish")),
            threading.Thread(target=run, args=(publish_call, "Publish")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    expected = {"before-publish": "BeforePublish", "publish": "Publish"}
    decisions = out.decisions()
    assert len(decisions) == 10
    for line in decisions:
        assert line["function_name"] == expected[line["path"]], line
        assert line["function_request_id"] == f"{expected[line['path']]}-request"
        assert line["clientId"].startswith(expected[line["path"]])


def test_keys_appended_in_an_invocation_stay_in_it():
    own = ChatmodLogger(service="keys-test")

    @own.inject_lambda_context(clear_state=True)
    def handler(event: Any, _: Any) -> dict[str, Any]:
        own.append_keys(room=event["room"])
        return dict(own.thread_safe_get_current_keys())

    first = handler({"room": "a"}, context("First"))
    second = handler({"room": "b"}, context("Second"))

    assert first == {"function_name": "First", "function_request_id": "First-request", "room": "a"}
    assert second["room"] == "b"
    assert second["function_name"] == "Second"
    assert own.thread_safe_get_current_keys() == {}  # nothing left behind in the caller
