"""``POST /messages`` end to end in process: moto for DynamoDB and SSM, the Ably stub over
the real gateway and SDK, the real pipeline."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import ANY

import pytest

from chatmod.adapters import aws
from chatmod.adapters.ably.client import reset_gateway
from chatmod.core import constants
from chatmod.core.policy import ModerationPolicy, RuntimePolicy, TokenPolicy
from chatmod.enforcement.judged import JUDGED_HEADER, verify_judged_header
from chatmod.handlers import publish, token
from tests.support.ably_stub import AblyStub, RecordedRequest, Reply
from tests.support.deployment import JUDGED_KEY, moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import FakeLambdaContext, http_event
from tests.support.fake_providers import (  # noqa: F401  (fixtures)
    FakeServer,
    hive_server_fixture,
    shared_http_client_fixture,
)
from tests.support.fake_providers import Reply as ProviderReply

USER = {"sub": "alice", "cognito:groups": "[players]"}
CHAT_SEND = re.compile(r"/chat/v4/rooms/[^/]+/messages")
CHANNEL_PUBLISH = re.compile(r"/channels/[^/]+/messages")
HIVE_KEY_PARAMETER = "/chatmod/test/hive-key"

pytestmark = pytest.mark.usefixtures("shared_http_client")


@contextmanager
def deployed(
    monkeypatch: pytest.MonkeyPatch,
    stub: AblyStub,
    *,
    policy: RuntimePolicy | None = None,
    secrets: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[ChatmodTables]:
    """A moto deployment whose Ably is the loopback stub (the gateway rebuilt for it)."""
    ably = {
        constants.ENV_ABLY_REST_HOST: f"{stub.host}:{stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    reset_gateway()
    with moto_deployment(
        monkeypatch, policy=policy, secrets=secrets, env={**ably, **(env or {})}
    ) as tables:
        yield tables
    reset_gateway()


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub) -> Iterator[ChatmodTables]:
    with deployed(monkeypatch, ably_stub) as tables:
        yield tables


def post(
    body: Any = None,
    *,
    claims: dict[str, Any] | None = USER,
    raw: str | None = None,
    key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    headers = {"idempotency-key": key} if key is not None else None
    event = http_event("POST", "/messages", body=body, raw_body=raw, claims=claims, headers=headers)
    response = publish.lambda_handler(event, FakeLambdaContext())
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def sends(stub: AblyStub) -> list[RecordedRequest]:
    return stub.requests_to(CHAT_SEND, "POST")


def publishes(stub: AblyStub) -> list[RecordedRequest]:
    return stub.requests_to(CHANNEL_PUBLISH, "POST")


def strikes_of(tables: ChatmodTables, client_id: str) -> list[Any]:
    item = tables.strikes.get_item(Key={"clientId": client_id}).get("Item")
    return list(item["strikes"]) if item else []


def wire_data(message: dict[str, Any]) -> Any:
    """A pub/sub message's data as the publisher meant it (objects travel JSON-encoded)."""
    if message.get("encoding") == "json":
        return json.loads(message["data"])
    return message["data"]


def judged(value: Any, *, room: str, text: str, client_id: str = "alice") -> bool:
    return verify_judged_header(
        value, JUDGED_KEY, room=room, client_id=client_id, text=text, now=time.time()
    )


# --- accepted --------------------------------------------------------------------------


def test_given_a_clean_chat_message_then_sent_as_the_user_and_201_with_the_serial(
    deployment, ably_stub
):
    status, body = post(
        {"room": "lobby", "text": "hello all", "metadata": {"k": 1}, "headers": {"h": "v"}}
    )

    assert status == 201
    (stored,) = ably_stub.state.rooms["lobby"].values()
    assert body == {"serial": stored["serial"]}
    assert stored["clientId"] == "alice"
    assert stored["text"] == "hello all"
    assert stored["metadata"] == {"k": 1}
    assert stored["headers"]["h"] == "v"
    (send,) = sends(ably_stub)
    assert send.header("x-ably-version") == "4"
    assert base64.b64decode(send.header("x-ably-clientid") or "") == b"alice"
    assert send.param("idempotencyKey")


