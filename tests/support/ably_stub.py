"""A loopback Ably REST stub: records every request and answers from a script or as Ably does.

The answers follow the real clients, which the contract tests (``tests/contract``)
drive against this stub:

- Chat REST v4 — @ably/chat 1.4 ``src/core/chat-api.ts`` (paths, ``X-Ably-Version: 4``,
  ``?idempotencyKey=``, the update body) and ``src/core/rest-types.ts`` (every
  answer is a whole ``RestMessage``; history is a list of them).
- Pub/sub REST and auth — ably-js 2.x ``src/common/lib/client/auth.ts`` (the
  TokenRequest mac over ``keyName, ttl, capability, clientId, timestamp, nonce``,
  each followed by a newline), ``rest.ts`` (``revokeTokens`` needs Basic auth,
  error 40162; its answer is a ``TokenRevocationResult``), ``restchannel.ts``
  (publish answers ``{serials}``), ``paginatedresource.ts`` (``Link`` headers
  ``<./messages?...>; rel="next"``).
- Error codes — ably-common ``protocol/errors.json`` (40101 invalid credentials,
  40104 timestamp not current, 40105 nonce replayed, 40141 token revoked, 40142
  token expired, 40143 token unrecognised).

It speaks JSON only: clients must set ``useBinaryProtocol: false``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import json
import re
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

# The fake credentials tests use everywhere. Plainly not a real Ably key.
FAKE_KEY_NAME = "appid.keyid"
FAKE_KEY_SECRET = "fakesecretfakesecretfake"
FAKE_API_KEY = f"{FAKE_KEY_NAME}:{FAKE_KEY_SECRET}"

DEFAULT_TOKEN_TTL_MS = 60 * 60 * 1000
# Ably refuses TokenRequests whose timestamp is too far from its clock.
TOKEN_REQUEST_CLOCK_SKEW_MS = 10 * 60 * 1000
MAX_REVOCATION_TARGETS = 100
# History pages: Ably's default and largest page sizes.
DEFAULT_HISTORY_LIMIT = 100
MAX_HISTORY_LIMIT = 1000
# The wire numbers of message actions (ably-js src/common/lib/types/message.ts).
MESSAGE_CREATE = 0


def now_ms() -> int:
    """The wall clock in epoch milliseconds, as Ably timestamps are."""
    return int(time.time() * 1000)


def ably_error_body(code: int, status: int, message: str) -> dict[str, Any]:
    """Ably's JSON error envelope ``{"error": {"message", "code", "statusCode", "href"}}``."""
    return {
        "error": {
            "message": message,
            "code": code,
            "statusCode": status,
            "href": f"https://help.ably.io/error/{code}",
        }
    }


