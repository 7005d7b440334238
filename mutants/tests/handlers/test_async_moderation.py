"""Async moderation end to end in process: moto for DynamoDB and SSM, the real ably-python SDK
on the loopback Ably stub, the real handler with Powertools' partial batch responses."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest

from chatmod.adapters import aws
from chatmod.adapters.ably.client import reset_gateway
from chatmod.core import constants
from chatmod.core.constants import CHATMOD_CLIENT_ID
from chatmod.core.policy import ModerationPolicy, RuntimePolicy
from chatmod.enforcement.judged import JUDGED_HEADER, judged_header
from chatmod.handlers import async_moderation
from chatmod.ingest.consumer import MODERATION_EVENT_NAME
from tests.support.ably_messages import (
    chat_message,
    presence_envelope,
    pubsub_message,
    stored_chat_message,
)
from tests.support.ably_stub import AblyStub, Reply
from tests.support.deployment import BEFORE_PUBLISH_SECRET, JUDGED_KEY, moto_deployment
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


def test_given_a_chat_message_with_metadata_and_headers_then_the_pipeline_sees_them(
    tables, ably_stub
):
    message = chat_in_stub(
        ably_stub, "shit", headers={"h": "v"}, metadata={"m": 1}, extras={"userClaim": "vip"}
    )

    assert failed(handle(ably_envelope(CHAT, message))) == []
    (reject,) = audit(tables, "reject")
    assert reject["serial"] == message["serial"]
    assert reject["messageId"] == message["id"]
    assert reject["messageRef"] == message["serial"]  # the strike's dedupe key


@pytest.mark.parametrize("encoding", ["none", "json", "json/utf-8/base64"])
def test_given_a_chat_message_in_any_encoding_then_it_is_decoded_and_moderated(
    tables, ably_stub, encoding
):
    clean = chat_in_stub(ably_stub, "hello", encoding=encoding)
    rude = chat_in_stub(ably_stub, "fuck off", encoding=encoding)

    response = handle(ably_envelope(CHAT, clean, rude))

    assert failed(response) == []
    assert [r.path.split("/")[6] for r in deletes(ably_stub)] == [rude["serial"]]


def test_given_on_match_mask_then_the_chat_message_is_updated_keeping_metadata_and_headers(
    monkeypatch, ably_stub
):
    policy = RuntimePolicy(moderation=ModerationPolicy(on_match="mask"))
    with deployed(monkeypatch, ably_stub, policy) as tables:
        message = chat_in_stub(ably_stub, "oh shit", headers={"h": "v"}, metadata={"m": "1"})

        response = handle(ably_envelope(CHAT, message))
        delete_events = audit(tables, "delete")

    assert failed(response) == []
    (update,) = ably_stub.requests_to(UPDATE, "PUT")
    body = update.json()
    assert body["message"] == {"text": "oh ****", "metadata": {"m": "1"}, "headers": {"h": "v"}}
    assert body["metadata"]["verdict"] == "mask"
    assert update.param("idempotencyKey")
    assert ably_stub.state.rooms[ROOM][message["serial"]]["text"] == "oh ****"
    assert deletes(ably_stub) == []
    assert delete_events == []


def test_given_a_banned_sender_then_their_message_is_deleted_as_banned(tables, ably_stub):
    tables.bans.put_item(Item={"clientId": "bob", "reason": "spam", "source": "mod1"})
    message = chat_in_stub(ably_stub, "hello", client_id="bob")

    assert failed(handle(ably_envelope(CHAT, message))) == []

    (request,) = deletes(ably_stub)
    assert request.json()["metadata"]["verdict"] == "banned"
    (deleted,) = audit(tables, "delete")
    assert deleted["reason"] == "banned"
    assert audit(tables, "strike") == []


@pytest.mark.parametrize(
    "message",
    [
        chat_message("shit", serial="s-update", action=1),
        chat_message("shit", serial="s-delete", action=2),
        chat_message("shit", serial="s-summary", action=4),
        chat_message("shit", serial="s-named", action="message.update"),
        chat_message("shit", serial="s-own", extras={"privileged": {"skipRule": "*"}}),
        {**chat_message("shit", serial="s-reaction"), "name": "roomReaction"},
    ],
    # The updates name no editor (version.clientId): not the author's own edits.
    ids=["update", "delete", "summary", "update-by-name", "chatmod-own", "not-chat-message"],
)
def test_given_a_message_that_is_not_a_new_chat_message_then_it_is_not_moderated(
    tables, ably_stub, message
):
    response = handle(ably_envelope(CHAT, message))

    assert failed(response) == []
    assert ably_stub.requests == []
    assert audit(tables) == []


def edit_of(message: dict[str, Any], text: str, *, by: str | None, version: str) -> dict[str, Any]:
    """``message`` edited to ``text`` by ``by``, as the rule forwards an update (action 1)."""
    edited = chat_message(
        text, serial=message["serial"], client_id=message.get("clientId"), action=1
    )
    edited["version"] = {"serial": version, "timestamp": edited["timestamp"]}
    if by is not None:
        edited["version"]["clientId"] = by
    return edited


def test_given_a_user_edits_their_own_message_into_abuse_then_it_is_removed_and_struck(
    tables, ably_stub
):
    # Defect: only creates were moderated: "hello" edited into abuse stayed up.
    sent = chat_in_stub(ably_stub, "hello there", client_id="eve")
    assert failed(handle(ably_envelope(CHAT, sent))) == []

    response = handle(ably_envelope(CHAT, edit_of(sent, "you shit", by="eve", version="v1")))

    assert failed(response) == []
    (request,) = deletes(ably_stub)
    assert sent["serial"] in request.path
    (rejected,) = audit(tables, "reject")
    assert rejected["serial"] == sent["serial"]
    assert len(audit(tables, "strike")) == 1


def test_given_each_abusive_edit_then_each_is_a_strike_and_a_redelivery_is_not(tables, ably_stub):
    sent = chat_in_stub(ably_stub, "hello", client_id="eve")
    first = ably_envelope(CHAT, edit_of(sent, "shit", by="eve", version="v1"))
    second = ably_envelope(CHAT, edit_of(sent, "fuck", by="eve", version="v2"))

    handle(first)
    handle(first)  # SQS delivers the same record again
    handle(second)

    assert len(audit(tables, "strike")) == 2


@pytest.mark.parametrize(
    "editor",
    [CHATMOD_CLIENT_ID, "moderator-1", None],
    ids=["chatmods-own-mask", "a-moderator", "the-key-without-client-id"],
)
def test_given_an_edit_by_someone_other_than_the_author_then_it_is_not_moderated(
    tables, ably_stub, editor
):
    sent = chat_in_stub(ably_stub, "hello", client_id="eve")

    response = handle(ably_envelope(CHAT, edit_of(sent, "shit *** ", by=editor, version="v1")))

    assert failed(response) == []
    assert deletes(ably_stub) == []
    assert audit(tables) == []


def test_given_a_presence_envelope_then_acknowledged_without_moderation(tables, ably_stub):
    response = handle(presence_envelope(CHAT))

    assert failed(response) == []
    assert ably_stub.requests == []
    assert audit(tables) == []


# --- pub/sub ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("you shit", "none"),
        ("you shit", "base64"),
        ("you shit", "utf-8/base64"),
        ({"text": "you shit"}, "none"),
        ({"text": "you shit"}, "json"),
        ({"text": "you shit"}, "json/utf-8/base64"),
        ({"message": "you shit"}, "json"),
    ],
    ids=["str", "base64", "utf8-base64", "object", "json", "json-utf8-base64", "message-key"],
)
def test_given_a_rejected_pubsub_message_in_any_encoding_then_a_moderation_event_names_it(
    tables, ably_stub, data, encoding
):
    message = pubsub_message(data, encoding=encoding, client_id="mallory")

    response = handle(ably_envelope(CHANNEL, message))

    assert failed(response) == []
    (event,) = moderation_events(ably_stub)
    assert event["extras"]["privileged"] == {"skipRule": "*"}
    payload = event["data"]
    if isinstance(payload, str):  # JSON-encoded on the wire
        assert event["encoding"] == "json"
        payload = json.loads(payload)
    assert payload["action"] == "delete"
    assert payload["messageId"] == message["id"]
    assert payload["clientId"] == "mallory"
    (deleted,) = audit(tables, "delete")
    assert deleted["messageId"] == message["id"]
    assert deleted["channel"] == CHANNEL
    assert json.loads(deleted["details"])["removal"] == "moderation-event"
    assert len(audit(tables, "strike")) == 1


def test_given_a_configured_text_path_then_pubsub_text_is_read_there(monkeypatch, ably_stub):
    policy = RuntimePolicy.model_validate({"async": {"textPath": "payload.body"}})
    with deployed(monkeypatch, ably_stub, policy) as tables:
        nested = pubsub_message({"payload": {"body": "shit"}}, encoding="json")
        elsewhere = pubsub_message({"text": "shit"}, encoding="json")  # not at the path

        response = handle(ably_envelope(CHANNEL, nested, elsewhere))
        (deleted,) = audit(tables, "delete")

    assert failed(response) == []
    assert deleted["messageId"] == nested["id"]


@pytest.mark.parametrize(
    "data", [{"type": "like"}, [1, 2], 42, None], ids=["no-text", "list", "number", "none"]
)
def test_given_pubsub_data_without_text_then_acknowledged_unmoderated(tables, ably_stub, data):
    response = handle(ably_envelope(CHANNEL, pubsub_message(data)))

    assert failed(response) == []
    assert ably_stub.requests == []
    assert audit(tables) == []


def test_given_binary_pubsub_data_then_it_is_not_moderated(tables, ably_stub):
    message = pubsub_message(bytes([0xFF, 0xFE, 0x00]), encoding="base64")

    assert failed(handle(ably_envelope(CHANNEL, message))) == []
    assert audit(tables) == []


# --- redeliveries ------------------------------------------------------------------------


def test_given_the_same_record_delivered_twice_then_one_delete_one_strike_one_audit(
    tables, ably_stub
):
    body = ably_envelope(CHAT, chat_in_stub(ably_stub, "shit", client_id="mallory"))

    first, second = handle(body), handle(body)

    assert failed(first) == failed(second) == []
    assert len(deletes(ably_stub)) == 1
    assert [i["action"] for i in audit(tables)].count("strike") == 1
    assert len(audit(tables, "delete")) == 1
    strikes = tables.strikes.get_item(Key={"clientId": "mallory"})["Item"]
    assert len(strikes["strikes"]) == 1


def test_given_ably_failed_the_first_delete_then_the_redelivery_deletes_once_and_strikes_once(
    tables, ably_stub
):
    message = chat_in_stub(ably_stub, "shit", client_id="mallory")
    ably_stub.enqueue("POST", DELETE, *[Reply.error(503, 50300)] * 3)
    body = ably_envelope(CHAT, message)

    first = handle(body)
    second = handle(body)

    assert failed(first) == ["msg-0"]
    assert failed(second) == []
    assert ably_stub.state.rooms[ROOM][message["serial"]]["action"] == "message.delete"
    keys = {request.param("idempotencyKey") for request in deletes(ably_stub)}
    assert len(keys) == 1  # every attempt is the same delete to Ably
    assert len(audit(tables, "strike")) == 1
    assert len(audit(tables, "delete")) == 1


def test_given_the_same_pubsub_message_twice_then_one_moderation_event(tables, ably_stub):
    body = ably_envelope(CHANNEL, pubsub_message("shit"))

    handle(body)
    handle(body)

    assert len(moderation_events(ably_stub)) == 1
    assert len(audit(tables, "delete")) == 1


def test_given_a_client_chosen_id_reused_on_another_channel_then_both_are_removed_and_struck(
    tables, ably_stub
):
    # Defect: strikes were keyed on the pub/sub id, which the publisher chooses.
    first = ably_envelope(CHANNEL, pubsub_message("shit", message_id="mine:0:0", client_id="eve"))
    second = ably_envelope("sport", pubsub_message("shit", message_id="mine:0:0", client_id="eve"))

    handle(first)
    handle(second)

    assert len(moderation_events(ably_stub, CHANNEL)) == 1
    assert len(moderation_events(ably_stub, "sport")) == 1
    assert len(audit(tables, "strike")) == 2


def test_given_an_id_reused_on_the_same_channel_later_then_it_is_removed_and_struck_again(
    tables, ably_stub
):
    # Defect: the remove-once record and the strike matched the earlier message, so
    # the later one was neither removed nor struck, yet counted as removed.
    earlier = pubsub_message("shit", message_id="mine:0:0", client_id="eve")
    later = {**pubsub_message("shit", message_id="mine:0:0", client_id="eve")}
    later["timestamp"] = earlier["timestamp"] + 3 * 60 * 1000  # past Ably's 2-minute dedupe

    handle(ably_envelope(CHANNEL, earlier))
    handle(ably_envelope(CHANNEL, later))

    assert len(moderation_events(ably_stub)) == 2
    assert len(audit(tables, "strike")) == 2
    assert len(audit(tables, "delete")) == 2


def test_given_no_serial_then_channel_id_and_timestamp_name_the_message(tables, ably_stub):
    message = pubsub_message("shit", message_id="mine:0:0", client_id="eve")
    del message["serial"]
    later = {**message, "timestamp": message["timestamp"] + 1}

    handle(ably_envelope(CHANNEL, message))
    handle(ably_envelope(CHANNEL, message))  # a redelivery: the same message
    handle(ably_envelope(CHANNEL, later))  # the id reused: another message

    assert len(moderation_events(ably_stub)) == 2
    assert len(audit(tables, "strike")) == 2


# --- what can never be read ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"id": "m1", "data": "raw message, rule not enveloped"}), "enveloped"),
        (json.dumps({"messages": [], "appId": "a"}), "no channel"),
    ],
    ids=["not-json", "array", "not-enveloped", "no-channel"],
)
def test_given_a_poison_record_then_it_is_audited_without_text_and_acknowledged(
    tables, ably_stub, body, problem
):
    response = handle(body)

    assert failed(response) == []
    (event,) = audit(tables)
    assert event["action"] == "reject"
    assert event["actor"] == "system"
    assert event["reason"] == "poison_record"
    details = json.loads(event["details"])
    assert problem in details["problem"]
    assert details["sqsMessageId"] == "msg-0"
    assert "raw message" not in event["details"]  # no text, whatever the body holds


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        (CHANNEL, {**pubsub_message("x"), "data": "%%% not base64", "encoding": "base64"}),
        (CHANNEL, {**pubsub_message("x"), "data": "{oops", "encoding": "json"}),
        (CHANNEL, {**pubsub_message("x"), "data": "x", "encoding": "cipher+aes-128-cbc/base64"}),
        (CHAT, {**chat_message("x", serial="s1"), "data": json.dumps({"metadata": {}})}),
        (CHAT, {**chat_message("x", serial="s1"), "data": "{oops"}),
        (CHANNEL, "not an object"),
    ],
    ids=["bad-base64", "bad-json", "encrypted", "chat-without-text", "chat-bad-json", "string"],
)
def test_given_an_unreadable_message_then_it_is_audited_and_the_rest_of_the_record_moderated(
    tables, ably_stub, channel, message
):
    rude = chat_in_stub(ably_stub, "shit") if channel == CHAT else pubsub_message("shit")

    response = handle(ably_envelope(channel, message, rude))

    assert failed(response) == []
    (unreadable,) = [e for e in audit(tables, "reject") if e["actor"] == "system"]
    assert unreadable["reason"] == "unreadable_message"
    assert "x" not in json.loads(unreadable["details"]).values()
    assert len(audit(tables, "delete")) == 1  # the readable one was still removed


def deeply_nested(depth: int) -> str:
    """JSON nested ``depth`` arrays deep: a few KB that Python's decoder cannot parse."""
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [33, 3_000, 100_000], ids=["over-limit", "3k", "100k"])
def test_given_deeply_nested_pubsub_data_then_only_that_message_is_poison_and_the_batch_moderated(
    tables, ably_stub, depth
):
    nested = {**pubsub_message("x"), "data": deeply_nested(depth), "encoding": "json"}
    others = [ably_envelope(CHANNEL, pubsub_message("shit")) for _ in range(2)]

    response = handle(others[0], ably_envelope(CHANNEL, nested), others[1])

    assert failed(response) == []
    (unreadable,) = [e for e in audit(tables, "reject") if e["actor"] == "system"]
    assert unreadable["reason"] == "unreadable_message"
    assert "nested deeper than 32" in json.loads(unreadable["details"])["problem"]
    assert len(audit(tables, "delete")) == 2  # every other user's message still moderated


