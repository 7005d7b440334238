"""Async moderation end to end in process: moto for DynamoDB and SSM, the real ably-python SDK
on the loopback Ably stub, the real handler with Powertools' partial batch responses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from chatmod import constants
from chatmod.adapters.ably_client import reset_gateway
from chatmod.async_consumer import MODERATION_EVENT_NAME
from chatmod.handlers import async_moderation
from chatmod.policy import RuntimePolicy
from tests.support.ably_messages import (
    chat_message,
    stored_chat_message,
)
from tests.support.ably_stub import AblyStub
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import FakeLambdaContext, ably_envelope, sqs_event
from tests.support.fake_providers import (  # noqa: F401  (fixtures)
    FakeServer,
    hive_server_fixture,
    shared_http_client_fixture,
)

pytestmark = pytest.mark.usefixtures("shared_http_client")

ROOM = "lobby"
CHAT = f"{ROOM}::$chat"
CHANNEL = "news"
DELETE = re.compile(r"/chat/v4/rooms/[^/]+/messages/[^/]+/delete")
UPDATE = re.compile(r"/chat/v4/rooms/[^/]+/messages/[^/]+")
PUBLISH = re.compile(r"/channels/[^/]+/messages")
HIVE_KEY_PARAMETER = "/chatmod/test/hive-key"


@contextmanager
def deployed(
    monkeypatch: pytest.MonkeyPatch,
    ably_stub: AblyStub,
    policy: RuntimePolicy | None = None,
    secrets: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[ChatmodTables]:
    environment = {
        constants.ENV_ABLY_REST_HOST: f"{ably_stub.host}:{ably_stub.port}",
        constants.ENV_ABLY_TLS: "false",
        **(env or {}),
    }
    reset_gateway()
    async_moderation.reset_removal_guard()
    with moto_deployment(monkeypatch, policy=policy, secrets=secrets, env=environment) as tables:
        yield tables
    reset_gateway()
    async_moderation.reset_removal_guard()


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub) -> Iterator[ChatmodTables]:
    with deployed(monkeypatch, ably_stub) as tables:
        yield tables


def handle(*bodies: str) -> dict[str, Any]:
    return dict(async_moderation.lambda_handler(sqs_event(*bodies), FakeLambdaContext()))


def failed(response: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def audit(tables: ChatmodTables, action: str | None = None) -> list[dict[str, Any]]:
    items = sorted(tables.audit.scan()["Items"], key=lambda item: item["eventId"])
    return [item for item in items if action is None or item["action"] == action]


def chat_in_stub(
    ably_stub: AblyStub, text: str, client_id: str = "alice", **kwargs: Any
) -> dict[str, Any]:
    serial = stored_chat_message(ably_stub, ROOM, text, client_id)
    return chat_message(text, serial=serial, client_id=client_id, **kwargs)


def deletes(ably_stub: AblyStub) -> list[Any]:
    return ably_stub.requests_to(DELETE, "POST")


def moderation_events(ably_stub: AblyStub, channel: str = CHANNEL) -> list[dict[str, Any]]:
    stored = ably_stub.state.channels.get(channel, {}).values()
    return [m for m in stored if m.get("name") == MODERATION_EVENT_NAME]


# --- chat ------------------------------------------------------------------------------


def test_given_a_clean_chat_message_then_acknowledged_and_nothing_is_called(tables, ably_stub):
    response = handle(ably_envelope(CHAT, chat_in_stub(ably_stub, "hello there")))

    assert failed(response) == []
    assert deletes(ably_stub) == []
    assert audit(tables) == []


def test_given_profanity_in_a_chat_message_then_soft_deleted_struck_and_audited(tables, ably_stub):
    message = chat_in_stub(ably_stub, "you are shit", client_id="mallory")

    response = handle(ably_envelope(CHAT, message))

    assert failed(response) == []
    (request,) = deletes(ably_stub)
    assert request.path == f"/chat/v4/rooms/{ROOM}/messages/{message['serial']}/delete"
    assert request.header("x-ably-version") == "4"
    assert request.param("idempotencyKey")
    body = request.json()
    assert body["description"]
    assert body["metadata"]["moderator"] == "chatmod"
    assert body["metadata"]["verdict"] == "reject"
    assert all(isinstance(v, str) for v in body["metadata"].values())
    stored = ably_stub.state.rooms[ROOM][message["serial"]]
    assert stored["action"] == "message.delete"
    actions = [item["action"] for item in audit(tables)]
    assert sorted(actions) == ["delete", "reject", "strike"]
    (deleted,) = audit(tables, "delete")
    assert deleted["actor"] == "auto"
    assert deleted["clientId"] == "mallory"
    assert deleted["serial"] == message["serial"]
    assert deleted["room"] == ROOM
    assert json.loads(deleted["details"])["removal"] == "chat.delete"
