"""The emulator's realtime side at the frame level: handshake, protocol messages, timers.

A raw client (websockets' sans-I/O ``ClientProtocol`` on a socket) sees every frame,
pings included; the timers run on an injected clock, advanced by the tests and
applied with ``RealtimeHub.tick`` (no sleeping). The real clients are held to the
same server in ``tests/contract``.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import msgpack
import pytest
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

from chatmod.adapters.ably import AblyGateway, AblySettings
from chatmod_local.ably_emulator import AblyEmulator, EmulatorKey
from chatmod_local.ably_realtime import (
    ACK,
    ATTACH,
    ATTACHED,
    AUTH,
    CLOSE,
    CLOSED,
    CONNECTED,
    DETACH,
    DETACHED,
    DISCONNECTED,
    ERROR,
    HEARTBEAT,
    MESSAGE,
    MODE_PUBLISH,
    MODE_SUBSCRIBE,
    NACK,
    PRESENCE,
    RESUMED,
    RealtimeSettings,
)
from chatmod_local.ably_wire import now_ms
from tests.support.ably_stub import FAKE_API_KEY, FAKE_KEY_NAME, FAKE_KEY_SECRET

HOUR_MS = 3_600_000
IDLE_MS = 15_000
TIMEOUT_S = 5.0


class FakeClock:
    """Epoch milliseconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = now_ms()

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms

    def catch_up(self) -> None:
        """Move to the wall clock's now: tokens and revocations are stamped with it."""
        self.now = max(self.now, now_ms())


class RawClient:
    """A WebSocket client that shows every frame: protocol messages, pings, the close."""

    def __init__(self, port: int, params: dict[str, str], path: str = "/") -> None:
        self.format = params.get("format", "json")
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S)
        self.protocol = ClientProtocol(
            parse_uri(f"ws://127.0.0.1:{port}{path}?{urlencode(params)}")
        )
        self.protocol.send_request(self.protocol.connect())
        self._send_pending()
        self.pending: list[Any] = []
        self.response = self._next_event()
        assert isinstance(self.response, Response)

    def _send_pending(self) -> None:
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.sock.sendall(chunk)

    def _next_event(self) -> Any:
        while not self.pending:
            data = self.sock.recv(65536)
            if data:
                self.protocol.receive_data(data)
            else:
                self.protocol.receive_eof()
            self.pending.extend(self.protocol.events_received())
            self._send_pending()  # pongs and close replies
            if not data and not self.pending:
                raise EOFError("the server closed the connection")
        return self.pending.pop(0)

    def frame(self) -> Frame:
        """The next frame from the server."""
        event = self._next_event()
        assert isinstance(event, Frame)
        return event

    def recv(self) -> dict[str, Any]:
        """The next protocol message (ping frames skipped: ``frame`` shows them)."""
        frame = self.frame()
        while frame.opcode is Opcode.PING:
            frame = self.frame()
        if frame.opcode is Opcode.BINARY:
            message: dict[str, Any] = msgpack.unpackb(frame.data, raw=False)
        else:
            assert frame.opcode is Opcode.TEXT, frame
            message = json.loads(bytes(frame.data))
        return message

    def send(self, message: dict[str, Any]) -> None:
        if self.format == "msgpack":
            self.protocol.send_binary(msgpack.packb(message, use_bin_type=True))
        else:
            self.protocol.send_text(json.dumps(message).encode())
        self._send_pending()

    def send_raw(self, text: str) -> None:
        self.protocol.send_text(text.encode())
        self._send_pending()

    def expect_close(self) -> Frame:
        frame = self.frame()
        assert frame.opcode is Opcode.CLOSE, frame
        return frame

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def forwarded() -> list[str]:
    return []


@pytest.fixture
def emulator(clock: FakeClock, forwarded: list[str]) -> Iterator[AblyEmulator]:
    # A long tick: the tests apply the timers themselves with tick().
    settings = RealtimeSettings(tick_interval_s=3600, close_timeout_s=0.5)
    with AblyEmulator(
        keys={FAKE_KEY_NAME: FAKE_KEY_SECRET},
        on_channel_message=forwarded.append,
        realtime=settings,
        realtime_clock=clock,
    ) as started:
        yield started


@pytest.fixture
def gateway(emulator: AblyEmulator) -> Iterator[AblyGateway]:
    settings = AblySettings(
        api_key=FAKE_API_KEY, rest_host=emulator.host, port=emulator.port, tls=False
    )
    with AblyGateway(settings) as made:
        yield made


