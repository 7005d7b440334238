"""The Ably emulator: capabilities, the channel rule, the before-publish rule.

Driven with ably-python (``AblyRestSync``, the client chatmod uses) and chatmod's own
TokenRequests; the before-publish rule calls a loopback fake rule server.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from ably.sync import AblyRestSync

from chatmod.adapters.ably import AblyApiError, AblyGateway, AblySettings
from chatmod_local.ably_emulator import AblyEmulator, BeforePublishRule, EmulatorKey
from chatmod_local.ably_rules import CHANNEL_RULE_ID
from chatmod_local.ably_wire import (
    capability_text,
    intersect_capabilities,
    parse_capability,
    resource_matches,
)
from tests.support.ably_stub import FAKE_API_KEY, FAKE_KEY_NAME, FAKE_KEY_SECRET
from tests.support.fake_providers import FakeServer, Reply, model_responder

KEYS = {FAKE_KEY_NAME: FAKE_KEY_SECRET}
HOUR_MS = 3_600_000
USER = {"*": ["publish", "subscribe", "history", "message-update-own", "message-delete-own"]}

Capability = dict[str, list[str]]


@pytest.fixture
def forwarded() -> list[str]:
    """The bodies the channel rule delivered."""
    return []


@pytest.fixture
def emulator(forwarded: list[str]) -> Iterator[AblyEmulator]:
    with AblyEmulator(keys=KEYS, on_channel_message=forwarded.append) as started:
        yield started


@pytest.fixture
def gateway(emulator: AblyEmulator) -> Iterator[AblyGateway]:
    settings = AblySettings(
        api_key=FAKE_API_KEY, rest_host=emulator.host, port=emulator.port, tls=False
    )
    with AblyGateway(settings) as made:
        yield made


@pytest.fixture
def client_for(
    emulator: AblyEmulator, gateway: AblyGateway
) -> Iterator[Callable[[str, Capability], AblyRestSync]]:
    """ably-python as ``client_id`` with a token of ``capability`` (from chatmod's TokenRequests)."""
    clients: list[AblyRestSync] = []

    def make(client_id: str, capability: Capability) -> AblyRestSync:
        client = AblyRestSync(
            auth_callback=lambda _params: gateway.create_token_request(
                client_id, capability, HOUR_MS
            ),
            endpoint=emulator.host,
            port=emulator.port,
            tls=False,
            fallback_hosts=[],
            use_binary_protocol=False,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def rule_server() -> Iterator[FakeServer]:
    """A loopback before-publish rule: accepts unless scripted."""
    with FakeServer(model_responder()) as server:
        yield server


def rule(server: FakeServer, **options: Any) -> BeforePublishRule:
    return BeforePublishRule(
        url=f"{server.url}/before-publish", headers={"authorization": "Bearer s3cret"}, **options
    )


def chat_path(room: str, *rest: str) -> str:
    return "/".join(["/chat/v4/rooms", quote(room, safe=""), "messages", *rest])


def send(client: AblyRestSync, room: str, text: str, **body: Any) -> Any:
    return client.request("POST", chat_path(room), "4", None, {"text": text, **body})


def error_of(response: Any) -> dict[str, Any]:
    """The Ably error envelope of a failed ably-python ``request``."""
    assert not response.success
    error: dict[str, Any] = response.response.json()["error"]
    assert str(error["code"]) == response.error_code  # the header repeats it
    return error


def envelopes(forwarded: list[str]) -> list[dict[str, Any]]:
    return [json.loads(body) for body in forwarded]


# -- the interface ----------------------------------------------------------------------


def test_given_port_zero_when_started_then_it_serves_on_a_free_port_until_stopped() -> None:
    emulator = AblyEmulator(keys=KEYS).start()
    try:
        assert emulator.url == f"http://127.0.0.1:{emulator.port}"
        assert emulator.port > 0
        with socket.create_connection((emulator.host, emulator.port), timeout=2):
            pass
    finally:
        emulator.stop()
    with pytest.raises(RuntimeError):
        _ = emulator.port


def test_given_a_fixed_port_when_started_then_it_binds_that_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    with AblyEmulator(keys=KEYS, port=free) as emulator:
        assert emulator.port == free


def test_given_no_keys_when_made_then_it_refuses() -> None:
    with pytest.raises(ValueError, match="key"):
        AblyEmulator(keys={})


# -- capabilities ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "channel", "matches"),
    [
        ("*", "lobby", True),
        ("*", "dms:a:b", True),
        ("*", "[meta]log", False),
        ("[*]*", "[meta]log", True),
        ("lobby", "lobby", True),
        ("lobby", "lobby2", False),
        ("dms:*", "dms:alice", True),
        ("dms:*", "dms:alice:bob", True),
        ("dms:*", "dms", False),
        ("foo:*:baz", "foo:bar:baz", True),
        ("foo:*:baz", "foo:bar:bam:baz", False),
        ("foo*", "foobar", False),
        ("foo*", "foo*", True),
    ],
)
def test_resources_match_channels_segment_by_segment(
    resource: str, channel: str, matches: bool
) -> None:
    # https://ably.com/docs/auth/capabilities: "Resource names and wildcards".
    assert resource_matches(resource, channel) is matches


# The key capabilities of Ably's own test app (ably-common test-resources,
# test-app-setup.json, abridged) as ably-js ``test/rest/capability.test.js`` uses them.
KEY_1 = {
    "canpublish:*": ["publish"],
    "canpublish:andpresence": ["presence", "publish"],
    "cansubscribe:*": ["subscribe"],
}
KEY_2 = {"channel2": ["publish", "subscribe"], "channel6": ["*"], "channel3": ["subscribe"]}
KEY_3 = {"*": ["subscribe"]}


@pytest.mark.parametrize(
    ("requested", "key", "expected"),
    [
        ({"*": ["*"]}, KEY_1, KEY_1),  # blanket intersection: the key's own
        (KEY_1, KEY_1, KEY_1),
        ({"channel2": ["presence", "subscribe"]}, KEY_2, {"channel2": ["subscribe"]}),
        (
            {"channel2": ["presence", "subscribe"], "channelx": ["subscribe"]},
            KEY_2,
            {"channel2": ["subscribe"]},
        ),
        ({"channel2": ["*"]}, KEY_2, {"channel2": ["publish", "subscribe"]}),
        ({"channel6": ["publish", "subscribe"]}, KEY_2, {"channel6": ["publish", "subscribe"]}),
        ({"cansubscribe": ["subscribe"]}, KEY_3, {"cansubscribe": ["subscribe"]}),
        ({"canpublish:check": ["publish"]}, KEY_1, {"canpublish:check": ["publish"]}),
        ({"cansubscribe:*": ["subscribe"]}, KEY_3, {"cansubscribe:*": ["subscribe"]}),
        ({"canpublish:test": ["subscribe"]}, KEY_1, {}),  # empty ops intersection
        ({"channelx": ["publish"]}, KEY_2, {}),  # empty paths intersection
    ],
)
def test_a_tokens_capability_is_the_intersection_with_its_keys(
    requested: Capability, key: Capability, expected: Capability
) -> None:
    # ably-js test/rest/capability.test.js, against Ably's sandbox.
    intersection = intersect_capabilities(
        parse_capability(json.dumps(requested)), parse_capability(json.dumps(key))
    )
    assert json.loads(capability_text(intersection)) == {
        resource: sorted(operations) for resource, operations in expected.items()
    }


def test_given_a_token_for_one_room_when_sending_elsewhere_then_40160(
    client_for: Callable[[str, Capability], AblyRestSync], emulator: AblyEmulator
) -> None:
    client = client_for("alice", {"lobby": ["publish"]})

    allowed = send(client, "lobby", "hi")
    denied = send(client, "staff", "hi")

    assert allowed.status_code == 200
    assert denied.status_code == 401
    assert error_of(denied)["code"] == 40160
    assert [m["text"] for m in emulator.chat_messages("lobby")] == ["hi"]
    assert emulator.chat_messages("staff") == []


def test_given_chat_capabilities_on_bare_room_names_then_the_chat_channel_is_covered(
    client_for: Callable[[str, Capability], AblyRestSync],
) -> None:
    # Chat capabilities are granted on room names, not on "<room>::$chat".
    client = client_for("alice", {"dms:*": ["publish"], "lobby::$chat": ["publish", "history"]})

    assert send(client, "dms:alice:bob", "hi").status_code == 200
    assert send(client, "lobby", "hi").status_code == 401


def test_given_no_history_operation_when_reading_history_then_40160(
    client_for: Callable[[str, Capability], AblyRestSync],
) -> None:
    client = client_for("alice", {"news:*": ["publish"]})
    channel = client.channels.get("news:1")
    channel.publish("n", "x")

    history = client.request("GET", "/channels/news%3A1/messages", "3")
    chat_history = client.request("GET", chat_path("news:1"), "4")

    assert error_of(history)["code"] == 40160
    assert error_of(chat_history)["code"] == 40160


def test_given_update_own_when_editing_another_users_message_then_40160(
    client_for: Callable[[str, Capability], AblyRestSync],
) -> None:
    alice = client_for("alice", USER)
    bob = client_for("bob", USER)
    moderator = client_for("mod", {"*": ["message-update-any", "message-delete-any"]})
    serial = quote(send(alice, "lobby", "hi").items[0]["serial"], safe="")
    edit = {"message": {"text": "edited"}}

    by_bob = bob.request("PUT", chat_path("lobby", serial), "4", None, edit)
    by_alice = alice.request("PUT", chat_path("lobby", serial), "4", None, edit)
    bob_deletes = bob.request("POST", chat_path("lobby", serial, "delete"), "4", None, {})
    mod_deletes = moderator.request("POST", chat_path("lobby", serial, "delete"), "4", None, {})

    assert error_of(by_bob)["code"] == 40160
    assert by_alice.status_code == 200
    assert error_of(bob_deletes)["code"] == 40160
    assert mod_deletes.items[0]["action"] == "message.delete"


def test_given_no_privileged_headers_when_publishing_skip_rule_extras_then_40160(
    client_for: Callable[[str, Capability], AblyRestSync],
    gateway: AblyGateway,
    emulator: AblyEmulator,
) -> None:
    client = client_for("alice", {"*": ["publish"]})
    body = {"name": "e", "data": "x", "extras": {"privileged": {"skipRule": "*"}}}

    refused = client.request("POST", "/channels/events/messages", "3", None, body)
    # chatmod's gateway uses the key's own capability ({"*": ["*"]}).
    gateway.publish_moderation_event("events", "e", {"x": 1})

    assert error_of(refused)["code"] == 40160
    assert [m["name"] for m in emulator.messages("events")] == ["e"]


def test_given_a_key_without_privileged_headers_then_chatmods_moderation_events_get_40160() -> None:
    # What chatmod meets with a production key set up without privileged-headers:
    # its own token (asked without a capability) gets the key's, so skipRule is refused.
    key = EmulatorKey(FAKE_KEY_SECRET, capability='{"*":["publish","subscribe","history"]}')
    with AblyEmulator(keys={FAKE_KEY_NAME: key}) as emulator:
        settings = AblySettings(
            api_key=FAKE_API_KEY, rest_host=emulator.host, port=emulator.port, tls=False
        )
        with AblyGateway(settings) as gateway:
            gateway.publish("events", "plain", {"x": 1})
            with pytest.raises(AblyApiError) as refused:
                gateway.publish_moderation_event("events", "moderation", {"x": 1})
        [token] = emulator.state.tokens.values()
        assert json.loads(token.capability) == {"*": ["history", "publish", "subscribe"]}
        assert [m["name"] for m in emulator.messages("events")] == ["plain"]
    assert (refused.value.ably_code, refused.value.http_status) == (40160, 401)


def test_given_a_key_with_a_capability_then_basic_auth_is_bounded_by_it() -> None:
    key = EmulatorKey(FAKE_KEY_SECRET, capability='{"lobby":["publish"]}')
    with AblyEmulator(keys={FAKE_KEY_NAME: key}) as emulator:
        basic = {"authorization": "Basic " + base64.b64encode(FAKE_API_KEY.encode()).decode()}
        with httpx.Client(base_url=emulator.url, headers=basic) as http:
            allowed = http.post("/channels/lobby/messages", json={"name": "n", "data": "x"})
            denied = http.post("/channels/staff/messages", json={"name": "n", "data": "x"})
            history = http.get("/channels/lobby/messages")

    assert allowed.status_code == 201
    for refused in (denied, history):
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, 40160)


