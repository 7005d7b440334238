"""The Ably gateway: the one module through which chatmod calls Ably."""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import os
import random
import secrets
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote

import httpx
from ably.sync import AblyRestSync
from ably.sync.types.message import Message
from ably.sync.util.exceptions import AblyException

from chatmod.constants import ENV_ABLY_REST_HOST, ENV_ABLY_TLS
from chatmod.errors import BadRequestError, UpstreamError

__all__ = [
    "CHAT_API_VERSION",
    "MAX_REVOCATION_TARGETS",
    "AblyApiError",
    "AblyConnectionError",
    "AblyGateway",
    "AblySettings",
    "AblyTimeoutError",
    "PublishedMessage",
    "RevocationFailure",
    "RevocationResult",
    "SentChatMessage",
    "build_sdk_client",
]

log = logging.getLogger(__name__)

# ably-python logs the tokens it obtains at DEBUG; keep them out of the logs even
# when someone turns the root logger up to DEBUG.
if logging.getLogger("ably").level == logging.NOTSET:
    logging.getLogger("ably").setLevel(logging.INFO)

CHAT_API_VERSION: Final = "4"
MAX_REVOCATION_TARGETS: Final = 100
MAX_TOKEN_TTL_MS: Final = 24 * 60 * 60 * 1000
# Extras that make Ably skip every integration rule for a message, so that
# moderation events do not loop back into the ingest queue.
SKIP_ALL_RULES: Final[Mapping[str, Any]] = {"privileged": {"skipRule": "*"}}
# Below this much time left, an attempt cannot succeed; fail fast instead.
_MIN_ATTEMPT_S: Final = 0.02
# Timeouts that fire before any byte of the request left: retrying cannot duplicate.
_NOT_SENT_TIMEOUTS: Final = (httpx.ConnectTimeout, httpx.PoolTimeout)


# -- errors -----------------------------------------------------------------------


class AblyApiError(UpstreamError):
    """Ably answered with an error, or could not be reached (maps to 502).

    Attributes:
        ably_code: Ably's numeric error code (e.g. 40160), when Ably gave one.
        http_status: the HTTP status Ably answered with, when it answered.
    """

    default_code = "ably_error"

    def __init__(
        self,
        message: str,
        *,
        ably_code: int | None = None,
        http_status: int | None = None,
        code: str | None = None,
    ) -> None:
        details: dict[str, Any] = {}
        if ably_code is not None:
            details["ablyCode"] = ably_code
        if http_status is not None:
            details["ablyStatus"] = http_status
        super().__init__(message, code=code, details=details)
        self.ably_code = ably_code
        self.http_status = http_status


class AblyTimeoutError(AblyApiError):
    """Ably did not answer in time, or the caller's deadline left no time to ask."""

    default_code = "ably_timeout"


class AblyConnectionError(AblyApiError):
    """The connection to Ably failed (refused, reset, closed without an answer)."""

    default_code = "ably_unreachable"


