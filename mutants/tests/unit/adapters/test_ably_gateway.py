"""The Ably gateway, driven through the real ably-python SDK against the loopback stub."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from ably.sync import api_version as sdk_api_version

from chatmod.adapters.ably import (
    AblyApiError,
    AblyConnectionError,
    AblyGateway,
    AblySettings,
    AblyTimeoutError,
    ChatMessage,
    build_sdk_client,
)
from chatmod.core.constants import CHATMOD_CLIENT_ID
from chatmod.core.errors import BadRequestError, UpstreamError
from tests.support.ably_stub import (
    FAKE_API_KEY,
    FAKE_KEY_NAME,
    FAKE_KEY_SECRET,
    AblyStub,
    Reply,
)

GatewayFactory = Callable[..., AblyGateway]

CHAT_SEND = re.compile(r"/chat/v4/rooms/[^/]+/messages")
CHAT_DELETE = re.compile(r"/chat/v4/rooms/[^/]+/messages/[^/]+/delete")
PUBLISH = re.compile(r"/channels/[^/]+/messages")
REVOKE = f"/keys/{FAKE_KEY_NAME}/revokeTokens"
REQUEST_TOKEN = f"/keys/{FAKE_KEY_NAME}/requestToken"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.fixture
def make_gateway(ably_stub: AblyStub) -> Iterator[GatewayFactory]:
    """Build gateways pointed at the stub (fast backoff); all closed afterwards."""
    made: list[AblyGateway] = []

    def factory(**overrides: Any) -> AblyGateway:
        gateway_kwargs = {
            key: overrides.pop(key) for key in ("sleep", "clock", "jitter") if key in overrides
        }
        values: dict[str, Any] = {
            "api_key": FAKE_API_KEY,
            "rest_host": "127.0.0.1",
            "port": ably_stub.port,
            "tls": False,
            "timeout_s": 2.0,
            "max_retries": 2,
            "budget_s": 5.0,
            "backoff_base_s": 0.01,
            "backoff_max_s": 0.05,
            "client_id": "chatmod",
        }
        values.update(overrides)
        gateway = AblyGateway(AblySettings(**values), **gateway_kwargs)
        made.append(gateway)
        return gateway

    yield factory
    for gateway in made:
        gateway.close()


@pytest.fixture
def gateway(make_gateway: GatewayFactory) -> AblyGateway:
    return make_gateway()


# -- settings and SDK configuration ----------------------------------------------------


def test_settings_never_show_the_key() -> None:
    settings = AblySettings(api_key=FAKE_API_KEY)
    assert FAKE_KEY_SECRET not in repr(settings)
    assert settings.key_name == FAKE_KEY_NAME


@pytest.mark.parametrize("bad", ["nocolon", "appid.keyid:", "nodot:secret", "a.b:c:d"])
def test_settings_reject_malformed_key_without_echoing_it(bad: str) -> None:
    with pytest.raises(ValueError, match="api_key must look like") as caught:
        AblySettings(api_key=bad)
    assert bad not in str(caught.value)


def test_settings_reject_dotless_host_the_sdk_would_rewrite() -> None:
    with pytest.raises(ValueError, match="rest_host"):
        AblySettings(api_key=FAKE_API_KEY, rest_host="ably-emulator")
    assert AblySettings(api_key=FAKE_API_KEY, rest_host="ably-emulator.").rest_host


def test_settings_from_env() -> None:
    env = {"CHATMOD_ABLY_REST_HOST": "127.0.0.1:8081", "CHATMOD_ABLY_TLS": "false"}
    settings = AblySettings.from_env(FAKE_API_KEY, env, max_retries=5)
    assert (settings.rest_host, settings.port, settings.tls) == ("127.0.0.1", 8081, False)
    assert settings.token_auth is True
    assert settings.max_retries == 5
    direct = AblySettings(api_key=FAKE_API_KEY, rest_host="localhost:9000", tls=False)
    assert (direct.rest_host, direct.port) == ("localhost", 9000)
    default = AblySettings.from_env(FAKE_API_KEY, {})
    assert (default.rest_host, default.port, default.tls) == (None, None, True)
    assert default.token_auth is False


def test_sdk_tries_one_host_only_and_no_fallbacks_for_a_custom_host() -> None:
    custom = build_sdk_client(AblySettings(api_key=FAKE_API_KEY, rest_host="127.0.0.1", tls=False))
    real = build_sdk_client(AblySettings(api_key=FAKE_API_KEY))
    try:
        assert custom.options.get_hosts() == ["127.0.0.1"]
        assert custom.options.get_fallback_hosts() == []
        # Real Ably: the primary endpoint only; the gateway's retries replace the
        # SDK's fallback-host loop so counts and deadlines hold.
        assert real.options.get_hosts() == ["main.realtime.ably.net"]
        assert custom.auth.auth_mechanism == "TOKEN"
        assert real.auth.auth_mechanism == "BASIC"
        # Basic auth headers are built locally: no network involved.
        assert real.auth._get_auth_headers()["Authorization"] == f"Basic {b64(FAKE_API_KEY)}"
    finally:
        custom.close()
        real.close()


def test_connection_pool_keeps_idle_connections(gateway: AblyGateway) -> None:
    client = gateway.sdk_client.http._HttpSync__client
    assert isinstance(client, httpx.Client)
    assert client._transport.inner._pool._keepalive_expiry == gateway.settings.keepalive_s


# -- chat ------------------------------------------------------------------------------


def test_send_chat_message_wire_format(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    sent = gateway.send_chat_message(
        "team/日本 b:c",
        "hello",
        metadata={"k": 1},
        headers={"h": "v"},
        client_id="user-1",
    )

    token_requests = ably_stub.requests_to(REQUEST_TOKEN)
    assert len(token_requests) == 1
    assert token_requests[0].json()["clientId"] == "*"
    [request] = ably_stub.requests_to(CHAT_SEND)
    assert request.method == "POST"
    assert request.raw_path == "/chat/v4/rooms/team%2F%E6%97%A5%E6%9C%AC%20b%3Ac/messages"
    assert request.header("X-Ably-Version") == "4"
    assert request.header("X-Ably-ClientId") == b64("user-1")
    assert request.header("Authorization").startswith("Bearer ")
    assert request.header("Content-Type") == "application/json"
    assert request.json() == {"text": "hello", "metadata": {"k": 1}, "headers": {"h": "v"}}
    # As @ably/chat 1.4 sends it: 9 random bytes, base64.
    [key] = request.query["idempotencyKey"]
    assert len(base64.b64decode(key, validate=True)) == 9
    stored = ably_stub.state.rooms["team/日本 b:c"][sent.serial]
    assert stored["clientId"] == "user-1"
    # Read from Ably's 200 answer: the whole message (RestMessage).
    assert sent == ChatMessage.from_rest(stored)
    assert (sent.action, sent.text, sent.client_id) == ("message.create", "hello", "user-1")
    assert (sent.metadata, sent.headers) == ({"k": 1}, {"h": "v"})
    assert sent.version_serial == sent.serial
    assert isinstance(sent.timestamp, int)
    assert sent.created_at == sent.timestamp


def test_send_without_a_serial_in_the_answer_is_an_error(
    ably_stub: AblyStub, gateway: AblyGateway
) -> None:
    ably_stub.enqueue("POST", CHAT_SEND, Reply(201, {"createdAt": 1}))
    with pytest.raises(AblyApiError, match="no message serial"):
        gateway.send_chat_message("r", "hi", client_id="u")


def test_send_chat_message_defaults_metadata_and_headers(
    ably_stub: AblyStub,
    gateway: AblyGateway,
) -> None:
    gateway.send_chat_message("r", "hi", client_id="u")
    [request] = ably_stub.requests_to(CHAT_SEND)
    assert request.json() == {"text": "hi", "metadata": {}, "headers": {}}


def test_dot_segments_are_encoded_not_resolved(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    gateway.send_chat_message("..", "hi", client_id="u")
    assert ably_stub.requests[-1].raw_path == "/chat/v4/rooms/%2E%2E/messages"


def test_delete_chat_message_wire_format(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    room = "lobby 1"
    sent = gateway.send_chat_message(room, "bad words", client_id="user-1")
    assert {"@", ":", "-"} <= set(sent.serial)

    answer = gateway.delete_chat_message(room, sent.serial, "abusive", metadata={"by": "auto"})

    [request] = ably_stub.requests_to(CHAT_DELETE)
    encoded_serial = sent.serial.replace("@", "%40").replace(":", "%3A")
    assert request.method == "POST"
    assert request.raw_path == f"/chat/v4/rooms/lobby%201/messages/{encoded_serial}/delete"
    assert request.header("X-Ably-Version") == "4"
    # Acting as chatmod's own identity (settings.client_id).
    assert request.header("X-Ably-ClientId") == b64("chatmod")
    assert request.json() == {"description": "abusive", "metadata": {"by": "auto"}}
    assert request.param("idempotencyKey")
    assert answer["action"] == "message.delete"
    assert answer["version"]["description"] == "abusive"
    assert answer["version"]["clientId"] == "chatmod"
    assert ChatMessage.from_rest(answer).serial == sent.serial
    assert ably_stub.state.rooms[room][sent.serial]["action"] == "message.delete"


def test_update_chat_message_wire_format(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    sent = gateway.send_chat_message("r", "helo", metadata={"m": 1}, client_id="user-1")

    answer = gateway.update_chat_message(
        "r",
        sent.serial,
        "hello",
        headers={"edited": "yes"},
        description="typo",
        operation_metadata={"by": "user-1"},
        client_id="user-1",
    )

    [request] = ably_stub.requests_to(method="PUT")
    assert request.raw_path == "/chat/v4/rooms/r/messages/" + sent.serial.replace(
        "@", "%40"
    ).replace(":", "%3A")
    assert request.header("X-Ably-Version") == "4"
    assert request.header("X-Ably-ClientId") == b64("user-1")
    assert request.param("idempotencyKey")
    # @ably/chat's UpdateMessageParams: metadata omitted = removed.
    assert request.json() == {
        "message": {"text": "hello", "headers": {"edited": "yes"}},
        "description": "typo",
        "metadata": {"by": "user-1"},
    }
    updated = ChatMessage.from_rest(answer)
    assert (updated.serial, updated.action, updated.text) == (
        sent.serial,
        "message.update",
        "hello",
    )
    assert (updated.metadata, updated.headers) == ({}, {"edited": "yes"})
    assert updated.version_serial != sent.serial


def test_chat_retry_carries_the_same_idempotency_key_so_ably_stores_once(
    ably_stub: AblyStub, gateway: AblyGateway
) -> None:
    # Ably stored the message but the answer was lost: the retry must not post twice.
    ably_stub.enqueue("POST", CHAT_SEND, Reply(drop=True, process=True))
    sent = gateway.send_chat_message("r", "once", client_id="u")
    requests = ably_stub.requests_to(CHAT_SEND)
    assert len(requests) == 2
    assert requests[0].param("idempotencyKey") == requests[1].param("idempotencyKey")
    assert list(ably_stub.state.rooms["r"]) == [sent.serial]


def test_caller_idempotency_key_makes_a_resend_one_message(
    ably_stub: AblyStub, gateway: AblyGateway
) -> None:
    first = gateway.send_chat_message("r", "hi", client_id="u", idempotency_key="req-1")
    again = gateway.send_chat_message("r", "hi", client_id="u", idempotency_key="req-1")
    assert first == again
    assert len(ably_stub.state.rooms["r"]) == 1
    with pytest.raises(BadRequestError):
        gateway.send_chat_message("r", "hi", client_id="u", idempotency_key="")


def test_delete_unknown_message_is_a_typed_404_not_retried(
    ably_stub: AblyStub,
    gateway: AblyGateway,
) -> None:
    with pytest.raises(AblyApiError) as caught:
        gateway.delete_chat_message("r", "0-0@x:0", "why")
    assert (caught.value.http_status, caught.value.ably_code) == (404, 40400)
    assert len(ably_stub.requests_to(CHAT_DELETE)) == 1


# -- pub/sub ---------------------------------------------------------------------------


def test_publish_on_behalf_of_a_connection(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    published = gateway.publish(
        "chat:room 1",
        "message",
        {"text": "hi"},
        client_id="user-1",
        connection_key="conn-key-123",
    )

    [request] = ably_stub.requests_to(PUBLISH)
    assert request.method == "POST"
    assert request.raw_path == "/channels/chat%3Aroom%201/messages"
    assert request.header("X-Ably-Version") == sdk_api_version
    assert request.header("X-Ably-ClientId") is None
    assert request.json() == {
        "name": "message",
        "clientId": "user-1",
        "connectionKey": "conn-key-123",
        "id": published.message_id,
        "data": json.dumps({"text": "hi"}),
        "encoding": "json",
    }
    assert (
        published.serial == ably_stub.state.channels["chat:room 1"][published.message_id]["serial"]
    )


def test_publish_encodes_bytes_and_rejects_other_data(
    ably_stub: AblyStub,
    gateway: AblyGateway,
) -> None:
    gateway.publish("c", "bin", b"\x00\x01", message_id="fixed:0")
    body = ably_stub.requests_to(PUBLISH)[-1].json()
    assert (body["data"], body["encoding"], body["id"]) == ("AAE=", "base64", "fixed:0")
    with pytest.raises(BadRequestError):
        gateway.publish("c", "num", 42)
    assert len(ably_stub.requests_to(PUBLISH)) == 1


def test_publish_moderation_event_skips_integration_rules(
    ably_stub: AblyStub,
    gateway: AblyGateway,
) -> None:
    gateway.publish_moderation_event(
        "room::$chat", "moderation.deleted", {"serial": "s"}, extras={"headers": {"x": "1"}}
    )
    [request] = ably_stub.requests_to(PUBLISH)
    assert request.raw_path == "/channels/room%3A%3A%24chat/messages"
    body = request.json()
    assert body["extras"] == {"headers": {"x": "1"}, "privileged": {"skipRule": "*"}}
    # Always chatmod's reserved id, whatever settings.client_id ("chatmod" here) says.
    assert body["clientId"] == CHATMOD_CLIENT_ID
    assert "connectionKey" not in body


def test_publish_retry_reuses_the_id_so_ably_stores_once(
    ably_stub: AblyStub,
    gateway: AblyGateway,
) -> None:
    # Ably did the work but the answer was a 503: the retry must not duplicate.
    ably_stub.enqueue("POST", PUBLISH, Reply.error(503, 50300, process=True))
    published = gateway.publish("c", "n", "d")
    ids = [request.json()["id"] for request in ably_stub.requests_to(PUBLISH)]
    assert ids == [published.message_id, published.message_id]
    assert list(ably_stub.state.channels["c"]) == [published.message_id]


# -- retries, errors and deadlines --------------------------------------------------------


def test_retries_503_then_succeeds(ably_stub: AblyStub, make_gateway: GatewayFactory) -> None:
    delays: list[float] = []
    gateway = make_gateway(sleep=delays.append)
    ably_stub.enqueue("POST", CHAT_SEND, Reply.error(503, 50300, "overloaded"))
    sent = gateway.send_chat_message("r", "hi", client_id="u")
    assert len(ably_stub.requests_to(CHAT_SEND)) == 2
    assert sent.serial in ably_stub.state.rooms["r"]
    assert len(delays) == 1


def test_retries_429_honouring_retry_after(
    ably_stub: AblyStub,
    make_gateway: GatewayFactory,
) -> None:
    delays: list[float] = []
    gateway = make_gateway(sleep=delays.append)
    ably_stub.enqueue(
        "POST", CHAT_SEND, Reply.error(429, 42910, "rate limit", headers={"Retry-After": "0.3"})
    )
    gateway.send_chat_message("r", "hi", client_id="u")
    assert len(ably_stub.requests_to(CHAT_SEND)) == 2
    assert delays == [pytest.approx(0.3)]


def test_400_is_not_retried_and_carries_ablys_code(
    ably_stub: AblyStub,
    gateway: AblyGateway,
) -> None:
    ably_stub.enqueue("POST", CHAT_SEND, Reply.error(400, 40003, "invalid text"))
    with pytest.raises(AblyApiError) as caught:
        gateway.send_chat_message("r", "hi", client_id="u")
    error = caught.value
    assert isinstance(error, UpstreamError)
    assert error.status == 502
    assert (error.ably_code, error.http_status) == (40003, 400)
    assert "invalid text" in error.message
    assert error.to_body()["ablyCode"] == 40003
    assert len(ably_stub.requests_to(CHAT_SEND)) == 1


def test_gives_up_after_max_retries(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    ably_stub.enqueue("POST", PUBLISH, *[Reply.error(503, 50300)] * 5)
    with pytest.raises(AblyApiError) as caught:
        gateway.publish("c", "n", "d")
    assert caught.value.http_status == 503
    assert len(ably_stub.requests_to(PUBLISH)) == 3  # 1 + max_retries


def test_error_without_json_body_uses_status(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    ably_stub.enqueue(
        "POST", PUBLISH, Reply(404, raw=b"<html>nope</html>", content_type="text/html")
    )
    with pytest.raises(AblyApiError) as caught:
        gateway.publish("c", "n", "d")
    assert (caught.value.http_status, caught.value.ably_code) == (404, None)


def test_no_retry_past_the_deadline(ably_stub: AblyStub, make_gateway: GatewayFactory) -> None:
    gateway = make_gateway(max_retries=50, backoff_base_s=0.05, backoff_max_s=0.05)
    ably_stub.enqueue("POST", PUBLISH, *[Reply.error(503, 50300)] * 60)
    started = time.monotonic()
    with pytest.raises(AblyApiError):
        gateway.publish("c", "n", "d", deadline=started + 0.3)
    elapsed = time.monotonic() - started
    assert elapsed < 0.3 + 0.5  # 50 retries would take 2.5 s
    assert 2 <= len(ably_stub.requests_to(PUBLISH)) < 51


def test_slow_answer_is_cut_at_the_deadline(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    gateway.send_chat_message("r", "warm up", client_id="u")  # token and connection ready
    ably_stub.enqueue("POST", CHAT_SEND, Reply(200, {"serial": "late"}, delay_s=1.5))
    started = time.monotonic()
    with pytest.raises(AblyTimeoutError):
        gateway.send_chat_message("r", "hi", client_id="u", deadline=started + 0.3)
    assert time.monotonic() - started < 0.3 + 0.5  # the answer would take 1.5 s
    # The deadline left no time for a retry.
    assert len(ably_stub.requests_to(CHAT_SEND)) == 2


def test_idempotent_call_retries_timeouts_within_the_deadline(
    ably_stub: AblyStub,
    make_gateway: GatewayFactory,
) -> None:
    gateway = make_gateway(timeout_s=0.2, max_retries=1)
    ably_stub.enqueue("POST", PUBLISH, Reply(201, {"serials": ["x"]}, delay_s=3.0))
    started = time.monotonic()
    published = gateway.publish("c", "n", "d")
    assert time.monotonic() - started < 2.0  # did not wait for the 3 s answer
    assert [r.json()["id"] for r in ably_stub.requests_to(PUBLISH)] == [published.message_id] * 2


def test_expired_deadline_makes_no_request(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    with pytest.raises(AblyTimeoutError):
        gateway.publish("c", "n", "d", deadline=time.monotonic() - 1)
    assert ably_stub.requests == []


def test_dropped_connection_retried_only_when_idempotent(
    ably_stub: AblyStub,
    gateway: AblyGateway,
) -> None:
    ably_stub.enqueue("POST", PUBLISH, Reply(drop=True))
    with pytest.raises(AblyConnectionError):
        gateway.connection.request(
            "test",
            "POST",
            "/channels/c/messages",
            body={"name": "n"},
            idempotent=False,
            deadline=None,
        )
    assert len(ably_stub.requests_to(PUBLISH)) == 1

    ably_stub.enqueue("POST", PUBLISH, Reply(drop=True))
    gateway.publish("c", "n", "d")
    assert len(ably_stub.requests_to(PUBLISH)) == 3


def test_unreachable_host_retries_then_raises_connection_error(
    make_gateway: GatewayFactory,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    delays: list[float] = []
    gateway = make_gateway(port=free_port, sleep=delays.append)
    with pytest.raises(AblyConnectionError):
        gateway.send_chat_message("r", "hi", client_id="u")  # connect errors are safe to retry
    assert len(delays) == gateway.settings.max_retries


def test_expired_token_is_renewed_once(ably_stub: AblyStub, make_gateway: GatewayFactory) -> None:
    delays: list[float] = []
    gateway = make_gateway(sleep=delays.append)
    gateway.send_chat_message("r", "one", client_id="u")
    ably_stub.expire_tokens()
    gateway.send_chat_message("r", "two", client_id="u")
    assert [r.raw_path for r in ably_stub.requests] == [
        REQUEST_TOKEN,
        "/chat/v4/rooms/r/messages",
        "/chat/v4/rooms/r/messages",  # 401 40142
        REQUEST_TOKEN,
        "/chat/v4/rooms/r/messages",
    ]
    assert delays == []


def test_fifty_invocations_each_in_its_own_event_loop(
    ably_stub: AblyStub,
    gateway: AblyGateway,
) -> None:
    # The gateway lives at module level in a Lambda; every invocation may run its
    # own asyncio.run(). The async ably client breaks here ("Event loop is closed").
    async def invocation(index: int) -> str:
        if index % 2:
            sent = await asyncio.to_thread(
                gateway.send_chat_message, "r", f"m{index}", client_id="u"
            )
        else:
            sent = gateway.send_chat_message("r", f"m{index}", client_id="u")
        return sent.serial

    serials = [asyncio.run(invocation(index)) for index in range(50)]

    assert len(set(serials)) == 50
    chat_requests = ably_stub.requests_to(CHAT_SEND)
    assert [r.json()["text"] for r in chat_requests] == [f"m{i}" for i in range(50)]
    assert len(ably_stub.requests_to(REQUEST_TOKEN)) == 1
    # One TCP connection for everything: the pool is reused across invocations.
    assert len({r.client_port for r in ably_stub.requests}) == 1


def test_calls_from_two_threads_overlap_on_the_wire(
    ably_stub: AblyStub,
    make_gateway: GatewayFactory,
) -> None:
    # The async path runs many gateway calls at once from threads. Each stubbed
    # answer waits at a barrier for the other request: both pass only if the two
    # requests are in flight together. A gateway that held a lock across the
    # request would leave the first waiting alone until the barrier broke (3 s,
    # well within the 5 s attempt timeout).
    gateway = make_gateway(timeout_s=5.0, budget_s=10.0, max_retries=0)
    gateway.send_chat_message("r", "warm up", client_id="u")  # token ready
    barrier = threading.Barrier(2, timeout=3.0)
    met: list[bool] = []

    def meet(_request: object) -> None:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            met.append(False)
        else:
            met.append(True)

    slow = Reply(201, {"serials": ["s"]}, on_request=meet, delay_s=0.3)
    ably_stub.enqueue("POST", PUBLISH, slow, slow)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(gateway.publish, "c", "n", str(i)) for i in range(2)]
        published = [future.result(timeout=30) for future in futures]

    assert met == [True, True]
    assert [p.serial for p in published] == ["s", "s"]


def test_key_secret_never_reaches_logs_or_errors(
    ably_stub: AblyStub,
    gateway: AblyGateway,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    ably_stub.enqueue("POST", CHAT_SEND, Reply.error(503, 50300), Reply.error(400, 40000))
    with pytest.raises(AblyApiError) as caught:
        gateway.send_chat_message("r", "hi", client_id="u")
    assert any("retry 1 of 2" in record.getMessage() for record in caplog.records)
    assert FAKE_KEY_SECRET not in caplog.text
    assert FAKE_KEY_SECRET not in str(caught.value.to_body())


# -- token revocation -----------------------------------------------------------------


def test_revoke_tokens_batches_of_100(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    ids = [f"user-{i}" for i in range(250)]
    result = gateway.revoke_tokens(ids)

    requests = ably_stub.requests_to(REVOKE)
    assert [r.method for r in requests] == ["POST"] * 3
    targets = [r.json()["targets"] for r in requests]
    assert [len(t) for t in targets] == [100, 100, 50]
    assert [t for batch in targets for t in batch] == [f"clientId:{i}" for i in ids]
    assert all(set(r.json()) == {"targets"} for r in requests)
    # Ably refuses revokeTokens over token auth (40162): the key goes along even
    # though this gateway (plain HTTP) uses a token for everything else.
    assert {r.header("Authorization") for r in requests} == {f"Basic {b64(FAKE_API_KEY)}"}
    assert result.ok
    assert result.revoked == tuple(ids)
    assert result.failed == ()


def test_revoke_tokens_options_and_dedupe(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    when = datetime(2030, 1, 1, tzinfo=UTC)
    gateway.revoke_tokens(["a", "b", "a"], issued_before=when, allow_reauth_margin=True)
    [request] = ably_stub.requests_to(REVOKE)
    assert request.json() == {
        "targets": ["clientId:a", "clientId:b"],
        "issuedBefore": int(when.timestamp() * 1000),
        "allowReauthMargin": True,
    }


def test_revoke_tokens_reports_partial_failure(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    batch_result = {
        "successCount": 1,
        "failureCount": 1,
        "results": [
            {"target": "clientId:alice", "issuedBefore": 1, "appliesAt": 2},
            {
                "target": "clientId:bob",
                "error": {"code": 40000, "statusCode": 400, "message": "bad target"},
            },
        ],
    }
    ably_stub.enqueue("POST", REVOKE, Reply(201, batch_result))
    result = gateway.revoke_tokens(["alice", "bob"])
    assert result.revoked == ("alice",)
    assert result.failed_client_ids == ("bob",)
    assert (result.failed[0].ably_code, result.failed[0].http_status) == (40000, 400)
    assert not result.ok


@pytest.mark.parametrize(
    ("reply", "failed"),
    [
        (Reply(201, [{"target": "clientId:alice"}, {"target": "clientId:bob"}]), ()),
        (Reply(201), ()),
        (
            Reply(
                400,
                {
                    "error": {"code": 40020, "statusCode": 400, "message": "batch errors"},
                    "batchResponse": [
                        {"target": "clientId:alice"},
                        {"target": "clientId:bob", "error": {"code": 40160, "statusCode": 401}},
                    ],
                },
            ),
            ("bob",),
        ),
    ],
    ids=["legacy-list", "empty-201", "legacy-batch-400"],
)
def test_revoke_tokens_understands_older_answer_shapes(
    ably_stub: AblyStub,
    gateway: AblyGateway,
    reply: Reply,
    failed: tuple[str, ...],
) -> None:
    ably_stub.enqueue("POST", REVOKE, reply)
    result = gateway.revoke_tokens(["alice", "bob"])
    assert result.failed_client_ids == failed
    assert len(ably_stub.requests_to(REVOKE)) == 1


def test_revoke_tokens_failed_batch_does_not_stop_the_others(
    ably_stub: AblyStub,
    gateway: AblyGateway,
) -> None:
    ids = [f"u{i}" for i in range(250)]
    # The first batch goes through the defaults; the second is refused.
    ably_stub.enqueue("POST", REVOKE, Reply(201), Reply.error(401, 40160, "not permitted"))
    result = gateway.revoke_tokens(ids)
    assert result.failed_client_ids == tuple(ids[100:200])
    assert {f.ably_code for f in result.failed} == {40160}
    assert result.revoked == tuple(ids[:100] + ids[200:])
    assert len(ably_stub.requests_to(REVOKE)) == 3


def test_revoke_tokens_refuses_the_wildcard(gateway: AblyGateway) -> None:
    with pytest.raises(BadRequestError):
        gateway.revoke_tokens(["ok", "*"])


# -- token requests ---------------------------------------------------------------------


def test_create_token_request_is_signed_locally(ably_stub: AblyStub, gateway: AblyGateway) -> None:
    capability = {"room-1": ["publish", "subscribe"], "room-1::$chat": ["history"]}
    token_request = gateway.create_token_request("user-1", capability, 3_600_000)

    assert ably_stub.requests == []  # no network call
    assert list(token_request) == [
        "keyName",
        "ttl",
        "capability",
        "clientId",
        "timestamp",
        "nonce",
        "mac",
    ]
    assert token_request["keyName"] == FAKE_KEY_NAME
    assert token_request["ttl"] == 3_600_000
    assert token_request["clientId"] == "user-1"
    assert json.loads(token_request["capability"]) == {
        "room-1": ["publish", "subscribe"],
        "room-1::$chat": ["history"],
    }
    assert abs(token_request["timestamp"] - time.time() * 1000) < 5_000
    # Recompute the mac over Ably's documented field order, independently.
    sign_text = "".join(
        f"{token_request[name]}\n"
        for name in ("keyName", "ttl", "capability", "clientId", "timestamp", "nonce")
    )
    expected = base64.b64encode(
        hmac.new(FAKE_KEY_SECRET.encode(), sign_text.encode(), hashlib.sha256).digest()
    ).decode()
    assert token_request["mac"] == expected

    # And Ably (the stub) exchanges it for a token bound to the user.
    answer = httpx.post(f"{ably_stub.base_url}{REQUEST_TOKEN}", json=token_request)
    assert answer.status_code == 200
    assert answer.json()["clientId"] == "user-1"


def test_create_token_request_nonces_differ(gateway: AblyGateway) -> None:
    first = gateway.create_token_request("u", {"r": ["publish"]}, 60_000)
    second = gateway.create_token_request("u", {"r": ["publish"]}, 60_000)
    assert first["nonce"] != second["nonce"]
    assert first["mac"] != second["mac"]


@pytest.mark.parametrize(
    ("client_id", "capability", "ttl_ms"),
    [
        ("*", {"r": ["publish"]}, 60_000),
        ("", {"r": ["publish"]}, 60_000),
        ("u", {}, 60_000),
        ("u", {"r": "publish"}, 60_000),
        ("u", {"r": ["publish"]}, 0),
        ("u", {"r": ["publish"]}, 3_600_001),  # revocable tokens live at most an hour
    ],
)
def test_create_token_request_rejects_bad_input(
    gateway: AblyGateway, client_id: str, capability: Any, ttl_ms: int
) -> None:
    with pytest.raises(BadRequestError):
        gateway.create_token_request(client_id, capability, ttl_ms)