def test_given_a_malformed_key_capability_then_the_key_is_refused() -> None:
    with pytest.raises(ValueError, match="list of operations"):
        EmulatorKey(FAKE_KEY_SECRET, capability='{"*":"publish"}')


def test_given_a_token_for_one_client_when_claiming_another_then_40102(
    client_for: Callable[[str, Capability], AblyRestSync], emulator: AblyEmulator
) -> None:
    # X-Ably-ClientId naming a client the token does not permit: 40102 "Invalid
    # clientId for credentials" (ably-common errors/codes/40102.md).
    client = client_for("alice", USER)

    def as_client(client_id: str) -> dict[str, str]:
        return {"X-Ably-ClientId": base64.b64encode(client_id.encode()).decode()}

    spoofed = client.request(
        "POST", chat_path("lobby"), "4", None, {"text": "hi"}, as_client("mallory")
    )
    own = client.request("POST", chat_path("lobby"), "4", None, {"text": "hi"}, as_client("alice"))

    assert (spoofed.status_code, error_of(spoofed)["code"]) == (401, 40102)
    assert own.items[0]["clientId"] == "alice"
    assert [m["clientId"] for m in emulator.chat_messages("lobby")] == ["alice"]


def test_given_chatmods_wildcard_token_then_it_acts_as_any_user(
    gateway: AblyGateway, emulator: AblyEmulator
) -> None:
    # chatmod's own token is for "*" and names the user in X-Ably-ClientId.
    gateway.send_chat_message("lobby", "hi", client_id="alice")
    gateway.send_chat_message("lobby", "hey", client_id="bob")

    assert [m["clientId"] for m in emulator.chat_messages("lobby")] == ["alice", "bob"]