@pytest.fixture
def connect(emulator: AblyEmulator) -> Iterator[Callable[..., RawClient]]:
    clients: list[RawClient] = []

    def make(path: str = "/", **params: str) -> RawClient:
        client = RawClient(emulator.port, {"v": "6", **params}, path)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def token_for(emulator: AblyEmulator, gateway: AblyGateway, clock: FakeClock) -> Callable[..., str]:
    """A token issued by the emulator (chatmod's TokenRequest exchanged over REST)."""

    def issue(client_id: str, capability: dict[str, list[str]], ttl_ms: int = HOUR_MS) -> str:
        request = gateway.create_token_request(client_id, capability, ttl_ms)
        answer = httpx.post(
            f"{emulator.url}/keys/{FAKE_KEY_NAME}/requestToken", json=request, timeout=TIMEOUT_S
        )
        answer.raise_for_status()
        clock.catch_up()
        token: str = answer.json()["token"]
        return token

    return issue


def connected(client: RawClient) -> dict[str, Any]:
    message = client.recv()
    assert message["action"] == CONNECTED, message
    return message


# -- the handshake ----------------------------------------------------------------------


def test_a_bad_upgrade_request_is_a_400_with_a_json_error(emulator: AblyEmulator) -> None:
    answer = httpx.get(
        f"{emulator.url}/?key={FAKE_API_KEY}",
        headers={"Upgrade": "websocket", "Connection": "Upgrade"},  # no Sec-WebSocket-Key
        timeout=TIMEOUT_S,
    )

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["statusCode"]) == (40000, 400)
    assert "Sec-WebSocket-Key" in error["message"]


def test_the_realtime_endpoint_is_the_root(emulator: AblyEmulator) -> None:
    client = RawClient(emulator.port, {"key": FAKE_API_KEY}, "/channels")
    client.close()

    assert client.response.status_code == 404
    assert json.loads(client.response.body)["error"]["code"] == 40400


def test_connected_with_a_key_and_client_id(connect: Callable[..., RawClient]) -> None:
    client = connect(key=FAKE_API_KEY, clientId="svc")

    message = connected(client)

    details = message["connectionDetails"]
    assert details["clientId"] == "svc"
    assert details["connectionKey"].startswith(message["connectionId"] + "!")
    assert (details["maxIdleInterval"], details["connectionStateTtl"]) == (IDLE_MS, 120_000)
    assert (details["maxMessageSize"], details["maxFrameSize"]) == (65_536, 524_288)
    assert "error" not in message


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, 40101),  # no credentials
        ({"key": f"{FAKE_KEY_NAME}:wrong"}, 40101),
        ({"key": "other.key:secret"}, 40101),
        ({"access_token": "never-issued"}, 40143),
        ({"key": FAKE_API_KEY, "format": "xml"}, 40000),
        ({"key": FAKE_API_KEY, "clientId": "*"}, 40012),
    ],
    ids=["none", "wrong-secret", "unknown-key", "unknown-token", "bad-format", "wildcard-id"],
)
def test_refused_credentials_are_an_error_then_a_close(
    connect: Callable[..., RawClient], params: dict[str, str], code: int
) -> None:
    client = connect(**params)

    message = client.recv()

    assert message["action"] == ERROR
    assert message["error"]["code"] == code
    assert "channel" not in message  # a connection error: ably-js fails the connection
    assert client.expect_close().data[:2] == (1000).to_bytes(2, "big")


def test_a_token_for_another_client_id_is_refused(
    connect: Callable[..., RawClient], token_for: Callable[..., str]
) -> None:
    client = connect(access_token=token_for("alice", {"*": ["subscribe"]}), clientId="mallory")

    message = client.recv()

    assert (message["action"], message["error"]["code"]) == (ERROR, 40102)


def test_an_expired_token_is_refused_at_connect(
    connect: Callable[..., RawClient],
    token_for: Callable[..., str],
    clock: FakeClock,
) -> None:
    token = token_for("alice", {"*": ["subscribe"]}, ttl_ms=60_000)
    clock.advance(60_001)

    message = connect(access_token=token).recv()

    assert (message["action"], message["error"]["code"]) == (ERROR, 40142)


def test_resume_is_answered_with_a_new_connection_and_80008(
    connect: Callable[..., RawClient],
) -> None:
    first = connected(connect(key=FAKE_API_KEY))
    key = first["connectionDetails"]["connectionKey"]

    resumed = connected(connect(key=FAKE_API_KEY, resume=key))

    assert resumed["connectionId"] != first["connectionId"]
    assert resumed["error"]["code"] == 80008


# -- protocol messages --------------------------------------------------------------------


