"""An Ably emulator for local development: the REST subset chatmod and its clients use.

This is **not Ably**. It is a loopback server that answers the Ably REST calls
chatmod and chat clients make, closely enough that the real clients work against
it: the contract tests (``tests/contract``) drive npm ``ably`` 2.28 and
``@ably/chat`` 1.4 under node, and ably-python, against it. It keeps everything
in memory, has no presence and no persistence. Its realtime (WebSocket) side, on the
same port, is ``ably_realtime`` (docs/emulator.md): every message published here is
also delivered to the realtime connections attached to its channel.

What it serves (shapes from the real clients' source):

- Auth — ``POST /keys/{keyName}/requestToken`` exchanges a TokenRequest for a
  token (ably-js ``src/common/lib/client/auth.ts``), then required as
  ``Authorization: Bearer`` (or the key as Basic); ``POST
  /keys/{keyName}/revokeTokens`` answers a ``TokenRevocationResult`` batch.
- Chat REST v4 — @ably/chat 1.4 ``src/core/chat-api.ts`` (paths, ``X-Ably-Version:
  4``, ``?idempotencyKey=``) and ``src/core/rest-types.ts`` (every answer a whole
  ``RestMessage``): send, history, get, update, soft delete.
- Pub/sub REST — ``POST``/``GET /channels/{channel}/messages`` (ably-js
  ``restchannel.ts``: publish answers ``{serials}``; ``paginatedresource.ts``:
  ``Link`` headers), ``GET /time``.
- Integration rules (``ably_rules``) — every message published on a channel
  (pub/sub, and chat create/update/delete on ``<room>::$chat``) is handed to
  ``on_channel_message`` in Ably's SQS envelope (with its envelope ``timestamp``);
  chat sends, and updates when the rule says ``on_updates``, go through the
  ``before_publish`` rule first, with Ably's retry and failed-action semantics.

What it enforces, as Ably does (a lenient emulator hides production failures;
codes from ably-common ``errors/codes``, HTTP status in brackets):

- TokenRequests: the mac (40101 [401]); a timestamp within 2 minutes of now either
  way (40104 [401]) and a nonce of at least 16 characters (40001 [400]), single-use
  (40105 [401]) — https://ably.com/docs/api/token-request-spec; a key with
  revocable tokens issues tokens of at most an hour (40003 [400],
  https://ably.com/docs/auth/revocation).
- Tokens: expiry (40142), revocation (40141), unknown (40143), all [401].
- Capabilities on every call (40160 [401], ``ably_wire.permits``): each key has its
  own (``EmulatorKey``), which bounds calls with the key (Basic auth); a token gets
  the intersection of the capability it asks for with its key's (empty: 40160).
  Chat needs ``publish``, ``history``, ``message-update-own``/``-any``,
  ``message-delete-own``/``-any``; ``extras.privileged`` needs ``privileged-headers``.
- Identity (https://ably.com/docs/auth/identified-clients): a token for one
  clientId acts as that client only — an ``X-Ably-ClientId`` naming another is 40102
  [401], a published message with another ``clientId`` 40012 [400]; a token for
  ``*``, or the key, may publish as anyone; a token without a clientId as no one.
- ``revokeTokens``: Basic auth only (40162 [401], ably-js
  ``src/common/lib/client/rest.ts``); a key with revocable tokens (40163 [401]); an
  ``issuedBefore`` neither in the future nor over an hour old (40003 [400]); at most
  100 targets.
- Chat: send and update need a non-empty ``text`` (40001 [400], Ably's Chat OpenAPI,
  ably/docs ``static/open-specs/chat.yaml``); a delete blanks ``text``, ``metadata``
  and ``headers`` in its answer, get, history and on the channel (Ably's docs, chat
  "Delete a message").
- Channel rule: ``extras.privileged.skipRule`` (``"*"`` or this rule's id) and the
  rule's ``channel_filter`` (a regex searched in the channel name) keep a message out.
- Before-publish rule: a rejection answers 422 with 42213 and the rule's
  ``rejectionDetail`` as the error's ``detail``; a rule that could not decide, or
  answered outside the documented format (a rewrite with a missing or empty
  ``text``, a ``rejectionDetail`` value that is not a string, over 32 KiB), applies
  its failed action: ``publish`` the message as sent, or ``reject`` with 422 and
  42211 (@ably/chat ``src/core/errors.ts``: rejected by a before-publish rule).
  Ably does not document whether its rule sees edits: ``on_updates`` says.

Its REST side speaks JSON only: clients must set ``useBinaryProtocol: false`` (the
realtime side takes msgpack frames too).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import itertools
import json
import logging
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

import httpx

from chatmod_local.ably_realtime import (
    RealtimeHub,
    RealtimeSettings,
    Session,
    WireError,
)
from chatmod_local.ably_rules import (
    BeforePublishRule,
    RuleOutcome,
    before_publish_request,
    channel_envelope,
    chat_channel_message,
    envelope_message,
    invoke_before_publish,
    skips_rules,
)
from chatmod_local.ably_wire import (
    BAD_REQUEST,
    CHAT_CHANNEL_SUFFIX,
    FULL_CAPABILITY,
    INCOMPATIBLE_CREDENTIALS,
    INVALID_CLIENT_ID,
    INVALID_CREDENTIALS,
    INVALID_PARAMETER_VALUE,
    INVALID_REQUEST_BODY,
    NONCE_REPLAYED,
    NOT_FOUND,
    OPERATION_NOT_PERMITTED,
    REJECTED_BY_MODERATION,
    REJECTED_BY_RULE,
    REVOCATION_NOT_ENABLED,
    REVOKE_NEEDS_KEY,
    TIMESTAMP_NOT_CURRENT,
    TOKEN_EXPIRED,
    TOKEN_REVOKED,
    TOKEN_UNRECOGNISED,
    RecordedRequest,
    Reply,
    ably_error_body,
    b64_or_none,
    capability_text,
    error_headers,
    intersect_capabilities,
    now_ms,
    parse_capability,
    permits,
    sign_token_request,
)

__all__ = [
    "AblyEmulator",
    "BeforePublishRule",
    "EmulatorKey",
    "EmulatorState",
    "IssuedToken",
    "RecordedRequest",
    "Reply",
    "RuleOutcome",
    "ably_error_body",
    "now_ms",
    "sign_token_request",
]

logger = logging.getLogger(__name__)

DEFAULT_TOKEN_TTL_MS = 60 * 60 * 1000
# Ably checks "the timestamp (which must be within 2 minutes of the current time)"
# (https://ably.com/docs/api/token-request-spec): older or later is 40104.
TOKEN_REQUEST_CLOCK_SKEW_MS = 2 * 60 * 1000
# The nonce is "an unquoted, un-escaped random string of at least 16 characters"
# (the same spec); ably-js and ably-python make exactly 16.
MIN_NONCE_LENGTH = 16
MAX_REVOCATION_TARGETS = 100
# https://ably.com/docs/auth/revocation: "A request with an issuedBefore in the future,
# or more than an hour in the past will be rejected"; and a revocable key's tokens
# are "restricted to a maximum TTL of 1 hour".
MAX_REVOCATION_LOOKBACK_MS = 60 * 60 * 1000
MAX_REVOCABLE_TOKEN_TTL_MS = 60 * 60 * 1000
# History pages: Ably's default and largest page sizes.
DEFAULT_HISTORY_LIMIT = 100
MAX_HISTORY_LIMIT = 1000
# The wire numbers of message actions (ably-js src/common/lib/types/message.ts).
MESSAGE_CREATE = 0
MESSAGE_UPDATE = 1
MESSAGE_DELETE = 2

ChannelMessageSink = Callable[[str], None]
_Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 resets connections when many clients connect at once


@dataclass
class IssuedToken:
    """A token the emulator issued at ``requestToken``."""

    token: str
    key_name: str
    client_id: str | None
    capability: str
    issued: int
    expires: int


@dataclass(frozen=True)
class EmulatorKey:
    """An API key as Ably's dashboard configures it: its secret and its own capability.

    Attributes:
        secret: the secret half of the key (``<keyName>:<secret>``).
        capability: the key's capability as a JSON string (default ``{"*":["*"]}``).
            Ably bounds everything the key does by it: calls with the key (Basic
            auth) and the tokens it issues, whose capability is the intersection of
            the one asked for with this one (40160 where it falls short). Give a key
            less (e.g. without ``privileged-headers`` or ``message-delete-any``) to see
            locally what a production key so configured would refuse.
        revocable_tokens: the dashboard's "Revocable tokens" setting
            (https://ably.com/docs/auth/revocation). On (the default, as chatmod's
            production key must be): ``revokeTokens`` works and the key's tokens live
            at most an hour. Off: ``revokeTokens`` is refused with 40163.
    """

    secret: str
    capability: str = FULL_CAPABILITY
    revocable_tokens: bool = True

    def __post_init__(self) -> None:
        parse_capability(self.capability)  # raises ValueError when malformed

    @property
    def operations(self) -> dict[str, frozenset[str]]:
        """The capability parsed: resource → operations."""
        return parse_capability(self.capability)


@dataclass
class EmulatorState:
    """What the emulator remembers: keys, tokens, chat rooms, channels, revocations.

    ``rooms`` maps a room to its messages (serial → ``RestMessage``, in send
    order); ``channels`` maps a channel to its messages (id → wire message).
    """

    keys: dict[str, EmulatorKey]
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    nonces: set[tuple[str, str]] = field(default_factory=set)
    rooms: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    channels: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    revocations: list[dict[str, Any]] = field(default_factory=list)
    # (method, raw path, idempotencyKey) → the answer given the first time.
    idempotent_answers: dict[tuple[str, str, str], _Answer] = field(default_factory=dict)
    sequence: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_serial(self) -> str:
        """A serial shaped like Ably's (``<time>-<seq>@<node>:<index>``), increasing."""
        seq = next(self.sequence)
        return f"{now_ms():014d}-{seq:03d}@emulator01:{seq % 1000:03d}"

    def revoked(self, token: IssuedToken, now: int | None = None) -> bool:
        """Whether a revocation applies to ``token`` (its client id, issued before, in force).

        ``now`` (epoch ms, default the wall clock) decides whether it is in force yet.
        """
        now = now_ms() if now is None else now
        target = f"clientId:{token.client_id}"
        return any(
            entry["target"] == target
            and token.issued < entry["issuedBefore"]
            and entry["appliesAt"] <= now
            for entry in self.revocations
        )