def test_given_a_clean_channel_message_then_published_as_the_user_and_201_with_the_id(
    deployment, ably_stub
):
    status, body = post({"channel": "news", "name": "post", "data": "hello all"})

    assert status == 201
    (stored,) = ably_stub.state.channels["news"].values()
    assert body == {"id": stored["id"]}
    assert stored["clientId"] == "alice"
    assert (stored["name"], stored["data"]) == ("post", "hello all")


def test_given_a_connection_key_then_published_on_behalf_of_that_connection(deployment, ably_stub):
    status, _ = post({"channel": "news", "data": "hi", "connectionKey": "conn-key-1"})

    assert status == 201
    (request,) = publishes(ably_stub)
    sent = request.json()
    assert (sent["connectionKey"], sent["clientId"]) == ("conn-key-1", "alice")


@pytest.mark.parametrize("field", ["text", "message"])
def test_given_channel_data_as_an_object_then_its_text_field_is_moderated(
    deployment, ably_stub, field
):
    clean = post({"channel": "news", "data": {field: "nice one", "score": 3}})
    rude = post({"channel": "news", "data": {field: "what the f.u.c.k", "score": 3}})

    assert clean[0] == 201
    assert rude[0] == 422
    (stored,) = ably_stub.state.channels["news"].values()
    assert wire_data(stored) == {field: "nice one", "score": 3}


# --- the judged header (no double moderation) ------------------------------------------


def test_given_a_published_chat_message_then_it_carries_a_judged_header_for_its_text(
    deployment, ably_stub
):
    post({"room": "lobby", "text": "hello all"})

    (stored,) = ably_stub.state.rooms["lobby"].values()
    header = stored["headers"][JUDGED_HEADER]
    assert judged(header, room="lobby", text="hello all")
    assert not judged(header, room="lobby", text="other text")
    assert not judged(header, room="other", text="hello all")
    assert not judged(header, room="lobby", text="hello all", client_id="mallory")


def test_given_the_client_sends_its_own_judged_header_then_it_is_replaced(deployment, ably_stub):
    post({"room": "lobby", "text": "hello", "headers": {JUDGED_HEADER: "v1.1.forged"}})

    (stored,) = ably_stub.state.rooms["lobby"].values()
    assert stored["headers"][JUDGED_HEADER] != "v1.1.forged"
    assert judged(stored["headers"][JUDGED_HEADER], room="lobby", text="hello")


def test_given_a_published_channel_message_then_its_extras_carry_the_judged_header(
    deployment, ably_stub
):
    post({"channel": "news", "data": {"text": "hello"}})

    (stored,) = ably_stub.state.channels["news"].values()
    assert judged(stored["extras"]["headers"][JUDGED_HEADER], room="news", text="hello")


def test_given_the_judged_key_is_unreadable_then_published_without_the_header(
    monkeypatch, ably_stub
):
    with deployed(monkeypatch, ably_stub) as _:
        monkeypatch.setenv(constants.ENV_JUDGED_KEY_PARAMETER, "/chatmod/test/none")
        from chatmod.core.settings import get_settings

        get_settings.cache_clear()
        status, _ = post({"room": "lobby", "text": "hello"})

    assert status == 201
    (stored,) = ably_stub.state.rooms["lobby"].values()
    assert JUDGED_HEADER not in stored["headers"]


# --- authentication and bad input ------------------------------------------------------