def test_given_a_revoked_client_when_publishing_then_40141_and_a_new_token_is_needed(
    client_for: Callable[[str, Capability], AblyRestSync],
    gateway: AblyGateway,
    emulator: AblyEmulator,
) -> None:
    client = client_for("alice", USER)
    client.channels.get("c").publish("before", "x")

    assert gateway.revoke_tokens(["alice"]).ok
    client.channels.get("c").publish("after", "x")  # ably-python renews its token on 40141

    assert emulator.revoked("alice")
    assert not emulator.revoked("bob")
    assert [m["name"] for m in emulator.messages("c")] == ["before", "after"]
    # The first token was refused with 40141, so ably-python asked for a second one.
    assert [t.client_id for t in emulator.state.tokens.values()] == ["alice", "alice"]


def test_given_a_key_without_revocable_tokens_then_chatmods_revocation_fails_with_40163() -> None:
    # What chatmod logs ("tokens not revoked") when the production key lacks the
    # dashboard's "Revocable tokens" setting.
    key = EmulatorKey(FAKE_KEY_SECRET, revocable_tokens=False)
    with AblyEmulator(keys={FAKE_KEY_NAME: key}) as emulator:
        settings = AblySettings(
            api_key=FAKE_API_KEY, rest_host=emulator.host, port=emulator.port, tls=False
        )
        with AblyGateway(settings) as gateway:
            result = gateway.revoke_tokens(["alice"])
        assert emulator.state.revocations == []
    [failure] = result.failed
    assert (failure.client_id, failure.ably_code, failure.http_status) == ("alice", 40163, 401)