@dataclass(frozen=True)
class _Caller:
    client_id: str | None
    basic: bool
    capability: Mapping[str, frozenset[str]]
    # Basic auth and wildcard ("*") tokens may give a message any clientId; a token
    # for one clientId only that one; a token without one none
    # (https://ably.com/docs/auth/identified-clients).
    any_client_id: bool = False

    def may_publish_as(self, client_id: Any) -> bool:
        """Whether a message may carry ``client_id`` (``"*"`` is never an identity)."""
        if not isinstance(client_id, str) or client_id in ("", "*"):
            return False
        return self.any_client_id or client_id == self.client_id


@dataclass(frozen=True)
class _Call:
    """A request the default handlers act on, with its caller resolved."""

    request: RecordedRequest
    segments: list[str]  # decoded path segments
    caller: _Caller
    # Channel messages to hand to the channel rule once the state lock is released.
    outbox: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # The chat message as the before-publish rule left it (text, metadata, headers).
    moderated: Mapping[str, Any] | None = None

    @property
    def client_id(self) -> str | None:
        return self.caller.client_id

    @property
    def basic(self) -> bool:
        return self.caller.basic


_Handler_t = Callable[[_Call], _Answer]


@dataclass(frozen=True)
class _Edit:
    """A chat update that passed its checks: the stored message, the body, its ``message``."""

    message: dict[str, Any]
    body: dict[str, Any]
    update: dict[str, Any]