def test_heartbeat_is_answered_with_its_id(connect: Callable[..., RawClient]) -> None:
    client = connect(key=FAKE_API_KEY)
    connected(client)

    client.send({"action": HEARTBEAT, "id": "abc"})

    assert client.recv() == {"action": HEARTBEAT, "id": "abc"}


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        '{"no": "action"}',
        '{"action": "10"}',
        '{"action": 99}',
        '{"action": 11}',
    ],
    ids=["not-json", "not-object", "no-action", "string-action", "unknown-action", "server-action"],
)
def test_an_invalid_protocol_message_is_a_connection_error(
    connect: Callable[..., RawClient], frame: str
) -> None:
    client = connect(key=FAKE_API_KEY)
    connected(client)

    client.send_raw(frame)

    message = client.recv()
    assert (message["action"], message["error"]["code"]) == (ERROR, 40000)
    client.expect_close()


def test_presence_is_nacked_not_fatal(connect: Callable[..., RawClient]) -> None:
    client = connect(key=FAKE_API_KEY, clientId="a")
    connected(client)

    client.send({"action": PRESENCE, "channel": "room", "msgSerial": 4, "presence": []})

    nack = client.recv()
    assert (nack["action"], nack["msgSerial"], nack["error"]["code"]) == (NACK, 4, 40000)
    assert "presence" in nack["error"]["message"]
    client.send({"action": HEARTBEAT})
    assert client.recv()["action"] == HEARTBEAT  # still connected


def test_close_is_answered_closed(connect: Callable[..., RawClient]) -> None:
    client = connect(key=FAKE_API_KEY)
    connected(client)

    client.send({"action": CLOSE})

    assert client.recv() == {"action": CLOSED}
    client.expect_close()


def test_attach_without_a_channel_is_40010(connect: Callable[..., RawClient]) -> None:
    client = connect(key=FAKE_API_KEY)
    connected(client)

    client.send({"action": ATTACH})

    assert client.recv()["error"]["code"] == 40010


def test_attach_grants_the_modes_asked_for_and_detach(
    connect: Callable[..., RawClient],
) -> None:
    client = connect(key=FAKE_API_KEY, clientId="a")
    connected(client)

    client.send({"action": ATTACH, "channel": "room::$chat", "flags": MODE_SUBSCRIBE})
    attached = client.recv()
    client.send({"action": ATTACH, "channel": "room::$chat", "flags": MODE_SUBSCRIBE})
    again = client.recv()
    client.send({"action": DETACH, "channel": "room::$chat"})
    detached = client.recv()

    assert attached["action"] == ATTACHED
    assert attached["flags"] == MODE_SUBSCRIBE
    assert attached["channelSerial"]
    assert again["flags"] == MODE_SUBSCRIBE | RESUMED  # still attached: continuity kept
    assert detached == {"action": DETACHED, "channel": "room::$chat"}


def test_publish_needs_the_publish_mode_when_attached(
    connect: Callable[..., RawClient], emulator: AblyEmulator
) -> None:
    client = connect(key=FAKE_API_KEY, clientId="a")
    connected(client)
    client.send({"action": ATTACH, "channel": "news", "flags": MODE_SUBSCRIBE})
    client.recv()

    client.send({"action": MESSAGE, "channel": "news", "msgSerial": 0, "messages": [{"name": "x"}]})

    nack = client.recv()
    assert (nack["action"], nack["msgSerial"], nack["error"]["code"]) == (NACK, 0, 40165)
    assert emulator.messages("news") == []


def test_publishes_are_acked_and_delivered_in_order(
    connect: Callable[..., RawClient], emulator: AblyEmulator, forwarded: list[str]
) -> None:
    subscriber = connect(key=FAKE_API_KEY, clientId="sub", format="msgpack")
    connected(subscriber)
    subscriber.send({"action": ATTACH, "channel": "news"})
    assert subscriber.recv()["flags"] & (MODE_SUBSCRIBE | MODE_PUBLISH)
    publisher = connect(key=FAKE_API_KEY, clientId="pub", echo="false")
    publisher_id = connected(publisher)["connectionId"]
    publisher.send({"action": ATTACH, "channel": "news"})
    publisher.recv()

    for serial in range(3):
        publisher.send(
            {
                "action": MESSAGE,
                "channel": "news",
                "msgSerial": serial,
                "messages": [{"name": f"m{serial}"}],
            }
        )
    acks = [publisher.recv() for _ in range(3)]
    delivered = [subscriber.recv() for _ in range(3)]

    # ACK per msgSerial with the serials; echo=false: the publisher gets no copy.
    assert [(a["action"], a["msgSerial"], a["count"]) for a in acks] == [
        (ACK, n, 1) for n in range(3)
    ]
    serials = [a["res"][0]["serials"][0] for a in acks]
    assert serials == sorted(serials)
    assert [d["messages"][0]["name"] for d in delivered] == ["m0", "m1", "m2"]
    assert [d["channelSerial"] for d in delivered] == serials
    first = delivered[0]["messages"][0]
    assert (first["clientId"], first["connectionId"], first["id"]) == (
        "pub",
        publisher_id,
        f"{publisher_id}:0:0",
    )
    # Through the REST path: stored, and handed to the channel rule.
    assert [m["name"] for m in emulator.messages("news")] == ["m0", "m1", "m2"]
    assert len(forwarded) == 3