def sign_token_request(key_secret: str, fields: Mapping[str, Any]) -> str:
    """Ably's TokenRequest mac: base64 HMAC-SHA256 over the newline-terminated fields.

    As ably-js ``Auth.createTokenRequest`` (``src/common/lib/client/auth.ts``) and
    ably-python ``AuthSync.create_token_request`` sign it; an absent field is "".

    Args:
        key_secret: the secret half of the API key.
        fields: a TokenRequest as JSON (``keyName``, ``ttl``, ``capability``,
            ``clientId``, ``timestamp``, ``nonce``).

    Returns:
        The base64 mac.
    """

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    sign_text = "".join(
        text(fields.get(name)) + "\n"
        for name in ("keyName", "ttl", "capability", "clientId", "timestamp", "nonce")
    )
    digest = hmac.new(key_secret.encode(), sign_text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived on the wire."""

    method: str
    raw_path: str  # the request target's path, percent-encoding untouched
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    client_port: int  # the client's source port: the same port means a reused connection

    @property
    def path(self) -> str:
        """The path with percent-encoding decoded."""
        return unquote(self.raw_path)

    def header(self, name: str) -> str | None:
        """A header's value by case-insensitive name, or None."""
        return self.headers.get(name.lower())

    def param(self, name: str) -> str | None:
        """The last value of a query parameter, or None."""
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    """A scripted answer.

    ``body`` is sent as JSON unless ``raw`` is given. ``drop`` closes the connection
    without answering. ``process`` first runs the default handler (so its side
    effects happen, as when Ably did the work but the answer got lost) and then
    sends this reply instead of the default one. ``on_request`` runs first, in the
    server thread handling the request (e.g. to wait at a barrier).
    """

    status: int = 200
    body: Any = None
    raw: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    delay_s: float = 0.0
    drop: bool = False
    process: bool = False
    on_request: Callable[[RecordedRequest], None] | None = None

    @classmethod
    def error(cls, status: int, code: int, message: str = "stub error", **kwargs: Any) -> Reply:
        """An Ably error reply with the JSON envelope and the X-Ably-Error* headers."""
        headers = _error_headers(code, message)
        headers.update(kwargs.pop("headers", {}))
        return cls(status, ably_error_body(code, status, message), headers=headers, **kwargs)


@dataclass
class _Script:
    method: str | None
    path: str | re.Pattern[str]
    replies: deque[Reply]

    def matches(self, method: str, raw_path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if isinstance(self.path, re.Pattern):
            return self.path.fullmatch(raw_path) is not None
        return self.path == raw_path


@dataclass
class IssuedToken:
    """A token the stub issued at ``requestToken``."""

    token: str
    key_name: str
    client_id: str | None
    capability: str
    issued: int
    expires: int


@dataclass
class StubState:
    """What the stub remembers: keys, tokens, chat rooms, channels, revocations.

    Kept apart from the HTTP plumbing so that a local Ably emulator can grow from it.
    ``rooms`` maps a room to its messages (serial → ``RestMessage``, in send
    order); ``channels`` maps a channel to its messages (id → wire message).
    """

    keys: dict[str, str]
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    nonces: set[tuple[str, str]] = field(default_factory=set)
    rooms: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    channels: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    revocations: list[dict[str, Any]] = field(default_factory=list)
    # (method, raw path, idempotencyKey) → the answer given the first time.
    idempotent_answers: dict[tuple[str, str, str], tuple[int, Any]] = field(default_factory=dict)
    sequence: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def next_serial(self) -> str:
        """A serial shaped like Ably's (``<time>-<seq>@<node>:<index>``), increasing."""
        seq = next(self.sequence)
        return f"{now_ms():014d}-{seq:03d}@stubnode01:{seq % 1000:03d}"

    def revoked(self, token: IssuedToken) -> bool:
        """Whether a revocation applies to ``token`` (its client id, issued before, in force)."""
        now = now_ms()
        target = f"clientId:{token.client_id}"
        return any(
            entry["target"] == target
            and token.issued < entry["issuedBefore"]
            and entry["appliesAt"] <= now
            for entry in self.revocations
        )


@dataclass(frozen=True)
class _Call:
    """A request the default handlers act on, with its caller resolved."""

    request: RecordedRequest
    segments: list[str]  # decoded path segments
    client_id: str | None  # the identity the request acts as, if any
    basic: bool  # authenticated with the key (Basic), not a token


_Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]


class AblyStub:
    """A threaded HTTP server on 127.0.0.1 that speaks a subset of Ably REST.

    Every request is recorded (``requests``). Answers come from scripts queued with
    ``enqueue`` first, then from the default handlers:

    - ``POST /keys/{keyName}/requestToken``: TokenRequest mac, timestamp and nonce
      checks; the token it issues is accepted as ``Authorization: Bearer``.
    - ``POST /keys/{keyName}/revokeTokens``: Basic auth only (401/40162 over a
      token), at most 100 targets, batch result; revoked tokens then get 40141.
    - Chat REST v4: send ``POST /chat/v4/rooms/{room}/messages``, history
      ``GET`` on the same path, get ``GET …/messages/{serial}``, update ``PUT
      …/messages/{serial}``, soft delete ``POST …/messages/{serial}/delete``;
      send, update and delete honour ``?idempotencyKey=``.
    - Pub/sub: publish ``POST /channels/{channel}/messages`` (idempotent on message
      id) and history ``GET`` on the same path; ``GET /time``.
    """

    def __init__(self, keys: Mapping[str, str] | None = None, host: str = "127.0.0.1") -> None:
        self.state = StubState(keys=dict(keys or {FAKE_KEY_NAME: FAKE_KEY_SECRET}))
        self._host = host
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._scripts: list[_Script] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        room = r"/chat/v4/rooms/[^/]+/messages"
        self._routes: list[tuple[str, re.Pattern[str], Callable[[_Call], _Answer]]] = [
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

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> AblyStub:
        """Bind an ephemeral port and serve in a daemon thread."""
        stub = self

        class Handler(_Handler):
            owner = stub

        server = ThreadingHTTPServer((self._host, 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="ably-stub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> AblyStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("stub not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    # -- scripting and inspection ------------------------------------------------

    def enqueue(self, method: str | None, path: str | re.Pattern[str], *replies: Reply) -> None:
        """Answer the next ``len(replies)`` matching requests with ``replies``, in order.

        Args:
            method: the HTTP method to match, or None for any.
            path: the raw (still percent-encoded) path, exact, or a regex to fullmatch.
            replies: the answers; once used up, the default handlers answer again.
        """
        with self._lock:
            self._scripts.append(_Script(method, path, deque(replies)))

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    def requests_to(
        self, path: str | re.Pattern[str] | None = None, method: str | None = None
    ) -> list[RecordedRequest]:
        """The recorded requests whose raw path (exact or regex) and method match."""
        found = []
        for request in self.requests:
            if method is not None and request.method != method:
                continue
            if isinstance(path, re.Pattern):
                if path.fullmatch(request.raw_path) is None:
                    continue
            elif path is not None and request.raw_path != path:
                continue
            found.append(request)
        return found

    def reset(self) -> None:
        """Forget recorded requests and pending scripts (state such as tokens stays)."""
        with self._lock:
            self._requests.clear()
            self._scripts.clear()

    def expire_tokens(self) -> None:
        """Make every issued token expired, as if an hour had passed."""
        with self._lock:
            for token in self.state.tokens.values():
                token.expires = now_ms() - 1

    # -- dispatch ------------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> Reply | None:
        with self._lock:
            self._requests.append(request)
            for script in self._scripts:
                if script.replies and script.matches(request.method, request.raw_path):
                    return script.replies.popleft()
        return None

    def _default(self, request: RecordedRequest) -> _Answer:
        for method, pattern, handler in self._routes:
            if method == request.method and pattern.fullmatch(request.raw_path):
                segments = [unquote(part) for part in request.raw_path.split("/")[1:]]
                client_id: str | None = None
                basic = False
                if handler != self._request_token:
                    auth = self._authenticate(request)
                    if isinstance(auth, tuple):
                        return auth
                    client_id, basic = auth.client_id, auth.basic
                with self._lock:
                    return self._idempotently(handler, _Call(request, segments, client_id, basic))
        return _error(404, 40400, f"no route for {request.method} {request.path}")

    def _idempotently(self, handler: Callable[[_Call], _Answer], call: _Call) -> _Answer:
        # @ably/chat adds ?idempotencyKey= to send, update and delete so that a
        # retried request is applied once: the same key gets the same answer.
        key = call.request.param("idempotencyKey")
        if key is None or call.request.method == "GET":
            return handler(call)
        scope = (call.request.method, call.request.raw_path, key)
        if scope in self.state.idempotent_answers:
            return self.state.idempotent_answers[scope]
        answer = handler(call)
        if 200 <= answer[0] < 300:
            self.state.idempotent_answers[scope] = answer
        return answer

    def _authenticate(self, request: RecordedRequest) -> _Caller | _Answer:
        """Who the request acts as, or an error answer."""
        authorization = request.header("authorization") or ""
        scheme, _, credentials = authorization.partition(" ")
        header_client_id = _decode_client_id(request.header("x-ably-clientid"))
        if scheme.lower() == "basic":
            try:
                key_name, _, secret = base64.b64decode(credentials).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return _error(401, 40101, "malformed basic credentials")
            if self.state.keys.get(key_name) != secret:
                return _error(401, 40101, "invalid credentials")
            return _Caller(header_client_id, basic=True)
        if scheme.lower() == "bearer":
            with self._lock:
                token = self.state.tokens.get(credentials) or self.state.tokens.get(
                    _b64_or_none(credentials) or ""
                )
                revoked = token is not None and self.state.revoked(token)
            if token is None:
                return _error(401, 40143, "token unrecognised")
            if token.expires < now_ms():
                return _error(401, 40142, "token expired")
            if revoked:
                return _error(401, 40141, "token revoked")
            if token.client_id not in (None, "*"):
                return _Caller(token.client_id, basic=False)
            return _Caller(header_client_id, basic=False)
        return _error(401, 40101, "no credentials")

    # -- tokens (default handlers are called under the lock) -------------------------

    def _request_token(self, call: _Call) -> _Answer:
        key_name = call.segments[1]
        try:
            body = call.request.json()
        except ValueError:
            return _error(400, 40000, "TokenRequest is not JSON")
        if not isinstance(body, dict):
            return _error(400, 40000, "TokenRequest must be an object")
        secret = self.state.keys.get(key_name)
        if secret is None or body.get("keyName") != key_name:
            return _error(404, 40400, "no such key")
        if not hmac.compare_digest(str(body.get("mac", "")), sign_token_request(secret, body)):
            return _error(401, 40101, "invalid mac")
        timestamp = int(body.get("timestamp") or 0)
        if abs(now_ms() - timestamp) > TOKEN_REQUEST_CLOCK_SKEW_MS:
            return _error(401, 40104, "timestamp not current")
        nonce_key = (key_name, str(body.get("nonce")))
        if nonce_key in self.state.nonces:
            return _error(401, 40105, "nonce value replayed")
        self.state.nonces.add(nonce_key)
        issued = now_ms()
        token = IssuedToken(
            token=f"stub-token.{secrets.token_urlsafe(12)}",
            key_name=key_name,
            client_id=body.get("clientId"),
            capability=body.get("capability") or '{"*":["*"]}',
            issued=issued,
            expires=issued + int(body.get("ttl") or DEFAULT_TOKEN_TTL_MS),
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
            return _error(401, 40162, "Cannot revoke tokens when using token auth")
        body = call.request.json()
        targets = body.get("targets") if isinstance(body, dict) else None
        if not isinstance(targets, list) or not targets:
            return _error(400, 40000, "targets is required")
        if len(targets) > MAX_REVOCATION_TARGETS:
            return _error(400, 40000, "at most 100 targets")
        issued_before = body.get("issuedBefore") or now_ms()
        applies_at = now_ms() + (30_000 if body.get("allowReauthMargin") else 0)
        results: list[dict[str, Any]] = []
        for target in targets:
            kind, _, value = str(target).partition(":")
            if kind not in ("clientId", "revocationKey", "channel") or not value:
                error = ably_error_body(40000, 400, f"invalid target {target!r}")["error"]
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

    def _chat_send(self, call: _Call) -> _Answer:
        room = call.segments[3]
        body = _json_object(call.request)
        if body is None or not isinstance(body.get("text"), str):
            return _error(400, 40000, "text is required")
        if not _optional_objects(body, "metadata", "headers"):
            return _error(400, 40000, "metadata and headers must be objects")
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
        return 200, _copy(message)

    def _chat_get(self, call: _Call) -> _Answer:
        message = self.state.rooms.get(call.segments[3], {}).get(call.segments[5])
        if message is None:
            return _error(404, 40400, "message not found")
        return 200, _copy(message)

    def _chat_update(self, call: _Call) -> _Answer:
        room, serial = call.segments[3], call.segments[5]
        message = self.state.rooms.get(room, {}).get(serial)
        if message is None:
            return _error(404, 40400, "message not found")
        body = _json_object(call.request)
        update = body.get("message") if body is not None else None
        if not isinstance(update, dict) or not isinstance(update.get("text"), str):
            return _error(400, 40000, "message.text is required")
        if not _optional_objects(update, "metadata", "headers"):
            return _error(400, 40000, "metadata and headers must be objects")
        # The message is replaced whole: omitted fields become empty (chat-api.ts).
        message.update(
            text=update["text"],
            metadata=update.get("metadata") or {},
            headers=update.get("headers") or {},
            action="message.update",
            version=self._version(call, body or {}),
        )
        return 200, _copy(message)

    def _chat_delete(self, call: _Call) -> _Answer:
        room, serial = call.segments[3], call.segments[5]
        message = self.state.rooms.get(room, {}).get(serial)
        if message is None:
            return _error(404, 40400, "message not found")
        body = _json_object(call.request) if call.request.body else {}
        if body is None:
            return _error(400, 40000, "the body must be an object")
        message.update(action="message.delete", version=self._version(call, body))
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

    def _chat_history(self, call: _Call) -> _Answer:
        messages = list(self.state.rooms.get(call.segments[3], {}).values())
        return _history_page(call.request, messages, lambda m: m["timestamp"])

    # -- pub/sub -----------------------------------------------------------------------

    def _publish(self, call: _Call) -> _Answer:
        channel = call.segments[1]
        body = call.request.json()
        messages = body if isinstance(body, list) else [body]
        if not all(isinstance(message, dict) for message in messages):
            return _error(400, 40000, "messages must be objects")
        stored = self.state.channels.setdefault(channel, {})
        serials = []
        for message in messages:
            message_id = message.get("id") or secrets.token_urlsafe(9)
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
                if client_id not in (None, "*"):
                    wire["clientId"] = client_id
                stored[message_id] = wire
            serials.append(stored[message_id]["serial"])
        return 201, {"serials": serials}

    def _channel_history(self, call: _Call) -> _Answer:
        messages = list(self.state.channels.get(call.segments[1], {}).values())
        return _history_page(call.request, messages, lambda m: m["timestamp"])

    def _time(self, call: _Call) -> _Answer:
        return 200, [now_ms()]


@dataclass(frozen=True)
class _Caller:
    client_id: str | None
    basic: bool


def _error(status: int, code: int, message: str) -> _Answer:
    return status, ably_error_body(code, status, message), _error_headers(code, message)


def _error_headers(code: int, message: str) -> dict[str, str]:
    # Ably repeats the error in headers; HttpPaginatedResponse.errorCode reads them.
    return {"X-Ably-Errorcode": str(code), "X-Ably-Errormessage": message}


def _copy(message: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(message))  # type: ignore[no-any-return]


def _json_object(request: RecordedRequest) -> dict[str, Any] | None:
    try:
        body = request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


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
        return _error(400, 40003, "invalid parameter value")
    direction = request.param("direction") or "backwards"
    if direction not in ("backwards", "forwards") or not 0 < limit <= MAX_HISTORY_LIMIT:
        return _error(400, 40003, "invalid parameter value")
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


def _b64_or_none(value: str) -> str | None:
    try:
        return base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def _decode_client_id(value: str | None) -> str | None:
    # ably-python (RSA7e2) sends X-Ably-ClientId base64-encoded.
    if not value:
        return None
    return _b64_or_none(value) or value


class _Handler(BaseHTTPRequestHandler):
    owner: AblyStub
    # HTTP/1.1 so that clients keep connections alive, as they do with Ably.
    protocol_version = "HTTP/1.1"
    # One write per response and no Nagle delay: otherwise every loopback round
    # trip pays the ~40 ms delayed-ACK stall.
    wbufsize = -1
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the stub records requests instead."""

    def _handle(self) -> None:
        raw_path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
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
        reply = self.owner._record(request)
        if reply is not None and reply.on_request is not None:
            reply.on_request(request)
        if reply is None or reply.process:
            status, payload, *extra = self.owner._default(request)
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
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

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
