"""The Ably emulator's realtime side: the WebSocket protocol subset ably-js and @ably/chat need.

This is **not Ably**: enough of Ably's realtime protocol for the real clients (npm
``ably`` 2.28, ``@ably/chat`` 1.4, ably-python 3.x realtime) to connect, attach to a
room's channel, publish, and receive what is published over REST or realtime. The
shapes come from the clients' source: ably-js ``src/common/lib/transport/``
(``websockettransport.ts``, ``transport.ts``, ``connectionmanager.ts``),
``src/common/lib/types/protocolmessage*.ts`` (actions and flags),
``src/common/lib/client/realtimechannel.ts`` (attach, modes, channel serials) and
ably-python ``ably/transport/websockettransport.py``.

The WebSocket is served on the REST port (ably-js uses one host and port for both):
an HTTP request with ``Upgrade: websocket`` is handed to ``RealtimeHub.serve``, which
completes the handshake with websockets' sans-I/O ``ServerProtocol`` on the socket
the HTTP handler already holds, then reads frames in that thread and writes them
from one writer thread per connection (so a publisher never blocks on a slow reader,
and every connection receives messages in the order they were published).

What it speaks (see docs/emulator.md for the full list and what it refuses):

- Connection: ``key`` or ``access_token`` and ``clientId``, ``format`` (json, text
  frames; msgpack, binary frames), ``heartbeats`` (protocol HEARTBEATs, else ping
  frames), ``echo``, ``v``; CONNECTED with ``connectionDetails``; HEARTBEAT; CLOSE →
  CLOSED; DISCONNECT; AUTH both ways (the server asks for a new token before the
  current one expires; a client's AUTH swaps the token in place). ``resume`` and
  ``recover`` are answered with a new connection and error 80008, as Ably does when
  it cannot resume: the emulator keeps no state for lost connections, and saying so
  makes the clients re-attach and flag the discontinuity instead of missing messages.
- Channels: ATTACH → ATTACHED with a ``channelSerial`` and the granted modes (those
  asked for, default publish/subscribe/presence/presence-subscribe, narrowed to what
  the capability allows); a capability that grants nothing on the channel is a
  channel ERROR 40160; DETACH → DETACHED.
- Messages: every message published on a channel, over REST (pub/sub or Chat REST:
  create, update, delete) or realtime, reaches the connections attached with the
  subscribe mode; a realtime publish goes through the emulator's REST publish path
  (capabilities, identity, integration rule) and is answered ACK (with the serials)
  or NACK by ``msgSerial``.
- Tokens: an expired (40142), revoked (40141) or unknown (40143) token is refused at
  connect with ERROR; a live connection whose token expires or is revoked gets
  DISCONNECTED with that error and is closed, so the client renews its token and
  reconnects (or fails when its auth provider refuses, as chatmod's ``/token`` does
  for a banned user).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import logging
import queue
import secrets
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Final, Protocol

import msgpack
from websockets.datastructures import Headers
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol

from chatmod_local.ably_rules import envelope_message
from chatmod_local.ably_wire import (
    BAD_REQUEST,
    OPERATION_NOT_PERMITTED,
    ably_error_body,
    capability_resource,
    now_ms,
    permits,
    resource_matches,
)

logger = logging.getLogger(__name__)

# Protocol message actions (ably-js src/common/lib/types/protocolmessagecommon.ts, TR2).
HEARTBEAT: Final = 0
ACK: Final = 1
NACK: Final = 2
CONNECT: Final = 3
CONNECTED: Final = 4
DISCONNECT: Final = 5
DISCONNECTED: Final = 6
CLOSE: Final = 7
CLOSED: Final = 8
ERROR: Final = 9
ATTACH: Final = 10
ATTACHED: Final = 11
DETACH: Final = 12
DETACHED: Final = 13
PRESENCE: Final = 14
MESSAGE: Final = 15
SYNC: Final = 16
AUTH: Final = 17
ACTIVATE: Final = 18
OBJECT: Final = 19
OBJECT_SYNC: Final = 20
ANNOTATION: Final = 21
# Actions a client may send that the emulator does not implement (NACKed, not fatal).
UNSUPPORTED_ACTIONS: Final = {PRESENCE: "presence", OBJECT: "objects", ANNOTATION: "annotations"}

# Flags (TR3): attach state, then channel modes.
RESUMED: Final = 1 << 2
MODE_PRESENCE: Final = 1 << 16
MODE_PUBLISH: Final = 1 << 17
MODE_SUBSCRIBE: Final = 1 << 18
MODE_PRESENCE_SUBSCRIBE: Final = 1 << 19
MODE_ANNOTATION_PUBLISH: Final = 1 << 21
MODE_ANNOTATION_SUBSCRIBE: Final = 1 << 22
MODE_OBJECT_SUBSCRIBE: Final = 1 << 24
MODE_OBJECT_PUBLISH: Final = 1 << 25
# Each mode and the capability operation that grants it
# (https://ably.com/docs/channels/options#modes; presence-subscribe needs subscribe).
MODE_OPERATIONS: Final = {
    MODE_PRESENCE: "presence",
    MODE_PUBLISH: "publish",
    MODE_SUBSCRIBE: "subscribe",
    MODE_PRESENCE_SUBSCRIBE: "subscribe",
    MODE_ANNOTATION_PUBLISH: "annotation-publish",
    MODE_ANNOTATION_SUBSCRIBE: "annotation-subscribe",
    MODE_OBJECT_SUBSCRIBE: "object-subscribe",
    MODE_OBJECT_PUBLISH: "object-publish",
}
MODE_ALL: Final = sum(MODE_OPERATIONS)
# The modes of an ATTACH that asks for none.
DEFAULT_MODES: Final = MODE_PUBLISH | MODE_SUBSCRIBE | MODE_PRESENCE | MODE_PRESENCE_SUBSCRIBE

# Error codes (ably-common errors.json) the realtime side adds to ably_wire's.
INVALID_CHANNEL_NAME: Final = 40010
# "Channel mode not requested when attaching" (ably-common errors/codes/40165.md).
MODE_NOT_REQUESTED: Final = 40165
# "Unable to recover connection" (RTN15c7: a new connectionId with this error).
CONNECTION_NOT_RESUMED: Final = 80008

# What CONNECTED promises, with Ably's defaults (ably-js src/common/lib/util/defaults.ts:
# connectionStateTtl 120 s, maxMessageSize 64 KiB; Ably's maxIdleInterval is 15 s).
DEFAULT_MAX_IDLE_INTERVAL_MS: Final = 15_000
DEFAULT_CONNECTION_STATE_TTL_MS: Final = 120_000
DEFAULT_MAX_MESSAGE_SIZE: Final = 65_536
DEFAULT_MAX_FRAME_SIZE: Final = 524_288
# How long before a token expires the server asks the client to renew it (AUTH).
DEFAULT_AUTH_RENEWAL_LEAD_MS: Final = 30_000

Clock = Callable[[], int]
WireMessage = dict[str, Any]


@dataclass(frozen=True)
class RealtimeSettings:
    """What the realtime side promises clients in ``connectionDetails``, and its timers.

    Attributes:
        max_idle_interval_ms: the longest the server stays silent; a heartbeat (a
            HEARTBEAT message, or a ping frame) goes out when nothing else has.
        connection_state_ttl_ms: how long the client may try to resume (it cannot here).
        max_message_size: the largest publish the client may attempt.
        max_frame_size: the largest WebSocket frame accepted (bigger closes with 1009).
        auth_renewal_lead_ms: how long before its token expires a connection is sent AUTH.
        tick_interval_s: how often the scheduler checks heartbeats and tokens.
        close_timeout_s: how long a closing connection waits for the client's close frame.
    """

    max_idle_interval_ms: int = DEFAULT_MAX_IDLE_INTERVAL_MS
    connection_state_ttl_ms: int = DEFAULT_CONNECTION_STATE_TTL_MS
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE
    max_frame_size: int = DEFAULT_MAX_FRAME_SIZE
    auth_renewal_lead_ms: int = DEFAULT_AUTH_RENEWAL_LEAD_MS
    tick_interval_s: float = 0.25
    close_timeout_s: float = 2.0


@dataclass(frozen=True)
class WireError(Exception):
    """An Ably error as a protocol message carries it (``{message, code, statusCode, href}``)."""

    code: int
    status: int
    message: str

    def wire(self) -> dict[str, Any]:
        """The ``error`` member of a protocol message."""
        error: dict[str, Any] = ably_error_body(self.code, self.status, self.message)["error"]
        return error


@dataclass(frozen=True)
class Session:
    """Who a connection acts as, from its key or token.

    Attributes:
        client_id: the connection's identity (None: anonymous; ``"*"`` is never one).
        capability: resource → operations.
        any_client_id: whether it may publish as any clientId (the key, a ``*`` token).
        token: the token it connected with (None with a key); read for ``expires``.
    """

    client_id: str | None
    capability: Mapping[str, frozenset[str]]
    any_client_id: bool = False
    token: Any = None

    @property
    def details_client_id(self) -> str | None:
        """The ``clientId`` CONNECTED reports: the identity, or ``*`` for a wildcard token."""
        if self.client_id is not None:
            return self.client_id
        return "*" if self.token is not None and self.any_client_id else None


class RealtimeBackend(Protocol):
    """What the realtime side needs from the emulator (``AblyEmulator`` implements it)."""

    def realtime_session(
        self, *, key: str | None, access_token: str | None, client_id: str | None
    ) -> Session:
        """The session for these credentials; raises ``WireError`` when they are refused."""
        ...

    def realtime_token_problem(self, token: Any, now: int) -> WireError | None:
        """Why ``token`` no longer authenticates at ``now`` (expired, revoked), or None."""
        ...

    def realtime_publish(
        self, session: Session, channel: str, messages: list[WireMessage]
    ) -> tuple[int, Any]:
        """Publish as the REST path does; returns its status and JSON answer."""
        ...

    def realtime_attach_point(self) -> contextlib.AbstractContextManager[str]:
        """Hold publishing still and yield a channel serial later than every published one."""
        ...


_PING: Final = object()
_CLOSE: Final = object()
_STOP: Final = object()


@dataclass(eq=False)
class RealtimeConnection:
    """One client's WebSocket: its session, attached channels, and writer queue."""

    hub: RealtimeHub
    sock: socket.socket
    protocol: ServerProtocol
    id: str
    key: str
    format: str
    heartbeats: bool
    echo: bool
    session: Session
    # Attached channel → the granted mode flags.
    channels: dict[str, int] = field(default_factory=dict)
    last_sent: int = 0
    auth_requested: bool = False
    closing: bool = False
    _queue: queue.SimpleQueue[Any] = field(default_factory=queue.SimpleQueue)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _finishing: threading.Lock = field(default_factory=threading.Lock)
    _reader_done: threading.Event = field(default_factory=threading.Event)

    # -- sending (any thread) ---------------------------------------------------------

    def send(self, message: Mapping[str, Any]) -> None:
        """Queue a protocol message for the writer."""
        self._queue.put(dict(message))

    def ping(self) -> None:
        """Queue a heartbeat: a HEARTBEAT message when asked for, else a ping frame."""
        if self.heartbeats:
            self.send({"action": HEARTBEAT})
        else:
            self._queue.put(_PING)

    def finish(self, message: Mapping[str, Any] | None = None) -> None:
        """Send ``message`` (if any), then close the WebSocket; later sends are dropped."""
        with self._finishing:
            if self.closing:
                return
            self.closing = True
        if message is not None:
            self.send(message)
        self._queue.put(_CLOSE)

    def error(self, code: int, status: int, message: str, **extra: Any) -> WireMessage:
        """A protocol message carrying an Ably error (``action`` in ``extra``)."""
        return {**extra, "error": WireError(code, status, message).wire()}

    def encode(self, message: Mapping[str, Any]) -> bytes:
        """The frame payload in the connection's format."""
        if self.format == "msgpack":
            packed: bytes = msgpack.packb(message, use_bin_type=True)
            return packed
        return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()

    def write_loop(self) -> None:
        """Drain the queue onto the socket (the connection's writer thread)."""
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            with self._lock:
                if self.protocol.state is not State.OPEN:
                    continue
                if item is _PING:
                    self.protocol.send_ping(secrets.token_bytes(4))
                elif item is _CLOSE:
                    self.protocol.send_close(1000)
                else:
                    try:
                        payload = self.encode(item)
                    except (TypeError, ValueError):
                        # Never the writer's death: the message is dropped, loudly.
                        logger.exception("realtime: cannot encode action %s", item.get("action"))
                        continue
                    if self.format == "msgpack":
                        self.protocol.send_binary(payload)
                    else:
                        self.protocol.send_text(payload)
                self._flush()
            self.last_sent = self.hub.clock()
            if item is _CLOSE:
                # The client answers with its close frame; do not wait for ever.
                if not self._reader_done.wait(self.hub.settings.close_timeout_s):
                    self._shutdown()
                return

    def _flush(self) -> None:
        # Called with the lock held. An empty chunk means "close the TCP connection".
        for chunk in self.protocol.data_to_send():
            try:
                if chunk:
                    self.sock.sendall(chunk)
                else:
                    self._shutdown()
            except OSError:
                self._shutdown()
                return

    def _shutdown(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)

    # -- reading (the HTTP handler's thread) ---------------------------------------

    def read_loop(self, rfile: BinaryIO) -> None:
        """Read frames until the WebSocket closes, handling each protocol message."""
        try:
            while True:
                try:
                    data = rfile.read1(65536)  # type: ignore[attr-defined]
                except OSError:
                    data = b""
                with self._lock:
                    if data:
                        self.protocol.receive_data(data)
                    else:
                        self.protocol.receive_eof()
                    frames = self.protocol.events_received()
                    self._flush()
                for frame in frames:
                    if isinstance(frame, Frame) and frame.opcode in (Opcode.TEXT, Opcode.BINARY):
                        self._on_frame(frame)
                if not data or self.protocol.state is State.CLOSED:
                    return
        finally:
            self._reader_done.set()
            self.closing = True
            self._queue.put(_STOP)
            self._shutdown()

    def _on_frame(self, frame: Frame) -> None:
        try:
            if frame.opcode is Opcode.BINARY:
                message = msgpack.unpackb(frame.data, raw=False)
            else:
                message = json.loads(bytes(frame.data))
        except (ValueError, msgpack.UnpackException):
            message = None
        if not isinstance(message, dict) or type(message.get("action")) is not int:
            self.finish(
                self.error(
                    BAD_REQUEST,
                    400,
                    "invalid protocol message: not an object with an action",
                    action=ERROR,
                )
            )
            return
        try:
            self.hub.handle(self, message)
        except Exception:
            logger.exception("realtime: handling action %s failed", message.get("action"))
            self.finish(self.error(50000, 500, "internal error in the Ably emulator", action=ERROR))