def test_a_publish_the_rest_path_refuses_is_nacked(
    connect: Callable[..., RawClient], token_for: Callable[..., str]
) -> None:
    client = connect(access_token=token_for("alice", {"news": ["subscribe"], "chat": ["publish"]}))
    connected(client)

    client.send({"action": MESSAGE, "channel": "news", "msgSerial": 0, "messages": [{"name": "x"}]})
    client.send(
        {
            "action": MESSAGE,
            "channel": "chat",
            "msgSerial": 1,
            "messages": [{"name": "x", "clientId": "bob"}],
        }
    )
    client.send(
        {
            "action": MESSAGE,
            "channel": "chat",
            "msgSerial": 2,
            "messages": [{"name": "x", "action": 1}],
        }
    )

    codes = [
        (m["action"], m["msgSerial"], m["error"]["code"]) for m in (client.recv() for _ in range(3))
    ]
    assert codes == [(NACK, 0, 40160), (NACK, 1, 40012), (NACK, 2, 40000)]


def test_a_message_that_skips_rules_still_reaches_subscribers(
    connect: Callable[..., RawClient], forwarded: list[str]
) -> None:
    client = connect(key=FAKE_API_KEY, clientId="svc")
    connected(client)
    client.send({"action": ATTACH, "channel": "news"})
    client.recv()

    client.send(
        {
            "action": MESSAGE,
            "channel": "news",
            "msgSerial": 0,
            "messages": [{"name": "e", "extras": {"privileged": {"skipRule": "*"}}}],
        }
    )

    replies = sorted((client.recv() for _ in range(2)), key=lambda m: m["action"])
    assert [m["action"] for m in replies] == [ACK, MESSAGE]
    assert forwarded == []


def test_rest_publishes_reach_only_subscribed_connections(
    connect: Callable[..., RawClient], emulator: AblyEmulator
) -> None:
    listener = connect(key=FAKE_API_KEY)
    connected(listener)
    listener.send({"action": ATTACH, "channel": "news"})
    listener.recv()
    other = connect(key=FAKE_API_KEY)
    connected(other)
    other.send({"action": ATTACH, "channel": "sport"})
    other.recv()

    answer = httpx.post(
        f"{emulator.url}/channels/news/messages",
        json={"name": "n", "data": "x"},
        auth=(FAKE_KEY_NAME, FAKE_KEY_SECRET),
        timeout=TIMEOUT_S,
    )

    assert answer.status_code == 201
    message = listener.recv()
    assert message["messages"][0]["serial"] == answer.json()["serials"][0]
    other.send({"action": HEARTBEAT, "id": "h"})
    assert other.recv() == {"action": HEARTBEAT, "id": "h"}  # nothing from "news" came first


# -- timers: heartbeats, token renewal, expiry, revocation ------------------------------


def test_an_idle_connection_gets_heartbeats(
    connect: Callable[..., RawClient], emulator: AblyEmulator, clock: FakeClock
) -> None:
    protocol_beats = connect(key=FAKE_API_KEY, heartbeats="true")
    connected(protocol_beats)
    ping_frames = connect(key=FAKE_API_KEY)
    connected(ping_frames)

    clock.advance(IDLE_MS - 1)
    emulator.realtime.tick()
    protocol_beats.send({"action": HEARTBEAT, "id": "probe"})
    assert protocol_beats.recv() == {"action": HEARTBEAT, "id": "probe"}  # nothing due yet
    clock.advance(IDLE_MS)
    emulator.realtime.tick()

    assert protocol_beats.recv() == {"action": HEARTBEAT}
    assert ping_frames.frame().opcode is Opcode.PING