def test_given_no_identity_then_401_and_nothing_is_published(deployment, ably_stub):
    status, body = post({"room": "lobby", "text": "hi"}, claims=None)

    assert (status, body["error"]) == (401, "unauthorized")
    assert ably_stub.requests == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"room": "lobby"}, "text"),
        ({"room": "lobby", "text": 42}, "text"),
        ({"room": "", "text": "hi"}, "room"),
        ({"room": "lobby", "text": "hi", "metadata": []}, "metadata"),
        ({"room": "lobby", "text": "hi", "headers": {"a": {"b": 1}}}, "headers.a"),
        ({"room": "lobby", "text": "hi", "extra": 1}, "extra"),
        ({"channel": "news"}, "data"),
        ({"channel": "news", "data": 5}, "data"),
        ({"channel": "news", "data": {"score": 1}}, "data"),
        ({"channel": "news", "data": "hi", "name": 3}, "name"),
        ({"channel": "news", "data": "hi", "connectionKey": ""}, "connectionKey"),
        ({"text": "hi"}, "room|channel"),
        ({"room": "lobby", "channel": "news", "text": "hi"}, "room|channel"),
        ({"room": "lobby::$chat", "text": "hi"}, "room"),
        ({"channel": "lobby::$chat", "data": "hi"}, "channel"),
    ],
)
def test_given_an_invalid_body_then_400_naming_the_field_never_422(
    deployment, ably_stub, body, field
):
    status, answer = post(body)

    assert status == 400
    assert answer["error"] == "bad_request"
    assert any(p["field"].startswith(field) for p in answer["problems"]), answer
    assert ably_stub.requests == []


@pytest.mark.parametrize("raw", ["", "not json", "[1, 2]", '"text"'])
def test_given_a_body_that_is_not_a_json_object_then_400(deployment, raw):
    status, answer = post(raw=raw)

    assert (status, answer["error"]) == (400, "bad_request")


@pytest.mark.parametrize(
    "body",
    [
        {"room": "lobby", "text": "hi \ud800"},
        {"room": "lob\udfffby", "text": "hi"},
        {"channel": "news", "data": {"text": "x\ud800"}},
    ],
)
def test_given_a_lone_surrogate_then_400_invalid_text(deployment, ably_stub, body):
    status, answer = post(raw=json.dumps(body))  # ensure_ascii: travels as a \ud800 escape

    assert (status, answer["error"]) == (400, "invalid_text")
    assert ably_stub.requests == []


@pytest.mark.parametrize("depth", [33, 5_000], ids=["over-limit", "past-the-decoder"])
def test_given_deeply_nested_json_then_400_not_500(deployment, ably_stub, depth):
    raw = '{"channel": "news", "data": ' + "[" * depth + "]" * depth + "}"

    status, answer = post(raw=raw)

    assert (status, answer["error"]) == (400, "too_deep")
    assert ably_stub.requests == []


@pytest.mark.parametrize("name", ["chatmod.moderation", "chatmod.anything", "ChatMod.Moderation"])
def test_given_an_event_name_reserved_for_chatmod_then_400_and_nothing_published(
    deployment, ably_stub, name
):
    # Published with chatmod's key, it would pass for chatmod's own moderation event.
    status, answer = post({"channel": "news", "name": name, "data": "hidden"})

    assert (status, answer["error"]) == (400, "reserved_name")
    assert answer["problems"] == [{"field": "name", "problem": ANY}]
    assert ably_stub.requests == []


def test_given_a_user_whose_client_id_is_reserved_for_chatmod_then_403(deployment, ably_stub):
    status, answer = post({"room": "lobby", "text": "hi"}, claims={"sub": "chatmod:system"})

    assert (status, answer["error"]) == (403, "reserved_client_id")
    assert ably_stub.requests == []


def test_given_a_malformed_idempotency_key_then_400(deployment):
    status, answer = post({"room": "lobby", "text": "hi"}, key="x" * 300)

    assert (status, answer["error"]) == (400, "invalid_idempotency_key")