def test_given_a_record_body_nested_past_the_decoder_then_it_is_poison_not_a_failed_batch(
    tables, ably_stub
):
    body = '{"channel": "news", "messages": [{"data": ' + deeply_nested(5_000) + "}]}"

    response = handle(ably_envelope(CHANNEL, pubsub_message("shit")), body)

    assert failed(response) == []
    (poison,) = [e for e in audit(tables, "reject") if e["reason"] == "poison_record"]
    assert "nested deeper" in json.loads(poison["details"])["problem"]
    assert len(audit(tables, "delete")) == 1


def test_given_nesting_at_the_limit_then_the_message_is_moderated(tables, ably_stub):
    # data is the outermost object (depth 1); its text sits beside 31 more levels.
    inner: Any = []
    for _ in range(30):
        inner = [inner]
    data = json.dumps({"text": "shit", "deep": inner})

    response = handle(
        ably_envelope(CHANNEL, {**pubsub_message("x"), "data": data, "encoding": "json"})
    )

    assert failed(response) == []
    assert len(audit(tables, "delete")) == 1
    assert [e for e in audit(tables, "reject") if e["actor"] == "system"] == []


# --- transient failures fail only their record --------------------------------------------


def test_given_ably_5xx_for_one_message_mid_batch_then_only_its_record_fails(tables, ably_stub):
    first, middle, last = (chat_in_stub(ably_stub, "shit", client_id=c) for c in "abc")
    path = f"/chat/v4/rooms/{ROOM}/messages/{quote(middle['serial'], safe='')}/delete"
    ably_stub.enqueue("POST", path, *[Reply.error(503, 50300, "unavailable")] * 3)

    response = handle(*(ably_envelope(CHAT, m) for m in (first, middle, last)))

    assert failed(response) == ["msg-1"]
    assert len(audit(tables, "delete")) == 2
    assert len(audit(tables, "strike")) == 3  # the failed one's strike stands, once