def test_a_token_near_expiry_is_renewed_with_auth(
    connect: Callable[..., RawClient],
    emulator: AblyEmulator,
    clock: FakeClock,
    token_for: Callable[..., str],
) -> None:
    client = connect(access_token=token_for("alice", {"news": ["subscribe"]}, ttl_ms=120_000))
    connection_id = connected(client)["connectionId"]
    client.send({"action": ATTACH, "channel": "news"})
    client.recv()

    clock.advance(120_000 - 30_000)
    emulator.realtime.tick()
    emulator.realtime.tick()  # asked once only
    asked = client.recv()
    client.send(
        {"action": AUTH, "auth": {"accessToken": token_for("alice", {"other": ["subscribe"]})}}
    )
    renewed = client.recv()
    downgraded = client.recv()

    assert asked == {"action": AUTH}
    assert (renewed["action"], renewed["connectionId"]) == (CONNECTED, connection_id)
    assert renewed["connectionDetails"]["clientId"] == "alice"
    # The new token covers no longer "news": the channel fails (RTC8a1).
    assert (downgraded["action"], downgraded["channel"]) == (ERROR, "news")
    assert downgraded["error"]["code"] == 40160


def test_auth_with_another_client_ids_token_fails_the_connection(
    connect: Callable[..., RawClient], token_for: Callable[..., str]
) -> None:
    client = connect(access_token=token_for("alice", {"*": ["subscribe"]}))
    connected(client)

    client.send({"action": AUTH, "auth": {"accessToken": token_for("bob", {"*": ["subscribe"]})}})

    message = client.recv()
    assert (message["action"], message["error"]["code"]) == (ERROR, 40102)
    client.expect_close()


def test_an_expired_token_disconnects_the_live_connection(
    connect: Callable[..., RawClient],
    emulator: AblyEmulator,
    clock: FakeClock,
    token_for: Callable[..., str],
) -> None:
    client = connect(access_token=token_for("alice", {"*": ["subscribe"]}, ttl_ms=120_000))
    connected(client)

    clock.advance(120_001)
    emulator.realtime.tick()

    disconnected = client.recv()
    assert disconnected["action"] == DISCONNECTED
    assert (disconnected["error"]["code"], disconnected["error"]["statusCode"]) == (40142, 401)
    client.expect_close()


def test_revocation_disconnects_only_the_revoked_clients_connections(
    connect: Callable[..., RawClient],
    emulator: AblyEmulator,
    clock: FakeClock,
    token_for: Callable[..., str],
) -> None:
    bob = connect(access_token=token_for("bob", {"*": ["subscribe"]}))
    connected(bob)
    alice = connect(access_token=token_for("alice", {"*": ["subscribe"]}))
    connected(alice)

    answer = httpx.post(
        f"{emulator.url}/keys/{FAKE_KEY_NAME}/revokeTokens",
        json={"targets": ["clientId:bob"]},
        auth=(FAKE_KEY_NAME, FAKE_KEY_SECRET),
        timeout=TIMEOUT_S,
    )
    assert answer.status_code == 201
    clock.catch_up()
    emulator.realtime.tick()

    message = bob.recv()
    assert (message["action"], message["error"]["code"]) == (DISCONNECTED, 40141)
    bob.expect_close()
    alice.send({"action": HEARTBEAT, "id": "still"})
    assert alice.recv() == {"action": HEARTBEAT, "id": "still"}


def test_stopping_the_emulator_drops_connections(emulator: AblyEmulator) -> None:
    client = RawClient(emulator.port, {"key": FAKE_API_KEY})
    connected(client)

    emulator.stop()

    with pytest.raises((EOFError, OSError)):
        client.recv()  # the socket is shut: no frame, not even a close
    client.close()


def test_a_key_without_the_channel_in_its_capability_cannot_attach(
    clock: FakeClock,
) -> None:
    key = EmulatorKey(FAKE_KEY_SECRET, capability=json.dumps({"news": ["subscribe"]}))
    with AblyEmulator(keys={FAKE_KEY_NAME: key}, realtime_clock=clock) as emulator:
        client = RawClient(emulator.port, {"key": FAKE_API_KEY})
        connected(client)

        client.send({"action": ATTACH, "channel": "sport"})
        refused = client.recv()
        client.send({"action": ATTACH, "channel": "news", "flags": MODE_PUBLISH | MODE_SUBSCRIBE})
        attached = client.recv()
        client.close()

    assert (refused["action"], refused["channel"], refused["error"]["code"]) == (
        ERROR,
        "sport",
        40160,
    )
    assert attached["flags"] == MODE_SUBSCRIBE  # publish dropped: the key does not grant it