def test_given_text_over_the_limit_then_400_text_too_long(monkeypatch, ably_stub):
    policy = RuntimePolicy(moderation=ModerationPolicy(max_text_length=10))
    with deployed(monkeypatch, ably_stub, policy=policy):
        chat = post({"room": "lobby", "text": "x" * 11})
        channel = post({"channel": "news", "data": {"text": "x" * 11}})

    assert (chat[0], chat[1]["error"]) == (400, "text_too_long")
    assert (channel[0], channel[1]["error"]) == (400, "text_too_long")
    assert sends(ably_stub) == publishes(ably_stub) == []


def test_given_a_room_outside_the_token_policy_then_403_not_allowed(monkeypatch, ably_stub):
    policy = RuntimePolicy(tokens=TokenPolicy(rooms=("lobby", "games:*")))
    with deployed(monkeypatch, ably_stub, policy=policy):
        allowed = post({"room": "lobby", "text": "hi"})
        namespaced = post({"channel": "games:chess", "data": "hi"})
        refused = post({"room": "staff", "text": "hi"})

    assert allowed[0] == namespaced[0] == 201
    assert (refused[0], refused[1]["error"]) == (403, "not_allowed")
    assert len(sends(ably_stub)) == 1


# --- banned ----------------------------------------------------------------------------


@pytest.mark.parametrize("expires_in", [600, None], ids=["temporary", "permanent"])
def test_given_a_banned_user_then_403_exactly_as_token_answers_and_nothing_sent(
    deployment, ably_stub, expires_in
):
    item: dict[str, Any] = {"clientId": "alice", "reason": "spam", "source": "mod1"}
    item["createdAt"] = int(time.time()) - 10
    if expires_in is not None:
        item["expiresAt"] = int(time.time()) + expires_in
    deployment.bans.put_item(Item=item)
    token._gateway = token._ban_store = None

    status, body = post({"room": "lobby", "text": "perfectly polite"})
    token_response = token.lambda_handler(
        http_event("GET", "/token", claims=USER), FakeLambdaContext()
    )

    assert status == 403 == token_response["statusCode"]
    assert body == json.loads(token_response["body"])
    assert body["error"] == "banned"
    assert body["reason"] == "spam"
    assert (body["bannedUntil"] is None) is (expires_in is None)
    assert sends(ably_stub) == []


# --- rejected --------------------------------------------------------------------------


def test_given_profanity_then_422_rejected_with_a_strike_and_nothing_sent(deployment, ably_stub):
    status, body = post({"room": "lobby", "text": "what the f.u.c.k"})

    assert status == 422
    assert body == {
        "error": "rejected",
        "message": body["message"],
        "code": 42213,
        "reason": "flagged by blocklist",
        "categories": ["profanity"],
    }
    assert sends(ably_stub) == []
    assert len(strikes_of(deployment, "alice")) == 1
    events = {item["action"]: item for item in deployment.audit.scan()["Items"]}
    assert set(events) == {"reject", "strike"}
    assert events["reject"]["messageRef"].startswith("publish:")


def test_given_the_same_rejected_request_retried_then_one_strike(deployment):
    for _ in range(3):
        status, _ = post({"room": "lobby", "text": "shit"}, key="req-1")
        assert status == 422

    assert len(strikes_of(deployment, "alice")) == 1


def test_given_separate_rejected_requests_then_each_is_a_strike_up_to_a_ban(deployment, ably_stub):
    first = post({"room": "lobby", "text": "shit"})
    second = post({"room": "lobby", "text": "shit"})
    third = post({"room": "lobby", "text": "hello again"})

    assert (first[0], second[0]) == (422, 422)
    assert (third[0], third[1]["error"]) == (403, "banned")  # the ladder: warn, then 120 s
    assert sends(ably_stub) == []


# --- masked ----------------------------------------------------------------------------