@pytest.mark.parametrize(
    ("status", "retried"),
    [(404, False), (400, False), (401, True), (403, True), (429, True), (500, True)],
)
def test_given_ably_refuses_a_delete_then_only_a_retry_that_may_succeed_fails_the_record(
    tables, ably_stub, status, retried
):
    message = chat_in_stub(ably_stub, "shit")
    ably_stub.enqueue("POST", DELETE, *[Reply.error(status, status * 100)] * 3)

    response = handle(ably_envelope(CHAT, message))

    assert failed(response) == (["msg-0"] if retried else [])
    if not retried:  # recorded as a rejection whose removal Ably refused
        (event,) = [e for e in audit(tables, "reject") if "removal" in e["details"]]
        assert json.loads(event["details"])["ablyStatus"] == status
        assert audit(tables, "delete") == []


def test_given_ably_unreachable_then_the_record_fails(monkeypatch, ably_stub):
    with deployed(monkeypatch, ably_stub, env={constants.ENV_ABLY_REST_HOST: "127.0.0.1:9"}):
        response = handle(ably_envelope(CHANNEL, pubsub_message("shit")))

    assert failed(response) == ["msg-0"]


def hive_deployment(
    monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub, hive: FakeServer, **moderation: Any
) -> Any:
    policy = RuntimePolicy.model_validate(
        {
            "moderation": {
                "providers": [
                    {"name": "blocklist"},
                    {"name": "hive", "baseUrl": hive.url, "thresholds": {"sexual": 2}},
                ],
                "retryTimeoutMs": 300,
                "maxRetries": 0,
                **moderation,
            }
        }
    )
    return deployed(
        monkeypatch,
        ably_stub,
        policy,
        secrets={HIVE_KEY_PARAMETER: "hive-test-key"},
        env={constants.ENV_PROVIDER_KEY_PARAMETERS: f"hive={HIVE_KEY_PARAMETER}"},
    )