@pytest.mark.parametrize(
    ("revocable", "ttl_ms", "code"),
    [(True, HOUR_MS, None), (True, HOUR_MS + 1, 40003), (False, 2 * HOUR_MS, None)],
    ids=["revocable-1h", "revocable-over-1h", "not-revocable-2h"],
)
def test_a_revocable_keys_tokens_live_at_most_an_hour(
    revocable: bool, ttl_ms: int, code: int | None
) -> None:
    # https://ably.com/docs/auth/revocation: revocable tokens are "restricted to a
    # maximum TTL of 1 hour"; longer "is rejected with an error".
    key = EmulatorKey(FAKE_KEY_SECRET, revocable_tokens=revocable)
    signer = AblyRestSync(key=FAKE_API_KEY, tls=False, fallback_hosts=[])
    token_request = signer.auth.create_token_request(
        {"client_id": "alice", "ttl": ttl_ms}, query_time=False
    ).to_dict()
    signer.close()
    with (
        AblyEmulator(keys={FAKE_KEY_NAME: key}) as emulator,
        httpx.Client(base_url=emulator.url) as http,
    ):
        answer = http.post(f"/keys/{FAKE_KEY_NAME}/requestToken", json=token_request)

    if code is None:
        assert answer.status_code == 200
        assert answer.json()["expires"] - answer.json()["issued"] == ttl_ms
    else:
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


# -- the channel rule ---------------------------------------------------------------------


def test_given_a_pubsub_publish_then_the_rule_forwards_ablys_envelope(
    client_for: Callable[[str, Capability], AblyRestSync], forwarded: list[str]
) -> None:
    client = client_for("alice", USER)
    client.channels.get("news").publish("greeting", {"hello": "world"})

    [envelope] = envelopes(forwarded)
    assert set(envelope) == {
        "source",
        "appId",
        "channel",
        "site",
        "ruleId",
        "timestamp",
        "messages",
    }
    # The envelope's own timestamp: when the event occurred (Ably's "Enveloped messages").
    assert envelope["timestamp"] >= envelope["messages"][0]["timestamp"] > 0
    assert (envelope["source"], envelope["appId"], envelope["channel"]) == (
        "channel.message",
        "appid",
        "news",
    )
    [message] = envelope["messages"]
    assert set(message) >= {"id", "clientId", "connectionId", "timestamp", "name", "serial"}
    assert (message["name"], message["clientId"], message["action"]) == ("greeting", "alice", 0)
    # ably-python sent the object JSON-encoded; the rule passes it through as sent.
    assert (json.loads(message["data"]), message["encoding"]) == ({"hello": "world"}, "json")


def test_given_the_same_message_id_twice_then_it_is_forwarded_once(
    client_for: Callable[[str, Capability], AblyRestSync], forwarded: list[str]
) -> None:
    client = client_for("alice", USER)
    body = {"id": "fixed:0", "name": "once", "data": "x"}
    client.request("POST", "/channels/c/messages", "3", None, body)
    client.request("POST", "/channels/c/messages", "3", None, body)

    assert len(forwarded) == 1


def test_given_skip_rule_extras_then_the_message_is_stored_but_not_forwarded(
    gateway: AblyGateway, emulator: AblyEmulator, forwarded: list[str]
) -> None:
    gateway.publish_moderation_event("room::events", "moderation", {"deleted": "s1"})

    assert [m["name"] for m in emulator.messages("room::events")] == ["moderation"]
    assert forwarded == []


@pytest.mark.parametrize(
    ("skip_rule", "forwarded_count"),
    [("*", 0), ([CHANNEL_RULE_ID], 0), (["some-other-rule"], 1)],
    ids=["all", "this-rule", "another-rule"],
)
def test_given_skip_rule_ids_then_only_a_listed_rule_is_skipped(
    client_for: Callable[[str, Capability], AblyRestSync],
    forwarded: list[str],
    skip_rule: Any,
    forwarded_count: int,
) -> None:
    client = client_for("svc", {"*": ["publish", "privileged-headers"]})
    body = {"name": "e", "data": "x", "extras": {"privileged": {"skipRule": skip_rule}}}

    client.request("POST", "/channels/events/messages", "3", None, body)

    assert len(forwarded) == forwarded_count