# -- settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class AblySettings:
    """How to reach Ably. The key is excluded from ``repr`` so it cannot end up in logs.

    Attributes:
        api_key: ``<appId>.<keyId>:<secret>``.
        rest_host: a custom REST host (local emulator, stub), ``host`` or
            ``host:port``; None for Ably's default endpoint. A custom host gets
            no fallback hosts.
        port: the port for ``rest_host``; None for 443/80.
        tls: HTTPS when True. Over plain HTTP ably-python refuses Basic auth, so
            token auth is used there.
        timeout_s: the most one attempt may take (connect plus answer).
        connect_timeout_s: the most connecting may take, within ``timeout_s``.
        max_retries: retries after the first attempt (so attempts = 1 + this).
        budget_s: the deadline of a call whose caller gives none.
        backoff_base_s: first retry delay; doubles per retry, with jitter.
        backoff_max_s: the cap on one retry delay.
        client_id: the identity chatmod itself acts as (moderation events,
            deletes), or None to act as the key.
        use_token_auth: None = token auth exactly when ``tls`` is False.
        keepalive_s: how long an idle connection is kept for reuse.
    """

    api_key: str = field(repr=False)
    rest_host: str | None = None
    port: int | None = None
    tls: bool = True
    timeout_s: float = 5.0
    connect_timeout_s: float = 2.0
    max_retries: int = 2
    budget_s: float = 10.0
    backoff_base_s: float = 0.1
    backoff_max_s: float = 2.0
    client_id: str | None = None
    use_token_auth: bool | None = None
    keepalive_s: float = 55.0
    server_token_ttl_ms: int = 60 * 60 * 1000

    def __post_init__(self) -> None:
        key_name, sep, secret = self.api_key.partition(":")
        if not sep or not secret or ":" in secret or "." not in key_name:
            # Never echo the value: it is a secret.
            raise ValueError("api_key must look like '<appId>.<keyId>:<secret>'")
        host, sep, port = (self.rest_host or "").rpartition(":")
        if sep and host and ":" not in host and port.isdigit():
            # Accept "host:port" too (the form CHATMOD_ABLY_REST_HOST may take).
            if self.port is not None and self.port != int(port):
                raise ValueError("rest_host names a port that differs from port")
            object.__setattr__(self, "rest_host", host)
            object.__setattr__(self, "port", int(port))
        if self.rest_host is not None and not _is_literal_host(self.rest_host):
            # ably-python turns a dotless name into '<name>.realtime.ably.net'.
            raise ValueError(
                "rest_host must be a dotted name, 'localhost' or an IP address "
                "(write 'name.' for a dotless host name)"
            )
        if self.timeout_s <= 0 or self.connect_timeout_s <= 0 or self.budget_s <= 0:
            raise ValueError("timeouts and budget must be positive")
        if self.max_retries < 0 or self.backoff_base_s < 0 or self.backoff_max_s < 0:
            raise ValueError("max_retries and backoff must not be negative")
        if not self.tls and self.use_token_auth is False:
            raise ValueError("over plain HTTP Ably clients must use token auth")
        if self.client_id == "*":
            raise ValueError("client_id must not be the wildcard")

    @property
    def key_name(self) -> str:
        """The public half of the key (``<appId>.<keyId>``)."""
        return self.api_key.partition(":")[0]

    @property
    def token_auth(self) -> bool:
        """Whether requests carry a token (True) or the key (Basic auth)."""
        return (not self.tls) if self.use_token_auth is None else self.use_token_auth

    @classmethod
    def from_env(
        cls, api_key: str, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> AblySettings:
        """Settings from the stack's environment variables.

        Args:
            api_key: the key, read by the caller from SSM.
            environ: the environment (default ``os.environ``). Reads
                ``CHATMOD_ABLY_REST_HOST`` (``host`` or ``host:port``) and
                ``CHATMOD_ABLY_TLS`` (``true``/``false``, default true).
            overrides: any other field.

        Returns:
            The settings.

        Raises:
            ValueError: a variable or the key is malformed.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        host = (env.get(ENV_ABLY_REST_HOST) or "").strip()
        if host:
            values["rest_host"] = host  # "host" or "host:port"
        tls = (env.get(ENV_ABLY_TLS) or "").strip().lower()
        if tls:
            if tls not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"{ENV_ABLY_TLS} must be true or false")
            values["tls"] = tls in ("true", "1", "yes")
        values.update(overrides)
        return cls(api_key=api_key, **values)


def _is_literal_host(host: str) -> bool:
    return bool(host) and ("." in host or "::" in host or "localhost" in host)


# -- results ----------------------------------------------------------------------


@dataclass(frozen=True)
class SentChatMessage:
    """A chat message Ably accepted."""

    serial: str
    created_at: int | None  # epoch ms, when Ably said


@dataclass(frozen=True)
class PublishedMessage:
    """A pub/sub message Ably accepted."""

    message_id: str  # the id chatmod set: the same on every retry
    serial: str | None  # Ably's serial, when Ably said


@dataclass(frozen=True)
class RevocationFailure:
    """Why the tokens of one client id were not revoked."""

    client_id: str
    message: str
    ably_code: int | None = None
    http_status: int | None = None


@dataclass(frozen=True)
class RevocationResult:
    """Per client id: revoked, or failed and why."""

    revoked: tuple[str, ...]
    failed: tuple[RevocationFailure, ...]

    @property
    def ok(self) -> bool:
        """True when every client id was revoked."""
        return not self.failed

    @property
    def failed_client_ids(self) -> tuple[str, ...]:
        """The client ids whose revocation failed, in request order."""
        return tuple(failure.client_id for failure in self.failed)


@dataclass(frozen=True)
class _Reply:
    status: int
    body: Any


# -- the SDK client ---------------------------------------------------------------


def build_sdk_client(settings: AblySettings) -> AblyRestSync:
    """The ably-python client the gateway drives. Makes no network call.

    The sync client (``AblyRestSync``, on ``httpx.Client``) has no event loop to
    outlive, so one instance serves every Lambda invocation of the process.

    Args:
        settings: endpoint, TLS and auth.

    Returns:
        A configured ``AblyRestSync``.
    """
    options: dict[str, Any] = {
        "key": settings.api_key,
        "tls": settings.tls,
        # JSON on the wire, as Ably's REST docs show it and as the emulator speaks.
        "use_binary_protocol": False,
        # One host per SDK call: the gateway owns retries, so counts and
        # deadlines are what it says.
        "http_max_retry_count": 1,
        "http_open_timeout": min(settings.connect_timeout_s, settings.timeout_s),
        "http_request_timeout": settings.timeout_s,
    }
    if settings.rest_host is not None:
        options["endpoint"] = settings.rest_host
        options["fallback_hosts"] = []  # never try Ably's fallbacks for a custom host
    if settings.port is not None:
        options["tls_port" if settings.tls else "port"] = settings.port
    if settings.token_auth:
        # The SDK signs a TokenRequest locally and exchanges it at requestToken.
        # A wildcard token lets chatmod act as any user (X-Ably-ClientId).
        options["use_token_auth"] = True
        options["default_token_params"] = {
            "client_id": "*",
            "ttl": settings.server_token_ttl_ms,
        }
    client = AblyRestSync(**options)
    _tune_connection_pool(client, settings)
    return client


def _tune_connection_pool(client: AblyRestSync, settings: AblySettings) -> None:
    # httpx drops idle connections after 5 s by default, so a Lambda invoked every
    # few seconds would pay a TLS handshake per call. The SDK builds its
    # httpx.Client privately; swap it for one that keeps connections longer.
    http = client.http
    attribute = "_HttpSync__client"
    original = getattr(http, attribute, None)
    if isinstance(original, httpx.Client):
        # Reuse its TLS context: building one (loading the CA bundle) costs ~20 ms.
        pool = getattr(getattr(original, "_transport", None), "_pool", None)
        ssl_context = getattr(pool, "_ssl_context", None)
        verify: ssl.SSLContext | bool = (
            ssl_context if isinstance(ssl_context, ssl.SSLContext) else True
        )
        limits = httpx.Limits(keepalive_expiry=settings.keepalive_s)
        setattr(http, attribute, httpx.Client(http2=True, limits=limits, verify=verify))
        original.close()
    else:  # a future SDK renamed it: keep its own pool rather than fail
        log.warning("ably-python internals changed; using its default connection pool")


# -- the gateway --------------------------------------------------------------------


class AblyGateway:
    """Every Ably operation chatmod performs, with deadlines, retries and typed errors.

    Synchronous and safe to keep at module level across Lambda invocations; async
    code calls it through ``asyncio.to_thread``. Thread-safe: calls from several
    threads are serialised (each call sets the SDK's per-request timeouts).
    """

    def __init__(
        self,
        settings: AblySettings,
        *,
        client: AblyRestSync | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """Create the gateway. No network call happens here.

        Args:
            settings: endpoint, auth, timeouts and retry policy.
            client: an ably-python sync client to use instead of building one.
            sleep: waits between retries (injectable for tests).
            clock: monotonic seconds; deadlines are on this clock.
            jitter: returns a float in [0, 1) to spread retry delays.
        """
        self._settings = settings
        self._client = client if client is not None else build_sdk_client(settings)
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._lock = threading.Lock()

    @property
    def settings(self) -> AblySettings:
        return self._settings

    @property
    def sdk_client(self) -> AblyRestSync:
        """The underlying ably-python client (for inspection; calls go through the gateway)."""
        return self._client

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def __enter__(self) -> AblyGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- chat ---------------------------------------------------------------------

    def send_chat_message(
        self,
        room: str,
        text: str,
        metadata: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        *,
        client_id: str,
        deadline: float | None = None,
    ) -> SentChatMessage:
        """Send a chat message as a user (Chat REST v4).

        Not retried after the request may have reached Ably (read timeout, dropped
        connection): Chat REST has no idempotency key, so a retry could post twice.

        Args:
            room: the room name (without ``::$chat``); any characters.
            text: the message text.
            metadata: the message metadata (default ``{}``).
            headers: the message headers (default ``{}``).
            client_id: the user the message is from.
            deadline: ``time.monotonic()`` by which to give up (default: now + budget).

        Returns:
            The serial Ably assigned, and createdAt when given.

        Raises:
            BadRequestError: an argument is malformed.
            AblyApiError: Ably refused (``ably_code``, ``http_status``).
            AblyTimeoutError: no answer in time. AblyConnectionError: unreachable.
        """
        _require_text(text, "text")
        _require_client_id(client_id)
        body = {
            "text": text,
            "metadata": _mapping(metadata, "metadata"),
            "headers": _mapping(headers, "headers"),
        }
        reply = self._call(
            "chat.send",
            "POST",
            f"/chat/v4/rooms/{_segment(room, 'room')}/messages",
            body=body,
            version=CHAT_API_VERSION,
            client_id=client_id,
            idempotent=False,
            deadline=deadline,
        )
        payload = reply.body if isinstance(reply.body, dict) else {}
        serial = payload.get("serial")
        if not isinstance(serial, str) or not serial:
            raise AblyApiError("Ably accepted the chat message but returned no serial")
        created_at = payload.get("createdAt", payload.get("timestamp"))
        return SentChatMessage(serial, created_at if isinstance(created_at, int) else None)

    def delete_chat_message(
        self,
        room: str,
        serial: str,
        description: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        client_id: str | None = None,
        deadline: float | None = None,
    ) -> dict[str, Any]:
        """Soft-delete a chat message (Chat REST v4). Idempotent, so retried.

        Args:
            room: the room name.
            serial: the message serial (may contain ``@``, ``:``, ``-``).
            description: why (shown as the deletion's description).
            metadata: deletion metadata (default ``{}``).
            client_id: who deletes (default: ``settings.client_id``, else the key).
            deadline: ``time.monotonic()`` by which to give up.

        Returns:
            Ably's answer as JSON (``{}`` if empty).

        Raises:
            BadRequestError: an argument is malformed.
            AblyApiError: Ably refused, e.g. ``http_status`` 404 for an unknown message.
            AblyTimeoutError, AblyConnectionError: as for ``send_chat_message``.
        """
        _require_text(description, "description")
        body = {"description": description, "metadata": _mapping(metadata, "metadata")}
        acting = client_id if client_id is not None else self._settings.client_id
        if acting is not None:
            _require_client_id(acting)
        path = (
            f"/chat/v4/rooms/{_segment(room, 'room')}/messages/{_segment(serial, 'serial')}/delete"
        )
        reply = self._call(
            "chat.delete",
            "POST",
            path,
            body=body,
            version=CHAT_API_VERSION,
            client_id=acting,
            idempotent=True,
            deadline=deadline,
        )
        return reply.body if isinstance(reply.body, dict) else {}

    # -- pub/sub -------------------------------------------------------------------

    def publish(
        self,
        channel: str,
        name: str | None,
        data: Any,
        *,
        client_id: str | None = None,
        connection_key: str | None = None,
        extras: Mapping[str, Any] | None = None,
        message_id: str | None = None,
        deadline: float | None = None,
    ) -> PublishedMessage:
        """Publish one message on a channel (pub/sub REST), idempotently.

        The message carries an id (``message_id`` or a random one) that stays the
        same across retries, so Ably stores it once however often it is sent.

        Args:
            channel: the channel name; any characters.
            name: the event name.
            data: str, bytes, dict or list (encoded by ably-python: dict/list as
                ``json``, bytes as ``base64``), or None.
            client_id: the message's clientId. Default: ``settings.client_id``,
                unless ``connection_key`` is given (then the caller must pass the
                connection's own client id).
            connection_key: publish on behalf of this realtime connection.
            extras: message extras (e.g. ``headers``).
            message_id: a deterministic id (e.g. derived from a source message) so
                that redelivered work publishes once.
            deadline: ``time.monotonic()`` by which to give up.

        Returns:
            The message id and, when Ably returns it, the serial.

        Raises:
            BadRequestError: an argument is malformed.
            AblyApiError, AblyTimeoutError, AblyConnectionError: as above.
        """
        if client_id is None and connection_key is None:
            client_id = self._settings.client_id
        if client_id is not None:
            _require_client_id(client_id)
        message_id = message_id or f"{secrets.token_urlsafe(12)}:0"
        try:
            body = Message(
                name=name,
                data=data,
                client_id=client_id,
                id=message_id,
                connection_key=connection_key,
                extras=dict(extras) if extras else None,
            ).as_dict(binary=False)
        except AblyException as exc:
            raise BadRequestError("data must be str, bytes, dict, list or None") from exc
        reply = self._call(
            "channel.publish",
            "POST",
            f"/channels/{_segment(channel, 'channel')}/messages",
            body=body,
            idempotent=True,
            deadline=deadline,
        )
        serials = reply.body.get("serials") if isinstance(reply.body, dict) else None
        serial = serials[0] if isinstance(serials, list) and serials else None
        return PublishedMessage(message_id, serial if isinstance(serial, str) else None)

    def publish_moderation_event(
        self,
        channel: str,
        name: str,
        data: Any,
        *,
        extras: Mapping[str, Any] | None = None,
        message_id: str | None = None,
        deadline: float | None = None,
    ) -> PublishedMessage:
        """Publish a moderation event that skips every integration rule.

        Sets ``extras.privileged.skipRule = "*"`` (the key needs the
        ``privileged-headers`` capability) so the event does not come back through
        the ingest queue. Published as ``settings.client_id``.

        Args:
            channel: the channel name.
            name: the event name.
            data: the event payload.
            extras: further extras to merge (e.g. ``headers``).
            message_id: a deterministic id for idempotency across redeliveries.
            deadline: ``time.monotonic()`` by which to give up.

        Returns:
            As ``publish``.

        Raises:
            As ``publish``.
        """
        merged: dict[str, Any] = dict(extras or {})
        privileged = dict(merged.get("privileged") or {})
        privileged.update(SKIP_ALL_RULES["privileged"])
        merged["privileged"] = privileged
        return self.publish(
            channel, name, data, extras=merged, message_id=message_id, deadline=deadline
        )

    # -- tokens ----------------------------------------------------------------------

    def revoke_tokens(
        self,
        client_ids: Iterable[str],
        *,
        issued_before: int | datetime | None = None,
        allow_reauth_margin: bool = False,
        deadline: float | None = None,
    ) -> RevocationResult:
        """Revoke the tokens of users, in batches of at most 100 targets.

        Needs a key with revocable tokens enabled. Never raises for Ably errors:
        a batch Ably refused, or one the deadline cut off, is reported in
        ``failed`` with the reason, so the caller can audit and retry.

        Args:
            client_ids: the users (duplicates are sent once).
            issued_before: revoke only tokens issued before this (epoch ms or an
                aware datetime); default: all tokens issued until now.
            allow_reauth_margin: give connected clients 30 s to re-authenticate.
            deadline: ``time.monotonic()`` by which to give up (all batches).

        Returns:
            Which client ids were revoked and which failed.

        Raises:
            BadRequestError: a client id is empty or the wildcard.
        """
        ids = list(dict.fromkeys(client_ids))
        for client_id in ids:
            _require_client_id(client_id)
        end = self._deadline(deadline)
        revoked: list[str] = []
        failed: list[RevocationFailure] = []
        for start in range(0, len(ids), MAX_REVOCATION_TARGETS):
            batch = ids[start : start + MAX_REVOCATION_TARGETS]
            body: dict[str, Any] = {"targets": [f"clientId:{client_id}" for client_id in batch]}
            if issued_before is not None:
                body["issuedBefore"] = _epoch_ms(issued_before)
            if allow_reauth_margin:
                body["allowReauthMargin"] = True
            try:
                reply = self._call(
                    "keys.revokeTokens",
                    "POST",
                    f"/keys/{_segment(self._settings.key_name, 'key name')}/revokeTokens",
                    body=body,
                    idempotent=True,
                    deadline=end,
                    accept=_is_legacy_batch_error,
                )
            except AblyApiError as exc:
                failed.extend(
                    RevocationFailure(cid, exc.message, exc.ably_code, exc.http_status)
                    for cid in batch
                )
                continue
            batch_revoked, batch_failed = _revocation_outcome(batch, reply.body)
            revoked.extend(batch_revoked)
            failed.extend(batch_failed)
        if failed:
            log.warning("token revocation failed for %d of %d client ids", len(failed), len(ids))
        return RevocationResult(tuple(revoked), tuple(failed))

    def create_token_request(
        self, client_id: str, capability: Mapping[str, Sequence[str]], ttl_ms: int
    ) -> dict[str, Any]:
        """Sign an Ably TokenRequest locally with the key secret. No network call.

        Args:
            client_id: the user the token is for (never the wildcard).
            capability: resource name -> operations, e.g. ``{"room1": ["publish"]}``.
            ttl_ms: token lifetime in milliseconds (at most 24 h).

        Returns:
            ``{keyName, ttl, capability (JSON string), clientId, timestamp, nonce,
            mac}``, exactly what ably-js accepts from an ``authUrl``.

        Raises:
            BadRequestError: the client id, capability or ttl is invalid.
        """
        _require_client_id(client_id)
        if isinstance(ttl_ms, bool) or not isinstance(ttl_ms, int):
            raise BadRequestError("ttl_ms must be an integer")
        if not 0 < ttl_ms <= MAX_TOKEN_TTL_MS:
            raise BadRequestError("ttl_ms must be between 1 ms and 24 h")
        if not capability or not all(
            isinstance(resource, str) and not isinstance(ops, str) and ops
            for resource, ops in capability.items()
        ):
            raise BadRequestError("capability must map resource names to lists of operations")
        try:
            request = self._client.auth.create_token_request(
                {"client_id": client_id, "capability": dict(capability), "ttl": ttl_ms},
                query_time=False,  # a server-time query would be a network call
            )
        except ValueError as exc:
            raise BadRequestError("capability operations must be strings") from exc
        return {
            "keyName": request.key_name,
            "ttl": request.ttl,
            "capability": request.capability,
            "clientId": request.client_id,
            "timestamp": request.timestamp,
            "nonce": request.nonce,
            "mac": request.mac,
        }

    # -- the one request path ----------------------------------------------------------

    def _deadline(self, deadline: float | None) -> float:
        return self._clock() + self._settings.budget_s if deadline is None else deadline

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        body: Any,
        idempotent: bool,
        deadline: float | None,
        version: str | None = None,
        client_id: str | None = None,
        accept: Callable[[int, Any], bool] | None = None,
    ) -> _Reply:
        """Send one request with retries, within the deadline; return the 2xx answer."""
        end = self._deadline(deadline)
        headers = {"X-Ably-ClientId": _encode_client_id(client_id)} if client_id else None
        settings = self._settings
        attempt = 0
        reauthorize = False
        while True:
            remaining = end - self._clock()
            if remaining < _MIN_ATTEMPT_S:
                raise AblyTimeoutError(f"Ably {operation}: the deadline passed before an attempt")
            retry_after: float | None = None
            try:
                response = self._send(method, path, body, version, headers, end, reauthorize)
            except httpx.TimeoutException as exc:
                error: AblyApiError = AblyTimeoutError(
                    f"Ably {operation}: no answer in time ({type(exc).__name__})"
                )
                retryable = idempotent or isinstance(exc, _NOT_SENT_TIMEOUTS)
            except httpx.TransportError as exc:
                error = AblyConnectionError(
                    f"Ably {operation}: connection failed ({type(exc).__name__})"
                )
                retryable = idempotent or isinstance(exc, httpx.ConnectError)
            except AblyException as exc:
                # Raised by the SDK before our request went out, e.g. while
                # obtaining a token at requestToken.
                status = exc.status_code if isinstance(exc.status_code, int) else None
                error = AblyApiError(
                    f"Ably {operation}: authentication failed: {exc.message}",
                    ably_code=exc.code if isinstance(exc.code, int) else None,
                    http_status=status,
                )
                retryable = status is not None and _retryable_status(status)
            else:
                status = response.status_code
                payload = _json_or_none(response.content)
                if 200 <= status < 300 or (accept is not None and accept(status, payload)):
                    return _Reply(status, payload)
                error = _api_error(operation, status, payload, response.headers)
                if (
                    status == 401
                    and settings.token_auth
                    and not reauthorize
                    and error.ably_code is not None
                    and 40140 <= error.ably_code < 40150
                ):
                    # Token expired or revoked: get a new one and try again, once,
                    # without counting it as a retry.
                    reauthorize = True
                    continue
                retryable = _retryable_status(status)
                if status in (429, 503):
                    retry_after = _retry_after_s(response.headers.get("retry-after"))
            if not retryable or attempt >= settings.max_retries:
                raise error
            delay = min(settings.backoff_max_s, settings.backoff_base_s * 2**attempt)
            delay *= 0.5 + self._jitter() / 2
            if retry_after is not None:
                delay = max(delay, retry_after)
            if self._clock() + delay + _MIN_ATTEMPT_S > end:
                raise error  # a retry could not finish before the caller's deadline
            log.warning(
                "Ably %s failed (%s); retry %d of %d in %d ms",
                operation,
                error.message,
                attempt + 1,
                settings.max_retries,
                int(delay * 1000),
            )
            self._sleep(delay)
            attempt += 1
            reauthorize = False

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        version: str | None,
        headers: Mapping[str, str] | None,
        end: float,
        reauthorize: bool,
    ) -> Any:
        """One attempt through the SDK's HTTP layer, bounded by the deadline."""
        with self._lock:
            if reauthorize:
                self._bound_timeouts(end)
                self._client.auth.authorize()
            self._bound_timeouts(end)
            return self._client.http.make_request(
                method,
                path,
                version=version,
                headers=dict(headers) if headers else None,
                body=body,
                raise_on_error=False,
            )

    def _bound_timeouts(self, end: float) -> None:
        # make_request ignores its timeout argument and reads the client options,
        # so the per-attempt bound is set there (under the lock).
        budget = max(_MIN_ATTEMPT_S, min(self._settings.timeout_s, end - self._clock()))
        options = self._client.options
        options.http_open_timeout = min(self._settings.connect_timeout_s, budget)
        options.http_request_timeout = budget


# -- helpers --------------------------------------------------------------------------


def _segment(value: str, what: str) -> str:
    """One URL path segment: every reserved character percent-encoded."""
    if not isinstance(value, str) or not value:
        raise BadRequestError(f"{what} must be a non-empty string")
    if set(value) == {"."}:
        # "." and ".." would be resolved away as dot-segments.
        return value.replace(".", "%2E")
    return quote(value, safe="")


def _require_text(value: Any, what: str) -> None:
    if not isinstance(value, str):
        raise BadRequestError(f"{what} must be a string")


def _require_client_id(client_id: Any) -> None:
    if not isinstance(client_id, str) or not client_id.strip():
        raise BadRequestError("client id must be a non-empty string")
    if client_id == "*":
        raise BadRequestError("client id must not be the wildcard '*'")


def _mapping(value: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadRequestError(f"{what} must be an object")
    return dict(value)


def _encode_client_id(client_id: str) -> str:
    # RSA7e2: the header carries the client id base64-encoded.
    return base64.b64encode(client_id.encode("utf-8")).decode("ascii")


def _epoch_ms(value: int | datetime) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise BadRequestError("issued_before must be timezone-aware")
        return int(value.timestamp() * 1000)
    return int(value)


def _retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def _json_or_none(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


def _api_error(
    operation: str, status: int, payload: Any, headers: Mapping[str, str]
) -> AblyApiError:
    code: int | None = None
    detail: str | None = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        code = _int_or_none(payload["error"].get("code"))
        detail = payload["error"].get("message")
    if code is None:
        code = _int_or_none(headers.get("x-ably-errorcode"))
    if not detail:
        detail = headers.get("x-ably-errormessage")
    message = f"Ably {operation}: HTTP {status}"
    if code is not None:
        message += f", code {code}"
    if detail:
        message += f": {detail}"
    error_type = AblyTimeoutError if status == 504 else AblyApiError
    return error_type(message, ably_code=code, http_status=status)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retry_after_s(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_legacy_batch_error(status: int, payload: Any) -> bool:
    # Without a recent X-Ably-Version Ably answers a partly failed batch with
    # 400 {error: {code: 40020}, batchResponse: [...]}: per-target results, not a failure.
    return status == 400 and isinstance(payload, dict) and "batchResponse" in payload


def _revocation_outcome(
    batch: list[str], payload: Any
) -> tuple[list[str], list[RevocationFailure]]:
    """Split a batch into revoked and failed client ids from Ably's answer.

    Ably answers ``{successCount, failureCount, results: [...]}`` (201, also when
    some targets failed), or, in older API versions, a bare list of results or
    ``{error, batchResponse: [...]}``. A result with ``error`` failed; an empty
    answer means all succeeded.
    """
    results: list[Any] | None = None
    if isinstance(payload, list):
        results = payload
    elif isinstance(payload, dict):
        for key in ("results", "batchResponse"):
            if isinstance(payload.get(key), list):
                results = payload[key]
                break
    if results is None:
        return list(batch), []
    by_target = {result.get("target"): result for result in results if isinstance(result, dict)}
    revoked: list[str] = []
    failed: list[RevocationFailure] = []
    for client_id in batch:
        result = by_target.get(f"clientId:{client_id}")
        if result is None:
            failed.append(RevocationFailure(client_id, "Ably returned no result for this target"))
        elif isinstance(result.get("error"), dict):
            error = result["error"]
            failed.append(
                RevocationFailure(
                    client_id,
                    str(error.get("message") or "revocation failed"),
                    _int_or_none(error.get("code")),
                    _int_or_none(error.get("statusCode")),
                )
            )
        else:
            revoked.append(client_id)
    return revoked, failed