def test_given_on_match_mask_then_the_masked_text_is_published_and_201_masked(
    monkeypatch, ably_stub
):
    policy = RuntimePolicy(moderation=ModerationPolicy(on_match="mask"))
    with deployed(monkeypatch, ably_stub, policy=policy) as tables:
        chat = post({"room": "lobby", "text": "well shit happens"})
        channel = post({"channel": "news", "data": {"text": "well shit happens", "n": 1}})
        strikes = strikes_of(tables, "alice")

    (stored,) = ably_stub.state.rooms["lobby"].values()
    assert chat == (201, {"serial": stored["serial"], "masked": True})
    assert "shit" not in stored["text"]
    assert stored["text"].startswith("well ")
    assert judged(stored["headers"][JUDGED_HEADER], room="lobby", text=stored["text"])
    (message,) = ably_stub.state.channels["news"].values()
    assert channel == (201, {"id": message["id"], "masked": True})
    assert wire_data(message) == {"text": stored["text"], "n": 1}
    assert strikes == []


# --- no decision: failedAction ---------------------------------------------------------


def with_hive_down(
    monkeypatch: pytest.MonkeyPatch, stub: AblyStub, hive: FakeServer, failed_action: str
) -> Any:
    hive.script(*[ProviderReply(status=503)] * 5)
    policy = RuntimePolicy.model_validate(
        {
            "moderation": {
                "providers": [
                    {"name": "blocklist"},
                    {"name": "hive", "baseUrl": hive.url, "thresholds": {"sexual": 2}},
                ],
                "failedAction": failed_action,
                "maxRetries": 0,
            }
        }
    )
    return deployed(
        monkeypatch,
        stub,
        policy=policy,
        secrets={HIVE_KEY_PARAMETER: "hive-test-key"},
        env={"CHATMOD_PROVIDER_KEY_PARAMETERS": f"hive={HIVE_KEY_PARAMETER}"},
    )


def test_given_no_decision_and_failed_action_publish_then_published(
    monkeypatch, ably_stub, hive_server
):
    with with_hive_down(monkeypatch, ably_stub, hive_server, "publish"):
        status, body = post({"room": "lobby", "text": "hello"})

    assert status == 201
    assert set(body) == {"serial"}
    (stored,) = ably_stub.state.rooms["lobby"].values()
    # Published for want of a judgement: a before-publish rule may still judge it.
    assert JUDGED_HEADER not in stored["headers"]


@pytest.mark.parametrize("failed_action", ["reject", "defer"])
def test_given_no_decision_and_failed_action_reject_or_defer_then_503_nothing_sent(
    monkeypatch, ably_stub, hive_server, failed_action
):
    with with_hive_down(monkeypatch, ably_stub, hive_server, failed_action) as tables:
        status, body = post({"room": "lobby", "text": "hello"})
        strikes = strikes_of(tables, "alice")

    assert (status, body["error"]) == (503, "moderation_unavailable")
    assert sends(ably_stub) == []
    assert strikes == []


# --- Ably failures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "route"),
    [({"room": "lobby", "text": "hello"}, CHAT_SEND), ({"channel": "news", "data": "hi"}, None)],
    ids=["chat", "channel"],
)
def test_given_ably_answers_5xx_then_502_and_no_strike_or_audit(
    deployment, ably_stub, message, route
):
    path = route or CHANNEL_PUBLISH
    ably_stub.enqueue("POST", path, *[Reply.error(500, 50000, "boom")] * 5)

    status, body = post(message)

    assert status == 502
    assert body["error"] == "ably_error"
    assert body["ablyStatus"] == 500
    assert strikes_of(deployment, "alice") == []
    assert deployment.audit.scan()["Items"] == []
    assert ably_stub.state.rooms == {}
    assert ably_stub.state.channels == {}


def test_given_ably_refuses_a_rejected_message_is_never_sent(deployment, ably_stub):
    ably_stub.enqueue("POST", CHAT_SEND, Reply.error(500, 50000))

    status, _ = post({"room": "lobby", "text": "shit"})

    assert status == 422
    assert sends(ably_stub) == []


# --- idempotency -----------------------------------------------------------------------