@pytest.mark.parametrize(
    ("failed_action", "retried", "removed"),
    [("defer", True, False), ("publish", False, False), ("reject", False, True)],
)
def test_given_a_provider_timeout_then_the_failed_action_decides(
    monkeypatch, ably_stub, hive_server, failed_action, retried, removed
):
    hive_server.delay = 2
    with hive_deployment(monkeypatch, ably_stub, hive_server, failedAction=failed_action) as tables:
        message = chat_in_stub(ably_stub, "hello")

        response = handle(ably_envelope(CHAT, message))
        deleted = audit(tables, "delete")

    assert failed(response) == (["msg-0"] if retried else [])
    assert len(deletes(ably_stub)) == (1 if removed else 0)
    if removed:
        assert deleted[0]["reason"] == "moderation_unavailable"
        assert audit_strikes_absent(deleted)


def audit_strikes_absent(events: list[dict[str, Any]]) -> bool:
    return all(event["action"] != "strike" for event in events)


@dataclass
class Throttle:
    """Makes one DynamoDB operation answer ProvisionedThroughputExceeded, ``times`` times."""

    operation: str
    times: int = 1_000
    only_for: str | None = None  # a client id the request must mention

    def __call__(self, model: Any, params: Any = None, **_: Any) -> Any:
        if model.name != self.operation or self.times <= 0:
            return None
        if self.only_for is not None and self.only_for not in json.dumps(params, default=str):
            return None
        self.times -= 1
        error = {
            "Error": {"Code": "ProvisionedThroughputExceededException", "Message": "throttled"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return SimpleNamespace(status_code=400, headers={}), error


def throttle(table_name: str, throttle: Throttle) -> Throttle:
    aws.table(table_name).meta.client.meta.events.register(
        "before-call.dynamodb.*", throttle, unique_id=f"throttle-{table_name}"
    )
    return throttle


def test_given_dynamodb_throttles_the_sender_lookup_then_the_record_fails_unjudged(
    tables, ably_stub
):
    throttle(tables.bans.name, Throttle("BatchGetItem"))

    response = handle(ably_envelope(CHAT, chat_in_stub(ably_stub, "hello", client_id="erin")))

    assert failed(response) == ["msg-0"]
    assert ably_stub.requests == []


def test_given_dynamodb_throttles_the_strike_then_removed_now_and_struck_on_redelivery(
    tables, ably_stub
):
    rule = throttle(tables.bans.name, Throttle("TransactWriteItems", times=1))
    body = ably_envelope(CHAT, chat_in_stub(ably_stub, "shit", client_id="mallory"))

    first = handle(body)
    second = handle(body)

    assert rule.times == 0
    assert failed(first) == ["msg-0"]  # removed at once, but the strike must be written
    assert failed(second) == []
    assert len(deletes(ably_stub)) == 1
    assert len(audit(tables, "strike")) == 1
    assert len(audit(tables, "delete")) == 1


def test_given_dynamodb_throttles_the_audit_write_then_retried_and_deleted_once(tables, ably_stub):
    throttle(tables.audit.name, Throttle("PutItem", times=1))
    message = chat_in_stub(ably_stub, "shit")
    body = ably_envelope(CHAT, message)

    first, second = handle(body), handle(body)

    assert failed(first) == ["msg-0"]
    assert failed(second) == []
    # Ably saw the delete twice, with one idempotency key: applied once.
    assert len({r.param("idempotencyKey") for r in deletes(ably_stub)}) == 1
    assert ably_stub.state.rooms[ROOM][message["serial"]]["version"]["serial"] != message["serial"]
    assert len(audit(tables, "delete")) == 1


def test_given_the_idempotency_table_throttled_then_the_record_fails_before_any_removal(
    tables, ably_stub
):
    aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb.*", Throttle("PutItem"), unique_id="throttle-idempotency"
    )

    response = handle(ably_envelope(CHAT, chat_in_stub(ably_stub, "shit")))

    assert failed(response) == ["msg-0"]
    assert deletes(ably_stub) == []


def test_given_the_policy_cannot_be_read_then_every_record_fails(tables, ably_stub):
    import boto3

    boto3.client("ssm").delete_parameter(Name="/chatmod/test/policy")

    response = handle(ably_envelope(CHANNEL, pubsub_message("a")), "{not json")

    assert failed(response) == ["msg-0", "msg-1"]


class ShortContext(FakeLambdaContext):
    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 900  # less than the policy's budget plus the margins


def test_given_too_little_time_left_then_messages_are_retried_not_judged(tables, ably_stub):
    event = sqs_event(ably_envelope(CHAT, chat_in_stub(ably_stub, "hello")))

    response = async_moderation.lambda_handler(event, ShortContext())

    assert failed(dict(response)) == ["msg-0"]
    assert ably_stub.requests == []


# --- concurrency -------------------------------------------------------------------------


def test_the_messages_of_a_batch_are_moderated_and_removed_concurrently(tables, ably_stub):
    # Every delete waits until all four are in flight: in series, the barrier breaks.
    barrier = threading.Barrier(4, timeout=5)
    ably_stub.enqueue(
        "POST", DELETE, *[Reply(process=True, on_request=lambda _: barrier.wait())] * 4
    )
    messages = [chat_in_stub(ably_stub, "shit", client_id=f"user{i}") for i in range(4)]

    response = handle(
        ably_envelope(CHAT, messages[0], messages[1]),
        *(ably_envelope(CHAT, m) for m in messages[2:]),
    )

    assert failed(response) == []
    assert not barrier.broken
    assert len(audit(tables, "delete")) == 4


# --- conservation ----------------------------------------------------------------------------


def batch_log(caplog: pytest.LogCaptureFixture) -> dict[str, Any]:
    (summary,) = [r for r in caplog.records if r.getMessage() == "batch moderated"]
    return vars(summary)


def test_conservation_every_input_is_accepted_rejected_with_an_audit_event_or_failed(
    tables, ably_stub, caplog
):
    """Given a batch with every kind of failure, then no message is missing from the account."""
    tables.bans.put_item(Item={"clientId": "banned-user", "reason": "spam", "source": "mod1"})
    throttle(tables.bans.name, Throttle("BatchGetItem", only_for="throttled-user"))
    flaky = chat_in_stub(ably_stub, "shit", client_id="u-flaky")
    gone = chat_message("fuck", serial="never-stored", client_id="u-gone")  # Ably answers 404
    ably_stub.enqueue(
        "POST",
        f"/chat/v4/rooms/{ROOM}/messages/{quote(flaky['serial'], safe='')}/delete",
        *[Reply.error(503, 50300)] * 3,
    )
    accepted = {
        "clean-chat": chat_in_stub(ably_stub, "hello", client_id="u1"),
        "clean-pubsub": pubsub_message("hi all", client_id="u2"),
    }
    rejected = {
        "rude-chat": chat_in_stub(ably_stub, "shit", client_id="u3"),
        "rude-pubsub": pubsub_message({"text": "fuck"}, encoding="json/utf-8/base64"),
        "banned": chat_in_stub(ably_stub, "hello", client_id="banned-user"),
        "gone": gone,
        "unreadable": {**pubsub_message("x", client_id="u5"), "data": "{", "encoding": "json"},
    }
    skipped = {
        "update": chat_message("shit", serial="s-upd", action=1),
        "own-event": pubsub_message("shit", extras={"privileged": {"skipRule": "*"}}),
    }
    failing = {
        "ably-5xx": flaky,
        "throttled": chat_in_stub(ably_stub, "hello", client_id="throttled-user"),
    }
    channel_of = {
        "clean-pubsub": CHANNEL,
        "rude-pubsub": CHANNEL,
        "unreadable": CHANNEL,
        "own-event": CHANNEL,
    }
    inputs = {**accepted, **rejected, **skipped, **failing}
    bodies = [ably_envelope(channel_of.get(name, CHAT), m) for name, m in inputs.items()]
    bodies += ["{poison", presence_envelope(CHAT)]
    record_of = {name: f"msg-{i}" for i, name in enumerate(inputs)}

    response = handle(*bodies)

    failed_records = set(failed(response))
    events = audit(tables)
    audited = {e.get("serial") for e in events} | {e.get("messageId") for e in events}
    poison_audited = {json.loads(e["details"]).get("sqsMessageId") for e in events}

    def fate(name: str) -> str:
        message = inputs[name]
        is_audited = message.get("serial") in audited or message.get("id") in audited
        if record_of[name] in failed_records:
            return "failed"
        return "rejected" if is_audited else "accepted"

    fates = {name: fate(name) for name in inputs}
    assert fates == {
        **dict.fromkeys(accepted, "accepted"),
        **dict.fromkeys(rejected, "rejected"),
        **dict.fromkeys(skipped, "accepted"),
        **dict.fromkeys(failing, "failed"),
    }
    poison_record = f"msg-{len(inputs)}"
    assert poison_record in poison_audited
    assert poison_record not in failed_records
    assert failed_records == {record_of["ably-5xx"], record_of["throttled"]}
    summary = batch_log(caplog)
    assert summary["records"] == len(bodies)
    assert (
        summary["accepted"]
        + summary["skipped"]
        + summary["masked"]
        + summary["removed"]
        + summary["poison"]
        + summary["failed"]
    ) == len(inputs) + 1  # every message, and the poison record; presence has none
    assert summary["failed"] == 2
    assert summary["poison"] == 2
    assert summary["removed"] == 4  # rude chat, rude pub/sub, banned, gone (audited as such)


def test_given_a_record_redelivered_for_one_failed_message_then_the_others_are_not_redone(
    tables, ably_stub
):
    done, flaky = chat_in_stub(ably_stub, "shit", "ann"), chat_in_stub(ably_stub, "shit", "ben")
    path = f"/chat/v4/rooms/{ROOM}/messages/{quote(flaky['serial'], safe='')}/delete"
    ably_stub.enqueue("POST", path, *[Reply.error(500, 50000)] * 3)
    body = ably_envelope(CHAT, done, flaky)

    first, second = handle(body), handle(body)

    assert failed(first) == ["msg-0"]
    assert failed(second) == []
    done_path = f"/chat/v4/rooms/{ROOM}/messages/{quote(done['serial'], safe='')}/delete"
    assert len(ably_stub.requests_to(done_path, "POST")) == 1  # not repeated
    assert sorted(e["clientId"] for e in audit(tables, "delete")) == ["ann", "ben"]
    assert sorted(e["clientId"] for e in audit(tables, "strike")) == ["ann", "ben"]


def test_given_text_over_the_limit_then_the_message_is_removed_without_a_strike(
    monkeypatch, ably_stub
):
    policy = RuntimePolicy(moderation=ModerationPolicy(max_text_length=10))
    with deployed(monkeypatch, ably_stub, policy) as tables:
        response = handle(ably_envelope(CHAT, chat_in_stub(ably_stub, "hello " * 5)))
        (deleted,) = audit(tables, "delete")
        strikes = audit(tables, "strike")

    assert failed(response) == []
    assert deleted["reason"] == "text_too_long"
    assert strikes == []


def test_given_a_lone_surrogate_in_the_text_then_it_is_still_moderated(tables, ably_stub):
    message = chat_in_stub(ably_stub, "shit")
    body = ably_envelope(CHAT, message).replace('\\"shit\\"', '\\"shit \\\\ud800\\"')
    assert "ud800" in body

    response = handle(body)

    assert failed(response) == []
    assert len(audit(tables, "delete")) == 1


# --- messages POST /messages already judged -------------------------------------------


def judged_chat_message(
    ably_stub: AblyStub, text: str, *, header_text: str | None = None, key: str = JUDGED_KEY
) -> Any:
    """A chat message carrying the x-chatmod-judged header POST /messages signs."""
    message = chat_in_stub(ably_stub, text, client_id="judy")
    value = judged_header(
        key,
        room=ROOM,
        client_id="judy",
        text=text if header_text is None else header_text,
        now=message["timestamp"] / 1000,
    )
    message["extras"]["headers"][JUDGED_HEADER] = value
    return message


def test_given_a_message_post_messages_judged_then_it_is_not_judged_again(tables, ably_stub):
    # The text would be rejected; POST /messages published it masked or judged it
    # already, and its signature says so.
    message = judged_chat_message(ably_stub, "you are shit")

    response = handle(ably_envelope(CHAT, message))

    assert failed(response) == []
    assert deletes(ably_stub) == []
    assert audit(tables) == []


def test_given_a_judged_message_from_a_since_banned_sender_then_it_is_removed(tables, ably_stub):
    tables.bans.put_item(Item={"clientId": "judy", "reason": "spam", "source": "mod1"})
    message = judged_chat_message(ably_stub, "hello there")

    response = handle(ably_envelope(CHAT, message))

    assert failed(response) == []
    assert len(deletes(ably_stub)) == 1
    assert [(item["action"], item["reason"]) for item in audit(tables)] == [("delete", "banned")]


def test_given_a_judged_header_signed_with_the_before_publish_secret_then_moderated(
    tables, ably_stub
):
    message = judged_chat_message(ably_stub, "you are shit", key=BEFORE_PUBLISH_SECRET)

    response = handle(ably_envelope(CHAT, message))

    assert failed(response) == []
    assert len(deletes(ably_stub)) == 1


def test_given_a_judged_header_for_other_text_then_the_message_is_moderated(tables, ably_stub):
    message = judged_chat_message(ably_stub, "you are shit", header_text="hello there")

    response = handle(ably_envelope(CHAT, message))

    assert failed(response) == []
    assert len(deletes(ably_stub)) == 1
    assert [item["action"] for item in audit(tables, "strike")] == ["strike"]