def test_given_chat_messages_then_the_rule_forwards_them_on_the_chat_channel(
    client_for: Callable[[str, Capability], AblyRestSync], forwarded: list[str]
) -> None:
    client = client_for("alice", USER)
    sent = send(client, "lobby", "hi", metadata={"m": 1}, headers={"h": "v"}).items[0]
    serial = quote(sent["serial"], safe="")
    edit = {"message": {"text": "hi!", "metadata": {"m": 2}, "headers": {"h": "w"}}}
    client.request("PUT", chat_path("lobby", serial), "4", None, edit)
    client.request("POST", chat_path("lobby", serial, "delete"), "4", None, {})

    created, updated, deleted = envelopes(forwarded)
    assert {e["channel"] for e in (created, updated, deleted)} == {"lobby::$chat"}
    [message] = created["messages"]
    assert (message["name"], message["encoding"], message["action"]) == ("chat.message", "json", 0)
    assert isinstance(message["data"], str)
    assert json.loads(message["data"]) == {"text": "hi", "metadata": {"m": 1}}
    assert message["extras"] == {"headers": {"h": "v"}}
    assert (message["serial"], message["clientId"]) == (sent["serial"], "alice")
    # Updates and deletes travel too, with their action numbers, for the consumer to skip.
    assert [e["messages"][0]["action"] for e in (updated, deleted)] == [1, 2]
    assert json.loads(updated["messages"][0]["data"]) == {"text": "hi!", "metadata": {"m": 2}}
    assert updated["messages"][0]["extras"] == {"headers": {"h": "w"}}
    # A delete travels blanked, as Ably publishes it: no text, metadata or headers.
    [gone] = deleted["messages"]
    assert json.loads(gone["data"]) == {"text": "", "metadata": {}}
    assert gone["extras"] == {"headers": {}}
    assert (gone["serial"], gone["clientId"]) == (sent["serial"], "alice")
    assert len({e["messages"][0]["id"] for e in (created, updated, deleted)}) == 3


@pytest.mark.parametrize(
    ("channel_filter", "expected"),
    [
        (None, ["public:news:europe", "lobby", "lobby::$chat"]),
        # https://ably.com/docs/platform/integrations/streaming#filter: searched anywhere.
        ("news", ["public:news:europe"]),
        ("^public.*europe$", ["public:news:europe"]),
        (r"::\$chat$", ["lobby::$chat"]),  # chat rooms only
    ],
    ids=["none", "substring", "anchored", "chat-only"],
)
def test_given_a_channel_filter_then_only_matching_channels_are_forwarded(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    forwarded: list[str],
    channel_filter: str | None,
    expected: list[str],
) -> None:
    emulator.channel_filter = channel_filter
    client = client_for("alice", USER)

    client.channels.get("public:news:europe").publish("n", "x")
    client.channels.get("lobby").publish("n", "x")
    send(client, "lobby", "hi")

    assert [e["channel"] for e in envelopes(forwarded)] == expected
    # Filtered or not, the messages are published.
    assert len(emulator.messages("lobby")) == len(emulator.chat_messages("lobby")) == 1


def test_given_an_invalid_channel_filter_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="regex"):
        AblyEmulator(keys=KEYS, channel_filter="(")


def test_given_a_failing_sink_then_the_publish_still_succeeds_and_the_failure_is_logged(
    gateway: AblyGateway, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_body: str) -> None:
        raise RuntimeError("queue down")

    with AblyEmulator(keys=KEYS, on_channel_message=broken) as emulator:
        settings = AblySettings(
            api_key=FAKE_API_KEY, rest_host=emulator.host, port=emulator.port, tls=False
        )
        with AblyGateway(settings) as own_gateway, caplog.at_level(logging.ERROR):
            own_gateway.publish("c", "n", "x")
        assert [m["name"] for m in emulator.messages("c")] == ["n"]
    assert "on_channel_message failed" in caplog.text


# -- the before-publish rule ---------------------------------------------------------------