class RealtimeHub:
    """Every live realtime connection of one emulator: serving, fan-out, timers.

    Args:
        backend: the emulator (credentials, the REST publish path, channel serials).
        settings: what CONNECTED promises and the timers.
        clock: epoch milliseconds; tests inject one and call ``tick`` themselves.
    """

    def __init__(
        self,
        backend: RealtimeBackend,
        settings: RealtimeSettings | None = None,
        clock: Clock = now_ms,
    ) -> None:
        self.backend = backend
        self.settings = settings or RealtimeSettings()
        self.clock = clock
        self.server_id = f"emulator-{secrets.token_hex(4)}"
        self._connections: dict[str, RealtimeConnection] = {}
        self._lock = threading.RLock()
        self._ids: Iterator[int] = itertools.count(1)
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._scheduler: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler (heartbeats, token expiry and revocation)."""
        self._stopped.clear()
        self._scheduler = threading.Thread(
            target=self._schedule, name="ably-emulator-realtime", daemon=True
        )
        self._scheduler.start()

    def stop(self) -> None:
        """Stop the scheduler and drop every connection."""
        self._stopped.set()
        self._wake.set()
        if self._scheduler is not None:
            self._scheduler.join(timeout=5)
            self._scheduler = None
        for connection in self.connections():
            connection._shutdown()

    def connections(self) -> list[RealtimeConnection]:
        """The live connections (a copy)."""
        with self._lock:
            return list(self._connections.values())

    def poke(self) -> None:
        """Run the scheduler now (after a revocation, say)."""
        self._wake.set()

    def _schedule(self) -> None:
        while not self._stopped.is_set():
            try:
                self.tick()
            except Exception:
                logger.exception("realtime: the scheduler's tick failed")
            self._wake.wait(self.settings.tick_interval_s)
            self._wake.clear()

    def tick(self) -> None:
        """Do what is due now: drop connections whose token expired or was revoked,
        ask for renewal before expiry, send heartbeats to idle connections."""
        now = self.clock()
        for connection in self.connections():
            if connection.closing:
                continue
            token = connection.session.token
            if token is not None:
                problem = self.backend.realtime_token_problem(token, now)
                if problem is not None:
                    # Ably disconnects the connection with the token error; the client
                    # then renews its token and reconnects (RTN15h2).
                    connection.finish({"action": DISCONNECTED, "error": problem.wire()})
                    continue
                lead = self.settings.auth_renewal_lead_ms
                if not connection.auth_requested and token.expires - now <= lead:
                    connection.auth_requested = True
                    connection.send({"action": AUTH})  # RTN22: renew before it expires
            if now - connection.last_sent >= self.settings.max_idle_interval_ms:
                connection.ping()

    # -- fan-out (called with the emulator's state lock held) ---------------------------

    def fan_out(self, channel: str, message: Mapping[str, Any]) -> None:
        """Deliver a published message to the connections attached to ``channel`` to subscribe.

        Called in publish order under the emulator's state lock, so every connection's
        queue receives a channel's messages in serial order.
        """
        wire = envelope_message(message)
        version = wire.get("version") or {}
        serial = version.get("serial") or wire.get("serial")
        with self._lock:
            for connection in self._connections.values():
                modes = connection.channels.get(channel)
                if modes is None or not modes & MODE_SUBSCRIBE or connection.closing:
                    continue
                if not connection.echo and wire.get("connectionId") == connection.id:
                    continue
                connection.send(
                    {
                        "action": MESSAGE,
                        "channel": channel,
                        "channelSerial": serial,
                        "timestamp": wire.get("timestamp"),
                        "messages": [wire],
                    }
                )

    # -- serving ------------------------------------------------------------------------

    def serve(
        self,
        sock: socket.socket,
        rfile: BinaryIO,
        head: bytes,
        query: Mapping[str, list[str]],
    ) -> None:
        """Complete the WebSocket handshake on ``sock`` and serve the connection until it closes.

        Args:
            sock: the HTTP handler's socket (nothing written to it yet).
            rfile: the handler's buffered reader, positioned after the request headers.
            head: the request line and headers as they arrived (websockets parses them).
            query: the query parameters.
        """
        protocol = ServerProtocol(max_size=self.settings.max_frame_size)
        protocol.receive_data(head)
        [request] = protocol.events_received()
        assert isinstance(request, Request)
        path = request.path.partition("?")[0]
        response = protocol.accept(request)
        if path != "/":
            response = _http_error(404, 40400, f"no realtime endpoint at {path}")
        elif response.status_code != 101:
            reason = protocol.handshake_exc or "invalid WebSocket upgrade"
            response = _http_error(400, BAD_REQUEST, f"invalid WebSocket upgrade request: {reason}")
        protocol.send_response(response)
        with contextlib.suppress(OSError):
            sock.sendall(b"".join(protocol.data_to_send()))
        if response.status_code != 101:
            return
        params = {name: values[-1] for name, values in query.items() if values}
        connection = self._open(sock, protocol, params)
        writer = threading.Thread(
            target=connection.write_loop, name=f"ably-realtime-{connection.id}", daemon=True
        )
        writer.start()
        try:
            connection.read_loop(rfile)
        finally:
            with self._lock:
                self._connections.pop(connection.id, None)
            writer.join(timeout=self.settings.close_timeout_s + 1)

    def _open(
        self, sock: socket.socket, protocol: ServerProtocol, params: Mapping[str, str]
    ) -> RealtimeConnection:
        """The connection for the query's credentials: CONNECTED, or ERROR and closing."""
        connection_id = f"emu{next(self._ids)}-{secrets.token_hex(3)}"
        fmt = params.get("format", "json")
        connection = RealtimeConnection(
            hub=self,
            sock=sock,
            protocol=protocol,
            id=connection_id,
            key=f"{connection_id}!{secrets.token_urlsafe(12)}",
            format=fmt if fmt in ("json", "msgpack") else "json",
            heartbeats=params.get("heartbeats") == "true",
            echo=params.get("echo") != "false",
            session=Session(None, {}),
            last_sent=self.clock(),
        )
        try:
            if fmt not in ("json", "msgpack"):
                raise WireError(BAD_REQUEST, 400, f"unsupported format {fmt!r}: json or msgpack")
            connection.session = self.backend.realtime_session(
                key=params.get("key"),
                access_token=params.get("access_token") or params.get("accessToken"),
                client_id=params.get("clientId"),
            )
        except WireError as refused:
            # Ably accepts the WebSocket, then refuses the connection with ERROR and
            # closes it; ably-js renews its token once on a token error (RTN14b).
            connection.finish({"action": ERROR, "error": refused.wire()})
            return connection
        connected: WireMessage = {
            "action": CONNECTED,
            "connectionId": connection.id,
            "connectionDetails": self._details(connection),
        }
        if "resume" in params or "recover" in params:
            connected["error"] = WireError(
                CONNECTION_NOT_RESUMED,
                400,
                "Unable to recover connection: the Ably emulator keeps no state for lost "
                "connections (a new connection; channels re-attach without continuity)",
            ).wire()
        with self._lock:
            self._connections[connection.id] = connection
        connection.send(connected)
        return connection

    def _details(self, connection: RealtimeConnection) -> dict[str, Any]:
        details: dict[str, Any] = {
            "connectionKey": connection.key,
            "maxMessageSize": self.settings.max_message_size,
            "maxFrameSize": self.settings.max_frame_size,
            "maxInboundRate": 50,
            "serverId": self.server_id,
            "connectionStateTtl": self.settings.connection_state_ttl_ms,
            "maxIdleInterval": self.settings.max_idle_interval_ms,
        }
        client_id = connection.session.details_client_id
        if client_id is not None:
            details["clientId"] = client_id
        return details

    # -- protocol messages from clients ---------------------------------------------------

    def handle(self, connection: RealtimeConnection, message: Mapping[str, Any]) -> None:
        """Act on one protocol message a client sent."""
        action = message["action"]
        if connection.closing:
            return
        if action == HEARTBEAT:
            reply: WireMessage = {"action": HEARTBEAT}
            if message.get("id") is not None:
                reply["id"] = message["id"]
            connection.send(reply)
        elif action == CLOSE:
            connection.finish({"action": CLOSED})
        elif action == DISCONNECT:
            connection.finish()
        elif action == ATTACH:
            self._attach(connection, message)
        elif action == DETACH:
            channel = self._channel_of(connection, message)
            if channel is not None:
                with self._lock:
                    connection.channels.pop(channel, None)
                connection.send({"action": DETACHED, "channel": channel})
        elif action == MESSAGE:
            self._publish(connection, message)
        elif action == AUTH:
            self._reauthorize(connection, message)
        elif action in UNSUPPORTED_ACTIONS:
            connection.send(
                connection.error(
                    BAD_REQUEST,
                    400,
                    f"the Ably emulator does not support {UNSUPPORTED_ACTIONS[action]}",
                    action=NACK,
                    msgSerial=message.get("msgSerial"),
                    count=1,
                )
            )
        else:
            # Server-to-client actions and unknown numbers are protocol violations.
            connection.finish(
                connection.error(
                    BAD_REQUEST,
                    400,
                    f"invalid protocol message: unexpected action {action}",
                    action=ERROR,
                )
            )

    def _channel_of(self, connection: RealtimeConnection, message: Mapping[str, Any]) -> str | None:
        channel = message.get("channel")
        if isinstance(channel, str) and channel:
            return channel
        connection.finish(
            connection.error(INVALID_CHANNEL_NAME, 400, "invalid channel name", action=ERROR)
        )
        return None

    def _attach(self, connection: RealtimeConnection, message: Mapping[str, Any]) -> None:
        channel = self._channel_of(connection, message)
        if channel is None:
            return
        resource = capability_resource(channel)
        capability = connection.session.capability
        if not any(resource_matches(pattern, resource) for pattern in capability):
            # A channel error: ably-js puts the channel in the failed state.
            connection.send(
                connection.error(
                    OPERATION_NOT_PERMITTED,
                    401,
                    f"Channel denied access based on given capability; channel = {channel}",
                    action=ERROR,
                    channel=channel,
                )
            )
            return
        flags = message.get("flags")
        requested = (flags if isinstance(flags, int) else 0) & MODE_ALL or DEFAULT_MODES
        # Ably grants the modes asked for that the capability allows and drops the rest
        # (ably-js realtimechannel.ts: "the server grants only the modes the key or
        # token capability permits and silently drops the rest on attach").
        granted = sum(
            mode
            for mode, operation in MODE_OPERATIONS.items()
            if requested & mode and permits(capability, resource, operation)
        )
        with self.backend.realtime_attach_point() as serial, self._lock:
            resumed = channel in connection.channels
            connection.channels[channel] = granted
            connection.send(
                {
                    "action": ATTACHED,
                    "channel": channel,
                    "channelSerial": serial,
                    "flags": granted | (RESUMED if resumed else 0),
                }
            )

    def _publish(self, connection: RealtimeConnection, message: Mapping[str, Any]) -> None:
        serial = message.get("msgSerial")
        channel = self._channel_of(connection, message)
        if channel is None:
            return

        def nack(code: int, status: int, text: str) -> None:
            connection.send(
                connection.error(code, status, text, action=NACK, msgSerial=serial, count=1)
            )

        messages = message.get("messages")
        if not isinstance(messages, list) or not messages:
            nack(BAD_REQUEST, 400, "a MESSAGE needs a non-empty messages array")
            return
        if not all(isinstance(item, dict) for item in messages):
            nack(BAD_REQUEST, 400, "messages must be objects")
            return
        if any(item.get("action") not in (None, 0) for item in messages):
            nack(
                BAD_REQUEST,
                400,
                "the Ably emulator takes message updates and deletes over Chat REST only",
            )
            return
        modes = connection.channels.get(channel)
        if modes is not None and not modes & MODE_PUBLISH:
            nack(MODE_NOT_REQUESTED, 401, "Channel mode not requested when attaching: publish")
            return
        # The REST path, on behalf of this connection (its connectionKey).
        # Ably's ids for a connection's messages: <connectionId>:<msgSerial>:<index>.
        published = [
            {"id": f"{connection.id}:{serial}:{index}", **_json_safe(item)}
            | {"connectionKey": connection.key}
            for index, item in enumerate(messages)
        ]
        status, answer = self.backend.realtime_publish(connection.session, channel, published)
        if 200 <= status < 300:
            connection.send({"action": ACK, "msgSerial": serial, "count": 1, "res": [answer]})
        else:
            error = answer.get("error") if isinstance(answer, dict) else None
            connection.send(
                {
                    "action": NACK,
                    "msgSerial": serial,
                    "count": 1,
                    "error": error or WireError(50000, 500, "publish failed").wire(),
                }
            )

    def _reauthorize(self, connection: RealtimeConnection, message: Mapping[str, Any]) -> None:
        auth = message.get("auth")
        token = auth.get("accessToken") if isinstance(auth, dict) else None
        current = connection.session
        try:
            if not isinstance(token, str) or not token:
                raise WireError(BAD_REQUEST, 400, "AUTH needs auth.accessToken")
            session = self.backend.realtime_session(
                key=None, access_token=token, client_id=current.client_id
            )
        except WireError as refused:
            connection.finish({"action": ERROR, "error": refused.wire()})
            return
        connection.session = session
        connection.auth_requested = False
        connection.send(
            {
                "action": CONNECTED,
                "connectionId": connection.id,
                "connectionDetails": self._details(connection),
            }
        )
        # A narrower capability: channels it no longer covers fail (RTC8a1).
        for channel in list(connection.channels):
            resource = capability_resource(channel)
            if not any(resource_matches(pattern, resource) for pattern in session.capability):
                with self._lock:
                    connection.channels.pop(channel, None)
                connection.send(
                    connection.error(
                        OPERATION_NOT_PERMITTED,
                        401,
                        f"Channel denied access based on given capability; channel = {channel}",
                        action=ERROR,
                        channel=channel,
                    )
                )


def _json_safe(message: Mapping[str, Any]) -> dict[str, Any]:
    """A message with binary ``data`` base64-encoded, as Ably's JSON wire carries it."""
    data = message.get("data")
    if not isinstance(data, bytes | bytearray):
        return dict(message)
    encoding = message.get("encoding")
    return {
        **message,
        "data": base64.b64encode(bytes(data)).decode("ascii"),
        "encoding": f"{encoding}/base64" if encoding else "base64",
    }


def _http_error(status: int, code: int, message: str) -> Response:
    body = json.dumps(ably_error_body(code, status, message)).encode()
    headers = Headers(
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ]
    )
    reason = {400: "Bad Request", 404: "Not Found"}.get(status, "Error")
    return Response(status, reason, headers, body)