class AblyEmulator:
    """A threaded HTTP server that speaks the Ably REST subset described in the module doc.

    Args:
        keys: API keys it accepts, keyName (``"app.keyid"``) → secret (a key with
            the capability ``{"*":["*"]}``) or an ``EmulatorKey`` (its own capability).
        host: the address to bind.
        port: the port to bind; 0 picks a free one.
        on_channel_message: receives the enveloped JSON (Ably's SQS rule body) of
            each message published on a channel, except those with
            ``extras.privileged.skipRule``; called outside the state lock, its
            exceptions are logged and never reach the publisher.
        channel_filter: the channel rule's ``channelFilter``: a regex searched in the
            full channel name (``<room>::$chat`` for chat); messages on channels it
            does not match are not handed to ``on_channel_message``. None = every channel.
        before_publish: the chat before-publish rule, if any.
        app_id: the ``appId`` of rule bodies; by default the first key's app id.
        http_client: the httpx client the before-publish rule is called with
            (default: a new client per call).
        realtime: the realtime side's settings (``connectionDetails`` and timers).
        realtime_clock: epoch milliseconds for the realtime timers (heartbeats, token
            expiry and revocation on live connections); tests inject one.
    """

    def __init__(
        self,
        *,
        keys: Mapping[str, str | EmulatorKey],
        host: str = "127.0.0.1",
        port: int = 0,
        on_channel_message: ChannelMessageSink | None = None,
        channel_filter: str | None = None,
        before_publish: BeforePublishRule | None = None,
        app_id: str | None = None,
        http_client: httpx.Client | None = None,
        realtime: RealtimeSettings | None = None,
        realtime_clock: Callable[[], int] = now_ms,
    ) -> None:
        if not keys:
            raise ValueError("the emulator needs at least one key")
        self.state = EmulatorState(
            keys={
                name: key if isinstance(key, EmulatorKey) else EmulatorKey(key)
                for name, key in keys.items()
            }
        )
        self.on_channel_message = on_channel_message
        self.channel_filter = channel_filter
        self.before_publish = before_publish
        self.app_id = app_id or next(iter(keys)).split(".", 1)[0]
        self._http_client = http_client
        self._host = host
        self._requested_port = port
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # The WebSocket side, on the same port (ably_realtime).
        self.realtime = RealtimeHub(self, realtime, realtime_clock)
        room = r"/chat/v4/rooms/[^/]+/messages"
        self._routes: list[tuple[str, re.Pattern[str], _Handler_t]] = [
            ("POST", re.compile(r"/keys/[^/]+/requestToken"), self._request_token),
            ("POST", re.compile(r"/keys/[^/]+/revokeTokens"), self._revoke_tokens),
            ("POST", re.compile(room), self._chat_send),
            ("GET", re.compile(room), self._chat_history),
            ("GET", re.compile(room + r"/[^/]+"), self._chat_get),
            ("PUT", re.compile(room + r"/[^/]+"), self._chat_update),
            ("POST", re.compile(room + r"/[^/]+/delete"), self._chat_delete),
            ("POST", re.compile(r"/channels/[^/]+/messages"), self._publish),
            ("GET", re.compile(r"/channels/[^/]+/messages"), self._channel_history),
            ("GET", re.compile(r"/time"), self._time),
        ]

    @property
    def channel_filter(self) -> str | None:
        """The channel rule's ``channelFilter`` regex (None = every channel)."""
        return self._channel_filter.pattern if self._channel_filter is not None else None

    @channel_filter.setter
    def channel_filter(self, pattern: str | None) -> None:
        try:
            self._channel_filter = re.compile(pattern) if pattern is not None else None
        except re.error as exc:
            raise ValueError(f"channel_filter is not a valid regex: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> AblyEmulator:
        """Bind the port and serve in a daemon thread; returns self."""
        owner = self

        class Handler(_HttpHandler):
            emulator = owner

        server = _Server((self._host, self._requested_port), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="ably-emulator", daemon=True
        )
        self._thread.start()
        self.realtime.start()
        return self

    def stop(self) -> None:
        """Stop serving, drop realtime connections and release the port."""
        self.realtime.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> AblyEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host(self) -> str:
        """The bound address."""
        return self._host

    @property
    def port(self) -> int:
        """The bound port (the chosen one when started with port 0)."""
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://<host>:<port>``."""
        return f"http://{self._host}:{self.port}"

    # -- read access -----------------------------------------------------------

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages published on a pub/sub channel, oldest first (copies)."""
        with self._lock:
            return [_copy(m) for m in self.state.channels.get(channel, {}).values()]

    def chat_messages(self, room: str) -> list[dict[str, Any]]:
        """The chat messages of a room (bare name) as ``RestMessage``s, oldest first (copies)."""
        with self._lock:
            return [_copy(m) for m in self.state.rooms.get(room, {}).values()]

    def revoked(self, client_id: str) -> bool:
        """Whether ``revokeTokens`` has targeted ``clientId:<client_id>``."""
        with self._lock:
            return any(e["target"] == f"clientId:{client_id}" for e in self.state.revocations)

    def expire_tokens(self) -> None:
        """Make every issued token expired, as if an hour had passed."""
        with self._lock:
            for token in self.state.tokens.values():
                token.expires = now_ms() - 1
        self.realtime.poke()  # live connections on those tokens are disconnected

    # -- dispatch ------------------------------------------------------------------

    def _intercept(self, request: RecordedRequest) -> Reply | None:
        """A hook run first for each request: a reply replaces the default answer.

        The emulator answers everything itself; the test stub overrides this to
        record requests and play scripted replies.
        """
        return None

    def _default(self, request: RecordedRequest) -> _Answer:
        handler = self._route(request)
        if handler is None:
            return _error(404, NOT_FOUND, f"no route for {request.method} {request.path}")
        if handler == self._request_token:
            caller = _Caller(None, basic=False, capability={})
        else:
            auth = self._authenticate(request)
            if isinstance(auth, tuple):
                return auth
            caller = auth
        answer = self._run(handler, request, caller)
        if handler == self._revoke_tokens:
            self.realtime.poke()  # live connections on revoked tokens are dropped now
        return answer

    def _route(self, request: RecordedRequest) -> _Handler_t | None:
        for method, pattern, handler in self._routes:
            if method == request.method and pattern.fullmatch(request.raw_path):
                return handler
        return None

    def _run(self, handler: _Handler_t, request: RecordedRequest, caller: _Caller) -> _Answer:
        """Run a route's handler as ``caller``: rules, the lock, idempotency, delivery."""
        segments = [unquote(part) for part in request.raw_path.split("/")[1:]]
        call = _Call(request, segments, caller)
        if handler == self._chat_send:
            answer = self._moderated_send(call)
        elif handler == self._chat_update:
            answer = self._moderated_update(call)
        else:
            with self._lock:
                answer = self._idempotently(handler, call)
        self._deliver(call.outbox)
        return answer

    def _idempotently(self, handler: _Handler_t, call: _Call) -> _Answer:
        """Run ``handler`` (the lock held) once per idempotency key; fan out what it published."""
        # @ably/chat adds ?idempotencyKey= to send, update and delete so that a
        # retried request is applied once: the same key gets the same answer.
        key = call.request.param("idempotencyKey")
        if key is None or call.request.method == "GET":
            answer = handler(call)
        else:
            scope = (call.request.method, call.request.raw_path, key)
            if scope in self.state.idempotent_answers:
                return self.state.idempotent_answers[scope]
            answer = handler(call)
            if 200 <= answer[0] < 300:
                self.state.idempotent_answers[scope] = answer
        # Still under the lock: realtime subscribers get messages in serial order.
        for channel, message in call.outbox:
            self.realtime.fan_out(channel, message)
        return answer

    # -- the realtime side's backend (ably_realtime.RealtimeBackend) --------------------

    def realtime_session(
        self, *, key: str | None, access_token: str | None, client_id: str | None
    ) -> Session:
        """Who a realtime connection acts as, from the query's ``key`` or ``access_token``.

        Raises:
            WireError: the credentials are refused (the codes REST answers with).
        """
        if client_id == "*":
            raise WireError(INVALID_CLIENT_ID, 400, "clientId '*' is not an identity")
        if key is not None:
            key_name, _, secret = key.partition(":")
            known = self.state.keys.get(key_name)
            if known is None or not hmac.compare_digest(known.secret, secret):
                raise WireError(INVALID_CREDENTIALS, 401, "invalid credentials")
            return Session(client_id, known.operations, any_client_id=True)
        if not access_token:
            raise WireError(INVALID_CREDENTIALS, 401, "no credentials: key or access_token")
        with self._lock:
            token = self.state.tokens.get(access_token) or self.state.tokens.get(
                b64_or_none(access_token) or ""
            )
        if token is None:
            raise WireError(TOKEN_UNRECOGNISED, 401, "token unrecognised")
        problem = self.realtime_token_problem(token, self.realtime.clock())
        if problem is not None:
            raise problem
        capability = parse_capability(token.capability)
        if token.client_id == "*":
            return Session(client_id, capability, any_client_id=True, token=token)
        if client_id is not None and client_id != token.client_id:
            raise WireError(INCOMPATIBLE_CREDENTIALS, 401, "Invalid clientId for credentials")
        return Session(token.client_id, capability, token=token)

    def realtime_token_problem(self, token: IssuedToken, now: int) -> WireError | None:
        """Why ``token`` no longer authenticates at ``now``: expired (40142), revoked (40141)."""
        if token.expires < now:
            return WireError(TOKEN_EXPIRED, 401, "Key/token status changed (expire)")
        with self._lock:
            revoked = self.state.revoked(token, now)
        if revoked:
            return WireError(TOKEN_REVOKED, 401, "Token revoked")
        return None

    def realtime_publish(
        self, session: Session, channel: str, messages: list[dict[str, Any]]
    ) -> tuple[int, Any]:
        """A realtime publish, through the REST publish path as ``session``."""
        request = RecordedRequest(
            method="POST",
            raw_path=f"/channels/{quote(channel, safe='')}/messages",
            query={},
            headers={"content-type": "application/json"},
            body=json.dumps(messages).encode(),
            client_port=0,
        )
        caller = _Caller(
            session.client_id,
            basic=session.token is None,
            capability=session.capability,
            any_client_id=session.any_client_id,
        )
        status, body, *_ = self._run(self._publish, request, caller)
        return status, body

    @contextlib.contextmanager
    def realtime_attach_point(self) -> Iterator[str]:
        """Hold the state lock and yield a serial after every message published so far."""
        with self._lock:
            yield self.state.next_serial()

    def _deliver(self, outbox: list[tuple[str, dict[str, Any]]]) -> None:
        """Hand published messages to the channel rule, outside the lock, never failing."""
        sink = self.on_channel_message
        if sink is None:
            return
        channel_filter = self._channel_filter
        for channel, message in outbox:
            if skips_rules(message):
                continue
            # Ably's channel filter is searched anywhere in the name ("news" matches
            # "public:news:europe": https://ably.com/docs/platform/integrations/streaming#filter).
            if channel_filter is not None and channel_filter.search(channel) is None:
                continue
            body = channel_envelope(
                app_id=self.app_id,
                channel=channel,
                messages=[envelope_message(message)],
                timestamp=now_ms(),
            )
            try:
                sink(body)
            except Exception:
                logger.exception("on_channel_message failed for a message on %r", channel)

    def _authenticate(self, request: RecordedRequest) -> _Caller | _Answer:
        """Who the request acts as and what it may do, or an error answer."""
        authorization = request.header("authorization") or ""
        scheme, _, credentials = authorization.partition(" ")
        header_client_id = _decode_client_id(request.header("x-ably-clientid"))
        if scheme.lower() == "basic":
            try:
                key_name, _, secret = base64.b64decode(credentials).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return _error(401, INVALID_CREDENTIALS, "malformed basic credentials")
            key = self.state.keys.get(key_name)
            if key is None or not hmac.compare_digest(key.secret, secret):
                return _error(401, INVALID_CREDENTIALS, "invalid credentials")
            # The key's own capability bounds what it may do (40160 otherwise).
            return _Caller(header_client_id, True, key.operations, any_client_id=True)
        if scheme.lower() == "bearer":
            with self._lock:
                token = self.state.tokens.get(credentials) or self.state.tokens.get(
                    b64_or_none(credentials) or ""
                )
                revoked = token is not None and self.state.revoked(token)
            if token is None:
                return _error(401, TOKEN_UNRECOGNISED, "token unrecognised")
            if token.expires < now_ms():
                return _error(401, TOKEN_EXPIRED, "token expired")
            if revoked:
                return _error(401, TOKEN_REVOKED, "token revoked")
            capability = parse_capability(token.capability)
            if token.client_id == "*":
                return _Caller(header_client_id, False, capability, any_client_id=True)
            if header_client_id is not None and header_client_id != token.client_id:
                # A clientId the token does not permit: 40102 "Invalid clientId for
                # credentials" (ably-common errors/codes/40102.md).
                return _error(401, INCOMPATIBLE_CREDENTIALS, "Invalid clientId for credentials")
            return _Caller(token.client_id, False, capability)
        return _error(401, INVALID_CREDENTIALS, "no credentials")

    @staticmethod
    def _forbidden(call: _Call, resource: str, *operations: str) -> _Answer | None:
        """401/40160 unless the caller's capability grants one of ``operations`` on ``resource``."""
        if any(permits(call.caller.capability, resource, op) for op in operations):
            return None
        wanted = " or ".join(operations)
        return _error(
            401,
            OPERATION_NOT_PERMITTED,
            f"Unable to perform channel operation (operation not permitted with provided "
            f"capability): {wanted} on {resource!r}",
        )

    # -- tokens (default handlers are called under the lock) -------------------------

    def _request_token(self, call: _Call) -> _Answer:
        key_name = call.segments[1]
        try:
            body = call.request.json()
        except ValueError:
            return _error(400, BAD_REQUEST, "TokenRequest is not JSON")
        if not isinstance(body, dict):
            return _error(400, BAD_REQUEST, "TokenRequest must be an object")
        key = self.state.keys.get(key_name)
        if key is None or body.get("keyName") != key_name:
            return _error(404, NOT_FOUND, "no such key")
        # A field not in its documented form is 40001 ("invalid request body ... most
        # often on token requests, where a field is absent or not in the expected form").
        timestamp = body.get("timestamp")
        if isinstance(timestamp, bool) or not isinstance(timestamp, int):
            return _error(400, INVALID_REQUEST_BODY, "invalid request body: timestamp")
        nonce = body.get("nonce")
        if not isinstance(nonce, str) or len(nonce) < MIN_NONCE_LENGTH:
            return _error(
                400,
                INVALID_REQUEST_BODY,
                f"invalid request body: nonce must be at least {MIN_NONCE_LENGTH} characters",
            )
        if not hmac.compare_digest(str(body.get("mac", "")), sign_token_request(key.secret, body)):
            return _error(401, INVALID_CREDENTIALS, "invalid mac")
        if abs(now_ms() - timestamp) > TOKEN_REQUEST_CLOCK_SKEW_MS:
            return _error(401, TIMESTAMP_NOT_CURRENT, "Timestamp not current")
        nonce_key = (key_name, nonce)
        if nonce_key in self.state.nonces:
            return _error(401, NONCE_REPLAYED, "nonce value replayed")
        try:
            # A TokenRequest without a capability asks for the key's own.
            requested = parse_capability(body.get("capability") or key.capability)
        except (TypeError, ValueError) as exc:
            return _error(400, BAD_REQUEST, f"invalid capability: {exc}")
        # The token gets "the intersection of this capability with the capability of
        # the issuing key" (ably-js TokenRequest docs); Ably refuses an empty one with
        # 401 (ably-js test/rest/capability.test.js, "Empty ops/paths intersection").
        granted = intersect_capabilities(requested, key.operations)
        if not granted:
            return _error(
                401,
                OPERATION_NOT_PERMITTED,
                "Invalid capability: the requested capability has no intersection with the key's",
            )
        capability = capability_text(granted)
        ttl = body.get("ttl") or DEFAULT_TOKEN_TTL_MS
        if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl <= 0:
            return _error(400, INVALID_REQUEST_BODY, "invalid request body: ttl")
        if key.revocable_tokens and ttl > MAX_REVOCABLE_TOKEN_TTL_MS:
            # No code is documented for it: 40003 is Ably's for "a token ttl above
            # the permitted maximum" (ably-common errors/codes/40003.md).
            return _error(
                400,
                INVALID_PARAMETER_VALUE,
                "Invalid ttl: tokens of a key with revocable tokens live at most 1 hour",
            )
        self.state.nonces.add(nonce_key)
        issued = now_ms()
        token = IssuedToken(
            token=f"emulator-token.{secrets.token_urlsafe(12)}",
            key_name=key_name,
            client_id=body.get("clientId"),
            capability=capability,
            issued=issued,
            expires=issued + ttl,
        )
        self.state.tokens[token.token] = token
        # TokenDetails, as ably-js and ably-python read it.
        return 200, {
            "token": token.token,
            "keyName": key_name,
            "issued": token.issued,
            "expires": token.expires,
            "capability": token.capability,
            "clientId": token.client_id,
        }

    def _revoke_tokens(self, call: _Call) -> _Answer:
        if not call.basic:
            # ably-js refuses this itself (rest.ts, revokeTokens); Ably does too.
            return _error(401, REVOKE_NEEDS_KEY, "Cannot revoke tokens when using token auth")
        key = self.state.keys.get(call.segments[1])
        if key is None:
            return _error(404, NOT_FOUND, "no such key")
        if not key.revocable_tokens:
            # ably-common errors/codes/40163.md: "the API key used does not have
            # revocable tokens enabled" (401, as its first three digits say).
            return _error(
                401, REVOCATION_NOT_ENABLED, "Token revocation is not enabled for this API key"
            )
        body = _json_object(call.request)
        targets = body.get("targets") if body is not None else None
        if not isinstance(targets, list) or not targets:
            return _error(400, BAD_REQUEST, "targets is required")
        if len(targets) > MAX_REVOCATION_TARGETS:
            return _error(400, BAD_REQUEST, "at most 100 targets")
        assert body is not None
        now = now_ms()
        issued_before = body.get("issuedBefore", now)
        if (
            isinstance(issued_before, bool)
            or not isinstance(issued_before, int)
            or not now - MAX_REVOCATION_LOOKBACK_MS <= issued_before <= now
        ):
            # Refused, as Ably's revocation docs say; no code is documented for it:
            # 40003, Ably's code for a parameter "outside the allowed range".
            return _error(
                400,
                INVALID_PARAMETER_VALUE,
                "Invalid issuedBefore: it must not be in the future or more than an hour ago",
            )
        applies_at = now + (30_000 if body.get("allowReauthMargin") else 0)
        results: list[dict[str, Any]] = []
        for target in targets:
            kind, _, value = str(target).partition(":")
            if kind not in ("clientId", "revocationKey", "channel") or not value:
                error = ably_error_body(BAD_REQUEST, 400, f"invalid target {target!r}")["error"]
                results.append({"target": target, "error": error})
                continue
            entry = {"target": target, "issuedBefore": issued_before, "appliesAt": applies_at}
            self.state.revocations.append(entry)
            results.append(entry)
        failures = sum(1 for result in results if "error" in result)
        return 201, {
            "successCount": len(results) - failures,
            "failureCount": failures,
            "results": results,
        }

    # -- chat ------------------------------------------------------------------------

    def _moderated_send(self, call: _Call) -> _Answer:
        """A chat send: validate, ask the before-publish rule (outside the lock), then store."""
        room = call.segments[3]
        body = _json_object(call.request)
        if body is None or not _has_text(body):
            return _text_required()
        if not _optional_objects(body, "metadata", "headers"):
            return _error(400, BAD_REQUEST, "metadata and headers must be objects")
        refusal = self._forbidden(call, room, "publish")
        if refusal is not None:
            return refusal
        rule = self.before_publish
        if rule is None or not rule.applies_to(room):
            with self._lock:
                return self._idempotently(self._chat_send, call)
        submitted = {"clientId": call.client_id, **body}
        return self._after_rule(rule, call, room, submitted, self._chat_send)

    def _moderated_update(self, call: _Call) -> _Answer:
        """A chat update: as a send when the rule runs on updates, else applied at once."""
        room = call.segments[3]
        rule = self.before_publish
        if rule is None or not rule.on_updates or not rule.applies_to(room):
            with self._lock:
                return self._idempotently(self._chat_update, call)
        with self._lock:
            checked = self._checked_update(call)
        if not isinstance(checked, _Edit):
            return checked  # refused before the rule is asked, as a send is
        # The message as it would be published: its author's clientId (an update
        # keeps the message's clientId; the editor is the version's) and the new content.
        submitted = {"clientId": checked.message.get("clientId"), **checked.update}
        return self._after_rule(rule, call, room, submitted, self._chat_update)

    def _after_rule(
        self,
        rule: BeforePublishRule,
        call: _Call,
        room: str,
        submitted: Mapping[str, Any],
        handler: _Handler_t,
    ) -> _Answer:
        """Ask the rule about ``submitted`` (outside the lock); run ``handler`` if accepted."""
        key = call.request.param("idempotencyKey")
        if key is not None:
            with self._lock:
                # A retried request gets its first answer without asking the rule again.
                answered = self.state.idempotent_answers.get(
                    (call.request.method, call.request.raw_path, key)
                )
            if answered is not None:
                return answered
        outcome = invoke_before_publish(
            rule,
            before_publish_request(app_id=self.app_id, room=room, message=submitted),
            client=self._http_client,
        )
        if outcome.verdict == "reject":
            return _error(
                422, REJECTED_BY_MODERATION, "message rejected by moderation", outcome.detail
            )
        if outcome.verdict == "failed":
            return _error(
                422,
                REJECTED_BY_RULE,
                "message rejected: the before-publish rule failed and its failed action is reject",
                outcome.detail,
            )
        call = replace(call, moderated=outcome.message)
        with self._lock:
            return self._idempotently(handler, call)

    def _chat_send(self, call: _Call) -> _Answer:
        room = call.segments[3]
        body = call.moderated or _json_object(call.request) or {}
        serial = self.state.next_serial()
        timestamp = now_ms()
        message = {
            "serial": serial,
            "version": {"serial": serial, "timestamp": timestamp},
            "text": body["text"],
            "clientId": call.client_id,
            "action": "message.create",
            "metadata": body.get("metadata") or {},
            "headers": body.get("headers") or {},
            "timestamp": timestamp,
        }
        self.state.rooms.setdefault(room, {})[serial] = message
        self._forward_chat(call, room, message, MESSAGE_CREATE)
        return 200, _copy(message)

    def _chat_get(self, call: _Call) -> _Answer:
        refusal = self._forbidden(call, call.segments[3], "history")
        if refusal is not None:
            return refusal
        message = self.state.rooms.get(call.segments[3], {}).get(call.segments[5])
        if message is None:
            return _error(404, NOT_FOUND, "message not found")
        return 200, _copy(message)

    def _own_or_any(
        self, call: _Call, room: str, message: Mapping[str, Any], verb: str
    ) -> _Answer | None:
        # message-{verb}-any on any message; message-{verb}-own on the caller's own.
        own = call.client_id is not None and message.get("clientId") == call.client_id
        operations = [f"message-{verb}-any"] + ([f"message-{verb}-own"] if own else [])
        return self._forbidden(call, room, *operations)

    def _checked_update(self, call: _Call) -> _Edit | _Answer:
        """The message an update targets and the update, or why it is refused."""
        room, serial = call.segments[3], call.segments[5]
        message = self.state.rooms.get(room, {}).get(serial)
        if message is None:
            refusal = self._forbidden(call, room, "message-update-any", "message-update-own")
            return refusal or _error(404, NOT_FOUND, "message not found")
        refusal = self._own_or_any(call, room, message, "update")
        if refusal is not None:
            return refusal
        body = _json_object(call.request)
        update = body.get("message") if body is not None else None
        if body is None or not isinstance(update, dict) or not _has_text(update):
            return _text_required()
        if not _optional_objects(update, "metadata", "headers"):
            return _error(400, BAD_REQUEST, "metadata and headers must be objects")
        return _Edit(message, body, update)

    def _chat_update(self, call: _Call) -> _Answer:
        checked = self._checked_update(call)
        if not isinstance(checked, _Edit):
            return checked
        room = call.segments[3]
        # The before-publish rule's answer, if it ran (it may have rewritten the update).
        content = call.moderated or checked.update
        # The message is replaced whole: omitted fields become empty (chat-api.ts).
        checked.message.update(
            text=content["text"],
            metadata=content.get("metadata") or {},
            headers=content.get("headers") or {},
            action="message.update",
            version=self._version(call, checked.body),
        )
        self._forward_chat(call, room, checked.message, MESSAGE_UPDATE)
        return 200, _copy(checked.message)

    def _chat_delete(self, call: _Call) -> _Answer:
        room, serial = call.segments[3], call.segments[5]
        message = self.state.rooms.get(room, {}).get(serial)
        if message is None:
            refusal = self._forbidden(call, room, "message-delete-any", "message-delete-own")
            return refusal or _error(404, NOT_FOUND, "message not found")
        refusal = self._own_or_any(call, room, message, "delete")
        if refusal is not None:
            return refusal
        body = _json_object(call.request) if call.request.body else {}
        if body is None:
            return _error(400, BAD_REQUEST, "the body must be an object")
        # A deleted message keeps its serial and clientId; its text becomes "" and its
        # metadata and headers {} (Ably's docs, chat/rooms/messages "Delete a message":
        # the answer, history, get and the message on the channel alike).
        message.update(
            text="",
            metadata={},
            headers={},
            action="message.delete",
            version=self._version(call, body),
        )
        self._forward_chat(call, room, message, MESSAGE_DELETE)
        return 200, _copy(message)

    def _version(self, call: _Call, body: Mapping[str, Any]) -> dict[str, Any]:
        # RestVersion (rest-types.ts): serial, timestamp, clientId?, description?, metadata?
        version: dict[str, Any] = {"serial": self.state.next_serial(), "timestamp": now_ms()}
        if call.client_id is not None:
            version["clientId"] = call.client_id
        if isinstance(body.get("description"), str):
            version["description"] = body["description"]
        if isinstance(body.get("metadata"), dict):
            version["metadata"] = body["metadata"]
        return version

    def _forward_chat(
        self, call: _Call, room: str, message: Mapping[str, Any], action: int
    ) -> None:
        connection_id = f"emu{secrets.token_hex(5)}"
        wire = chat_channel_message(
            message, action=action, message_id=f"{connection_id}:0:0", connection_id=connection_id
        )
        call.outbox.append((room + CHAT_CHANNEL_SUFFIX, wire))

    def _chat_history(self, call: _Call) -> _Answer:
        refusal = self._forbidden(call, call.segments[3], "history")
        if refusal is not None:
            return refusal
        messages = list(self.state.rooms.get(call.segments[3], {}).values())
        before = call.request.param("fromSerial")
        if before is not None:
            # historyBeforeSubscribe (@ably/chat messages.ts) asks for what came before
            # the channel's attach serial: serials order as they were issued.
            messages = [m for m in messages if m["serial"] < before]
        return _history_page(call.request, messages, lambda m: m["timestamp"])

    # -- pub/sub -----------------------------------------------------------------------

    def _publish(self, call: _Call) -> _Answer:
        channel = call.segments[1]
        try:
            body = call.request.json()
        except ValueError:
            return _error(400, BAD_REQUEST, "the body is not JSON")
        messages = body if isinstance(body, list) else [body]
        if not all(isinstance(message, dict) for message in messages):
            return _error(400, BAD_REQUEST, "messages must be objects")
        resource = channel.removesuffix(CHAT_CHANNEL_SUFFIX)
        refusal = self._forbidden(call, resource, "publish")
        if refusal is None and any(_privileged(message) for message in messages):
            # extras.privileged (e.g. skipRule) needs the privileged-headers capability.
            refusal = self._forbidden(call, resource, "privileged-headers")
        if refusal is not None:
            return refusal
        for message in messages:
            client_id = message.get("clientId")
            if client_id is not None and not call.caller.may_publish_as(client_id):
                # 40012 (HTTP 400): a clientId the credentials do not permit
                # (ably-common errors/codes/40012.md; ably-python refuses it itself
                # with the same code, rest/channel.py, RSL1m).
                return _error(
                    400,
                    INVALID_CLIENT_ID,
                    f"invalid clientId {client_id!r}: not permitted by the credentials",
                )
        stored = self.state.channels.setdefault(channel, {})
        serials = []
        connection_id = f"emu{secrets.token_hex(5)}"
        for index, message in enumerate(messages):
            message_id = message.get("id") or f"{connection_id}:0:{index}"
            # Client-supplied ids make publishing idempotent, as in Ably.
            if message_id not in stored:
                wire = {key: value for key, value in message.items() if key != "connectionKey"}
                wire.update(
                    id=message_id,
                    serial=self.state.next_serial(),
                    timestamp=now_ms(),
                    action=MESSAGE_CREATE,
                )
                client_id = message.get("clientId") or call.client_id
                if client_id is not None:
                    wire["clientId"] = client_id
                stored[message_id] = wire
                forwarded = dict(wire)
                # A message published on behalf of a realtime connection (its
                # connectionKey) comes from that connection; otherwise from the REST call.
                key = message.get("connectionKey")
                forwarded["connectionId"] = (
                    str(key).split("!", 1)[0] if isinstance(key, str) and key else connection_id
                )
                call.outbox.append((channel, forwarded))
            serials.append(stored[message_id]["serial"])
        return 201, {"serials": serials}

    def _channel_history(self, call: _Call) -> _Answer:
        channel = call.segments[1]
        refusal = self._forbidden(call, channel.removesuffix(CHAT_CHANNEL_SUFFIX), "history")
        if refusal is not None:
            return refusal
        messages = list(self.state.channels.get(channel, {}).values())
        return _history_page(call.request, messages, lambda m: m["timestamp"])

    def _time(self, call: _Call) -> _Answer:
        return 200, [now_ms()]


def _privileged(message: Mapping[str, Any]) -> bool:
    extras = message.get("extras")
    return isinstance(extras, dict) and "privileged" in extras


def _error(
    status: int, code: int, message: str, detail: Mapping[str, str] | None = None
) -> _Answer:
    return status, ably_error_body(code, status, message, detail), error_headers(code, message)


def _copy(message: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(message))  # type: ignore[no-any-return]


def _json_object(request: RecordedRequest) -> dict[str, Any] | None:
    try:
        body = request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _has_text(message: Mapping[str, Any]) -> bool:
    # Ably's Chat OpenAPI (ably/docs static/open-specs/chat.yaml), send and update:
    # text "is required. Empty strings will result in an error" (400).
    text = message.get("text")
    return isinstance(text, str) and text != ""


def _text_required() -> _Answer:
    # The Chat OpenAPI's own example of that 400: code 40001, this message.
    return _error(400, INVALID_REQUEST_BODY, "Invalid request payload. 'text' field is required.")


def _optional_objects(body: Mapping[str, Any], *names: str) -> bool:
    return all(body.get(name) is None or isinstance(body.get(name), dict) for name in names)


def _history_page(
    request: RecordedRequest,
    messages: list[dict[str, Any]],
    timestamp: Callable[[dict[str, Any]], int],
) -> _Answer:
    """One page of history, newest first unless ``direction=forwards``, with ``Link`` headers.

    Reads ``start``, ``end`` (epoch ms), ``direction``, ``limit`` as Ably's history
    does; the next page is addressed by an opaque ``cursor`` in the ``rel="next"``
    link, which clients follow without reading it.
    """
    try:
        limit = int(request.param("limit") or DEFAULT_HISTORY_LIMIT)
        start = int(request.param("start") or 0)
        end = int(request.param("end") or 2**62)
        cursor = int(request.param("cursor") or 0)
    except ValueError:
        return _error(400, INVALID_PARAMETER_VALUE, "invalid parameter value")
    direction = request.param("direction") or "backwards"
    if direction not in ("backwards", "forwards") or not 0 < limit <= MAX_HISTORY_LIMIT:
        return _error(400, INVALID_PARAMETER_VALUE, "invalid parameter value")
    selected = [m for m in messages if start <= timestamp(m) <= end]
    if direction == "backwards":
        selected.reverse()
    page = [_copy(m) for m in selected[cursor : cursor + limit]]
    base = {
        name: request.param(name)
        for name in ("limit", "start", "end", "direction")
        if request.param(name) is not None
    }
    resource = request.raw_path.rsplit("/", 1)[-1]
    links = [
        f'<./{resource}?{urlencode(base)}>; rel="first"',
        f'<./{resource}?{urlencode({**base, "cursor": cursor})}>; rel="current"',
    ]
    if cursor + limit < len(selected):
        links.append(f'<./{resource}?{urlencode({**base, "cursor": cursor + limit})}>; rel="next"')
    return 200, page, {"Link": ", ".join(links)}


def _decode_client_id(value: str | None) -> str | None:
    # ably-python (RSA7e2) sends X-Ably-ClientId base64-encoded.
    if not value:
        return None
    return b64_or_none(value) or value


class _HttpHandler(BaseHTTPRequestHandler):
    emulator: AblyEmulator
    # HTTP/1.1 so that clients keep connections alive, as they do with Ably.
    protocol_version = "HTTP/1.1"
    # One write per response and no Nagle delay: otherwise every loopback round
    # trip pays the ~40 ms delayed-ACK stall.
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: requests are not logged line by line."""

    def _handle(self) -> None:
        raw_path, _, query = self.path.partition("?")
        upgrade = (self.headers.get("Upgrade") or "").lower() == "websocket"
        length = 0 if upgrade else int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        request = RecordedRequest(
            method=self.command,
            raw_path=raw_path,
            query=parse_qs(query),
            headers=headers,
            body=body,
            client_port=int(self.client_address[1]),
        )
        reply = self.emulator._intercept(request)
        if reply is not None and reply.on_request is not None:
            reply.on_request(request)
        if upgrade and (reply is None or reply.process):
            # The realtime side (ably-js uses one host and port for REST and realtime).
            self.close_connection = True
            head = f"{self.requestline}\r\n".encode("latin-1") + b"".join(
                f"{name}: {value}\r\n".encode("latin-1") for name, value in self.headers.items()
            )
            self.emulator.realtime.serve(
                self.connection,
                self.rfile,  # type: ignore[arg-type]
                head + b"\r\n",
                request.query,
            )
            return
        if reply is None or reply.process:
            status, payload, *extra = self.emulator._default(request)
            if reply is None:
                reply = Reply(status, payload, headers=extra[0] if extra else {})
        if reply.delay_s:
            time.sleep(reply.delay_s)
        if reply.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        content = reply.raw
        if content is None:
            content = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        if content:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(content)))
        for name, value in {**self._cors_headers(), **reply.headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    def _cors_headers(self) -> dict[str, str]:
        """CORS for the caller's origin: ably-js sends XHRs with credentials in browsers
        (``withCredentials``), which a browser refuses to read under ``*``; the origin is
        named back with ``Allow-Credentials`` instead (seen in the console: the live view's
        history request was blocked under ``*``)."""
        origin = self.headers.get("Origin")
        if not origin:
            return dict(CORS_HEADERS)
        return {
            **CORS_HEADERS,
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin",
        }

    def do_OPTIONS(self) -> None:
        """A browser's CORS preflight: any origin, the methods and headers it asks for."""
        self.send_response(204)
        for name, value in self._cors_headers().items():
            self.send_header(name, value)
        self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
        requested = self.headers.get("Access-Control-Request-Headers")
        if requested:
            self.send_header("Access-Control-Allow-Headers", requested)
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _safe_handle(self) -> None:
        try:
            self._handle()
        except (BrokenPipeError, ConnectionResetError, OSError):
            # The client gave up (e.g. its timeout fired during a scripted delay).
            self.close_connection = True

    do_GET = _safe_handle
    do_POST = _safe_handle
    do_PUT = _safe_handle
    do_PATCH = _safe_handle
    do_DELETE = _safe_handle


# Ably's REST answers browsers from any origin (clients authenticate with a key or a
# token, never cookies); a browser reads only the headers exposed to it: ably-js reads
# Link (history pages) and the X-Ably-Error* headers.
CORS_HEADERS: dict[str, str] = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Link, X-Ably-Errorcode, X-Ably-Errormessage",
}


def chat_path(room: str, *rest: str) -> str:
    """The Chat REST v4 path of a room's messages (names URL-encoded, as @ably/chat does)."""
    return "/".join(["/chat/v4/rooms", quote(room, safe=""), "messages", *rest])