def test_given_an_accepting_rule_then_it_got_ablys_request_and_the_message_is_stored(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    emulator.before_publish = rule(rule_server)
    client = client_for("alice", USER)

    sent = send(client, "lobby", "hello", metadata={"m": 1}, headers={"h": "v"})

    assert sent.status_code == 200
    [request] = rule_server.requests
    assert (request.method, request.path) == ("POST", "/before-publish")
    assert request.headers["authorization"] == "Bearer s3cret"
    body = request.json()
    assert set(body) == {"source", "appId", "room", "site", "ruleId", "message"}
    assert (body["appId"], body["room"]) == ("appid", "lobby")
    assert body["message"] == {
        "clientId": "alice",
        "text": "hello",
        "metadata": {"m": 1},
        "headers": {"h": "v"},
    }
    assert [m["text"] for m in emulator.chat_messages("lobby")] == ["hello"]


def test_given_a_rewrite_then_the_message_is_replaced_whole(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
    forwarded: list[str],
) -> None:
    emulator.before_publish = rule(rule_server)
    rule_server.script(Reply(json={"action": "accept", "message": {"text": "h***o"}}))

    sent = send(client_for("alice", USER), "lobby", "hello", metadata={"m": 1}).items[0]

    # Omitted metadata and headers are removed (ARCHITECTURE §2).
    assert (sent["text"], sent["metadata"], sent["headers"]) == ("h***o", {}, {})
    [envelope] = envelopes(forwarded)
    assert json.loads(envelope["messages"][0]["data"])["text"] == "h***o"


def test_given_a_rejection_then_422_with_42213_and_the_detail(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
    forwarded: list[str],
) -> None:
    emulator.before_publish = rule(rule_server)
    rule_server.script(
        Reply(json={"action": "reject", "rejectionDetail": {"reason": "insult", "score": "3"}})
    )

    refused = send(client_for("alice", USER), "lobby", "you idiot")

    assert refused.status_code == 422
    error = error_of(refused)
    assert (error["code"], error["statusCode"]) == (42213, 422)
    assert error["detail"] == {"reason": "insult", "score": "3"}
    assert emulator.chat_messages("lobby") == []
    assert forwarded == []


def test_given_a_room_filter_then_other_rooms_skip_the_rule(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    emulator.before_publish = rule(rule_server, room_filter=r"^public:")
    client = client_for("alice", USER)

    send(client, "public:lobby", "a")
    send(client, "private:dm", "b")

    assert [r.json()["room"] for r in rule_server.requests] == ["public:lobby"]


def test_given_an_idempotent_retry_then_the_rule_is_asked_once(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    emulator.before_publish = rule(rule_server)
    client = client_for("alice", USER)
    params = {"idempotencyKey": "a2V5"}

    first = client.request("POST", chat_path("lobby"), "4", params, {"text": "x"})
    again = client.request("POST", chat_path("lobby"), "4", params, {"text": "x"})

    assert again.items == first.items
    assert len(rule_server.requests) == 1


@pytest.mark.parametrize(
    ("failed_action", "stored"), [("reject", False), ("publish", True)], ids=["reject", "publish"]
)
def test_given_a_4xx_then_no_retry_and_the_failed_action(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
    failed_action: str,
    stored: bool,
) -> None:
    emulator.before_publish = rule(rule_server, failed_action=failed_action)
    rule_server.script(Reply(401, json={"error": "unauthorized"}))

    answer = send(client_for("alice", USER), "lobby", "hi")

    assert len(rule_server.requests) == 1
    assert len(emulator.chat_messages("lobby")) == int(stored)
    if stored:
        assert answer.status_code == 200
    else:
        error = error_of(answer)
        assert (error["code"], error["statusCode"]) == (42211, 422)
        assert error["detail"]["reason"].startswith("moderation failed")


@pytest.mark.parametrize(
    ("action", "attempts", "status"), [("fail", 1, 422), ("retry", 2, 200)], ids=["fail", "retry"]
)
def test_given_a_429_then_it_is_retried_only_if_the_rule_says_so(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
    action: str,
    attempts: int,
    status: int,
) -> None:
    emulator.before_publish = rule(rule_server, too_many_requests_action=action)
    rule_server.script(Reply(429, json={}))

    answer = send(client_for("alice", USER), "lobby", "hi")

    assert len(rule_server.requests) == attempts
    assert answer.status_code == status


def test_given_5xx_then_it_retries_with_backoff_until_a_decision(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    emulator.before_publish = rule(rule_server, retry_timeout_ms=5000)
    rule_server.script(Reply(503, json={}), Reply(500, json={}))

    answer = send(client_for("alice", USER), "lobby", "hi")

    assert answer.status_code == 200
    assert len(rule_server.requests) == 3


def test_given_5xx_throughout_then_max_retries_then_the_failed_action(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    emulator.before_publish = rule(rule_server, retry_timeout_ms=5000, max_retries=2)
    rule_server.script(*[Reply(503, json={})] * 5)

    answer = send(client_for("alice", USER), "lobby", "hi")

    assert len(rule_server.requests) == 3  # the first attempt and 2 retries
    assert error_of(answer)["code"] == 42211


def test_given_a_rule_slower_than_the_retry_timeout_then_the_failed_action(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    # The retry timeout is the behaviour here: the answer comes after it has run out.
    emulator.before_publish = rule(rule_server, retry_timeout_ms=200, failed_action="publish")
    rule_server.script(Reply(json={"action": "reject"}, delay=1.0))

    answer = send(client_for("alice", USER), "lobby", "hi")

    assert answer.status_code == 200  # published anyway
    assert len(rule_server.requests) == 1


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"not json"),
        Reply(json={"action": "maybe"}),
        Reply(json={"action": "accept", "message": {"metadata": {}}}),
        Reply(json={"action": "accept", "message": {"text": ""}}),
        Reply(json={"action": "accept", "message": {"text": "x", "metadata": "m"}}),
        Reply(json={"action": "reject", "rejectionDetail": {"reason": "x", "score": 3}}),
        Reply(json={"action": "reject", "rejectionDetail": "insult"}),
        Reply(json={"action": "accept", "pad": "x" * 33_000}),
    ],
    ids=[
        "not-json",
        "unknown-action",
        "rewrite-without-text",
        "rewrite-with-empty-text",
        "rewrite-metadata-not-an-object",
        "detail-value-not-a-string",
        "detail-not-a-map",
        "over-32KiB",
    ],
)
def test_given_an_invalid_200_then_the_failed_action_without_retry(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
    reply: Reply,
) -> None:
    emulator.before_publish = rule(rule_server)
    rule_server.script(reply)

    answer = send(client_for("alice", USER), "lobby", "hi")

    assert error_of(answer)["code"] == 42211
    assert len(rule_server.requests) == 1


def test_given_a_rewrite_with_empty_text_and_failed_action_publish_then_the_original_is_stored(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    # "Moderation fails if text is missing or empty": the failed action, here publish.
    emulator.before_publish = rule(rule_server, failed_action="publish")
    rule_server.script(Reply(json={"action": "accept", "message": {"text": ""}}))

    answer = send(client_for("alice", USER), "lobby", "hello")

    assert answer.status_code == 200
    assert [m["text"] for m in emulator.chat_messages("lobby")] == ["hello"]


@pytest.mark.parametrize("text", ["", None, 3], ids=["empty", "missing", "not-a-string"])
def test_given_no_text_when_sending_or_updating_then_400_with_40001(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
    text: Any,
) -> None:
    emulator.before_publish = rule(rule_server)
    client = client_for("alice", USER)
    serial = quote(send(client, "lobby", "hi").items[0]["serial"], safe="")
    message = {} if text is None else {"text": text}

    sent = client.request("POST", chat_path("lobby"), "4", None, message)
    updated = client.request("PUT", chat_path("lobby", serial), "4", None, {"message": message})

    for refused in (sent, updated):
        assert (refused.status_code, error_of(refused)["code"]) == (400, 40001)
    assert [m["text"] for m in emulator.chat_messages("lobby")] == ["hi"]
    assert len(rule_server.requests) == 1  # refused before the rule is asked


# -- the before-publish rule on updates (edits) -------------------------------------------


def edit(client: AblyRestSync, room: str, serial: str, text: str, **message: Any) -> Any:
    body = {"message": {"text": text, **message}}
    return client.request("PUT", chat_path(room, quote(serial, safe="")), "4", None, body)


def test_given_the_default_rule_then_edits_are_not_moderated(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    emulator.before_publish = rule(rule_server)  # sends only, the default
    client = client_for("alice", USER)
    serial = send(client, "lobby", "hi").items[0]["serial"]

    edited = edit(client, "lobby", serial, "you idiot")

    assert edited.status_code == 200
    assert [r.json()["message"]["text"] for r in rule_server.requests] == ["hi"]


def test_given_a_rule_on_updates_then_it_gets_the_edit_as_a_message(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
    forwarded: list[str],
) -> None:
    emulator.before_publish = rule(rule_server, on_updates=True)
    alice = client_for("alice", USER)
    serial = send(alice, "lobby", "hi").items[0]["serial"]

    edited = edit(alice, "lobby", serial, "hi!", metadata={"m": 1}, headers={"h": "v"})

    assert edited.items[0]["text"] == "hi!"
    _, request = rule_server.requests
    body = request.json()
    assert (body["source"], body["room"]) == ("chat.message", "lobby")
    assert body["message"] == {
        "clientId": "alice",
        "text": "hi!",
        "metadata": {"m": 1},
        "headers": {"h": "v"},
    }
    assert [e["messages"][0]["action"] for e in envelopes(forwarded)] == [0, 1]


def test_given_a_rule_on_updates_when_it_rewrites_an_edit_then_the_rewrite_is_stored(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    emulator.before_publish = rule(rule_server, on_updates=True)
    alice = client_for("alice", USER)
    serial = send(alice, "lobby", "hi").items[0]["serial"]
    rule_server.script(Reply(json={"action": "accept", "message": {"text": "you ***"}}))

    edited = edit(alice, "lobby", serial, "you idiot", metadata={"m": 1})

    assert (edited.items[0]["text"], edited.items[0]["metadata"]) == ("you ***", {})
    assert emulator.chat_messages("lobby")[0]["text"] == "you ***"


@pytest.mark.parametrize(
    ("reply", "failed_action", "code", "stored"),
    [
        (
            Reply(json={"action": "reject", "rejectionDetail": {"reason": "insult"}}),
            "reject",
            42213,
            "hi",
        ),
        (Reply(503, json={}), "reject", 42211, "hi"),
        (Reply(json={"action": "accept", "message": {"text": ""}}), "reject", 42211, "hi"),
        (Reply(503, json={}), "publish", None, "you idiot"),
    ],
    ids=["rejected", "failed-reject", "invalid-rewrite", "failed-publish"],
)
def test_given_a_rule_on_updates_then_an_edit_is_refused_as_a_send_is(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
    forwarded: list[str],
    reply: Reply,
    failed_action: str,
    code: int | None,
    stored: str,
) -> None:
    emulator.before_publish = rule(
        rule_server, on_updates=True, failed_action=failed_action, max_retries=0
    )
    alice = client_for("alice", USER)
    serial = send(alice, "lobby", "hi").items[0]["serial"]
    rule_server.script(reply)

    edited = edit(alice, "lobby", serial, "you idiot")

    if code is None:
        assert edited.status_code == 200
    else:
        assert (edited.status_code, error_of(edited)["code"]) == (422, code)
        assert len(envelopes(forwarded)) == 1  # the refused edit was not published
    [message] = emulator.chat_messages("lobby")
    assert (message["text"], message["action"]) == (
        stored,
        "message.create" if code else "message.update",
    )


def test_given_a_rule_on_updates_then_edits_refused_anyway_never_reach_it(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    emulator.before_publish = rule(rule_server, on_updates=True)
    alice, bob = client_for("alice", USER), client_for("bob", USER)
    serial = send(alice, "lobby", "hi").items[0]["serial"]

    not_own = edit(bob, "lobby", serial, "hijacked")
    empty = edit(alice, "lobby", serial, "")
    unknown = edit(alice, "lobby", "01726000000000-000@nowhere:000", "x")

    assert error_of(not_own)["code"] == 40160
    assert error_of(empty)["code"] == 40001
    assert error_of(unknown)["code"] == 40400
    assert len(rule_server.requests) == 1  # the send only


def test_given_a_rule_on_updates_and_an_idempotent_retry_then_it_is_asked_once(
    client_for: Callable[[str, Capability], AblyRestSync],
    emulator: AblyEmulator,
    rule_server: FakeServer,
) -> None:
    emulator.before_publish = rule(rule_server, on_updates=True)
    alice = client_for("alice", USER)
    path = chat_path("lobby", quote(send(alice, "lobby", "hi").items[0]["serial"], safe=""))
    params, body = {"idempotencyKey": "ZWRpdA"}, {"message": {"text": "hi!"}}

    first = alice.request("PUT", path, "4", params, body)
    again = alice.request("PUT", path, "4", params, body)

    assert again.items == first.items
    assert len(rule_server.requests) == 2  # the send and the edit, once


def test_given_an_unreachable_rule_then_the_failed_action(
    client_for: Callable[[str, Capability], AblyRestSync], emulator: AblyEmulator
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    emulator.before_publish = BeforePublishRule(
        url=f"http://127.0.0.1:{closed}/before-publish", headers={}, retry_timeout_ms=300
    )

    answer = send(client_for("alice", USER), "lobby", "hi")

    assert error_of(answer)["code"] == 42211


@pytest.mark.parametrize(
    "options",
    [
        {"failed_action": "drop"},
        {"too_many_requests_action": "later"},
        {"retry_timeout_ms": 6000},
        {"max_retries": -1},
        {"room_filter": "("},
    ],
)
def test_given_an_invalid_rule_then_it_is_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"must|regex"):
        BeforePublishRule(url="http://127.0.0.1:1/", headers={}, **options)


def test_browsers_may_call_it_from_any_origin(emulator: AblyEmulator) -> None:
    # What a browser does before ably-js's chat history call from the console's origin.
    preflight = httpx.options(
        f"{emulator.url}/chat/v4/rooms/lobby/messages",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, x-ably-version",
        },
    )
    page = httpx.get(
        f"{emulator.url}/channels/news/messages",
        headers={"Origin": "http://localhost:5173"},
        auth=(FAKE_KEY_NAME, FAKE_KEY_SECRET),
    )
    refused = httpx.get(f"{emulator.url}/channels/news/messages")

    assert preflight.status_code == 204
    # The page's origin named back, with credentials: ably-js sends its XHRs with
    # credentials in a browser, and a browser refuses to read those under "*"
    for answer in (preflight, page):
        assert answer.headers["access-control-allow-origin"] == "http://localhost:5173"
        assert answer.headers["access-control-allow-credentials"] == "true"
        assert answer.headers["vary"] == "Origin"
    assert preflight.headers["access-control-allow-headers"] == "authorization, x-ably-version"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert refused.headers["access-control-allow-origin"] == "*"  # no origin: not a browser
    for answer in (page, refused):
        assert "Link" in answer.headers["access-control-expose-headers"]
    assert (page.status_code, refused.status_code) == (200, 401)