def test_given_the_same_request_retried_with_its_key_then_one_chat_message_one_serial(
    deployment, ably_stub
):
    first = post({"room": "lobby", "text": "hello"}, key="req-1")
    second = post({"room": "lobby", "text": "hello"}, key="req-1")
    other = post({"room": "lobby", "text": "hello"}, key="req-2")

    assert first == second
    assert first[0] == other[0] == 201
    assert other[1]["serial"] != first[1]["serial"]
    assert len(ably_stub.state.rooms["lobby"]) == 2
    keys = [request.param("idempotencyKey") for request in sends(ably_stub)]
    assert keys[0] == keys[1] != keys[2]


def test_given_ably_stored_it_but_the_answer_was_lost_then_the_retry_gets_the_same_serial(
    deployment, ably_stub
):
    ably_stub.enqueue("POST", CHAT_SEND, *[Reply.error(502, 50000, process=True)] * 3)

    lost = post({"room": "lobby", "text": "hello"}, key="req-1")
    retried = post({"room": "lobby", "text": "hello"}, key="req-1")

    assert lost[0] == 502
    (stored,) = ably_stub.state.rooms["lobby"].values()
    assert retried == (201, {"serial": stored["serial"]})


def test_given_the_same_channel_request_retried_then_one_message_one_id(deployment, ably_stub):
    first = post({"channel": "news", "data": "hi"}, key="req-1")
    second = post({"channel": "news", "data": "hi"}, key="req-1")

    assert first == second
    assert first[0] == 201
    assert len(ably_stub.state.channels["news"]) == 1


def test_given_two_requests_without_a_key_then_two_messages(deployment, ably_stub):
    post({"room": "lobby", "text": "hello"})
    post({"room": "lobby", "text": "hello"})

    assert len(ably_stub.state.rooms["lobby"]) == 2


def test_given_a_different_body_under_the_same_key_then_a_different_message(deployment, ably_stub):
    first = post({"room": "lobby", "text": "hello"}, key="req-1")
    second = post({"room": "lobby", "text": "hello again"}, key="req-1")

    assert first[1]["serial"] != second[1]["serial"]


# --- cost ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("hello", ["BatchGetItem"]), ("shit", ["BatchGetItem", "TransactWriteItems"])],
    ids=["accepted", "rejected"],
)
def test_given_a_warm_function_then_the_pipelines_round_trips_only(deployment, text, expected):
    post({"room": "lobby", "text": "warm-up"})
    calls: list[str] = []
    aws.table("chatmod-test-bans").meta.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )

    post({"room": "lobby", "text": text})

    assert calls == expected


# --- end to end with a before-publish rule on the same room ----------------------------


def test_given_a_before_publish_rule_on_the_room_then_what_chatmod_sent_is_not_judged_again(
    monkeypatch, ably_stub
):
    from chatmod.handlers import before_publish

    policy = RuntimePolicy(moderation=ModerationPolicy(on_match="mask"))
    with deployed(monkeypatch, ably_stub, policy=policy):
        post({"room": "lobby", "text": "well shit happens"})
        (sent,) = ably_stub.state.rooms["lobby"].values()
        calls: list[str] = []
        aws.table("chatmod-test-bans").meta.client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
        )
        # What Ably asks the rule about the message chatmod just sent.
        asked = {
            "source": "chat.message",
            "appId": "appid",
            "room": "lobby",
            "site": "eu-west-1-A",
            "ruleId": "rule1",
            "message": {k: sent[k] for k in ("clientId", "text", "metadata", "headers")},
        }
        judged_once = before_publish.lambda_handler(asked, FakeLambdaContext())
        asked["message"]["text"] = "a different text"
        tampered = before_publish.lambda_handler(asked, FakeLambdaContext())

    assert json.loads(judged_once["body"]) == {"action": "accept"}
    # Each faced the ban check; neither struck (the tampered one was moderated: masked).
    assert calls == ["BatchGetItem", "BatchGetItem"]
    assert tampered["statusCode"] == 200
