"""The ably-python client and the one request path of every Ably call: deadlines, retries."""

from __future__ import annotations

import base64
import json
import logging
import random
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

import httpx
from ably.sync import AblyRestSync
from ably.sync.util.exceptions import AblyException

from chatmod.adapters.ably.errors import (
    AblyApiError,
    AblyConnectionError,
    AblyTimeoutError,
    error_from_answer,
)
from chatmod.adapters.ably.settings import AblySettings
from chatmod.core.retry_after import retry_after_seconds

__all__ = ["AblyConnection", "AblyOperations", "AblyReply", "build_sdk_client"]

log = logging.getLogger(__name__)

# ably-python logs the tokens it obtains at DEBUG; keep them out of the logs even
# when someone turns the root logger up to DEBUG.
if logging.getLogger("ably").level == logging.NOTSET:
    logging.getLogger("ably").setLevel(logging.INFO)

# Below this much time left, an attempt cannot succeed; fail fast instead.
_MIN_ATTEMPT_S: Final = 0.02
# Timeouts that fire before any byte of the request left: retrying cannot duplicate.
_NOT_SENT_TIMEOUTS: Final = (httpx.ConnectTimeout, httpx.PoolTimeout)
# The timeout of the attempt running in this thread (or task). ably-python's
# make_request ignores its timeout argument and reads the shared client options,
# so the bound travels beside the call instead: each thread sees only its own,
# and no lock is needed around the request.
_ATTEMPT_TIMEOUT: ContextVar[httpx.Timeout | None] = ContextVar(
    "chatmod_ably_attempt_timeout", default=None
)


@dataclass(frozen=True)
class AblyReply:
    """A 2xx answer (or one ``accept`` allowed): status and decoded JSON body (None if empty)."""

    status: int
    body: Any


# -- the SDK client ---------------------------------------------------------------


def build_sdk_client(settings: AblySettings) -> AblyRestSync:
    """The ably-python client the adapter drives. Makes no network call.

    The sync client (``AblyRestSync``, on ``httpx.Client``) has no event loop to
    outlive, so one instance serves every Lambda invocation of the process, and
    ``httpx.Client`` is safe to share between threads.

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
        # One host per SDK call: the connection owns retries, so counts and
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
    _install_http_client(client, settings)
    return client


class _AttemptTimeoutTransport(httpx.BaseTransport):
    """Applies the calling thread's attempt timeout to each request the SDK sends."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeout = _ATTEMPT_TIMEOUT.get()
        if timeout is not None:
            request.extensions["timeout"] = timeout.as_dict()
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _install_http_client(client: AblyRestSync, settings: AblySettings) -> None:
    # The SDK builds its httpx.Client privately; swap it for one that (1) keeps
    # idle connections longer than httpx's 5 s, so a Lambda invoked every few
    # seconds does not pay a TLS handshake per call, and (2) bounds every request
    # by the attempt timeout of the thread that sends it.
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
        transport = httpx.HTTPTransport(verify=verify, http2=True, limits=limits)
        setattr(http, attribute, httpx.Client(transport=_AttemptTimeoutTransport(transport)))
        original.close()
    else:  # a future SDK renamed it: keep its pool and its configured timeouts
        log.warning("ably-python internals changed; per-attempt deadlines are not applied")


# -- the request path ---------------------------------------------------------------


class AblyConnection:
    """ably-python's sync client plus the one request path: deadlines, retries, typed errors.

    Thread-safe and lock-free: concurrent calls from several threads run their
    requests concurrently over the shared connection pool (each attempt's timeout
    is carried by a context variable, not by the shared client options).
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
        """Create the connection. No network call happens here.

        Args:
            settings: endpoint, auth, timeouts and retry policy.
            client: an ably-python sync client to use instead of building one.
            sleep: waits between retries (injectable for tests).
            clock: monotonic seconds; deadlines are on this clock.
            jitter: returns a float in [0, 1) to spread retry delays.
        """
        self.settings = settings
        self.sdk_client = client if client is not None else build_sdk_client(settings)
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter

    def close(self) -> None:
        """Close pooled connections."""
        self.sdk_client.close()

    def deadline(self, deadline: float | None) -> float:
        """``deadline``, or now plus the settings' budget when the caller gave none."""
        return self._clock() + self.settings.budget_s if deadline is None else deadline

    def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool,
        deadline: float | None,
        version: str | None = None,
        client_id: str | None = None,
        basic_auth: bool = False,
        accept: Callable[[int, Any], bool] | None = None,
    ) -> AblyReply:
        """Send one request with retries, within the deadline; return the 2xx answer.

        Args:
            operation: a name for messages and logs (e.g. ``"chat.send"``).
            method: the HTTP method.
            path: the path, segments already percent-encoded.
            body: JSON-serialisable body, or None.
            params: query parameters.
            idempotent: whether Ably would do the work once however often the
                request arrives; only then is a request that may have reached
                Ably (read timeout, dropped connection) sent again.
            deadline: ``time.monotonic()`` by which to give up (default: now + budget).
            version: the ``X-Ably-Version`` to send (default: the SDK's).
            client_id: act as this user (``X-Ably-ClientId``, base64 as RSA7e2).
            basic_auth: send the key (Basic auth) whatever the settings say; for
                operations Ably refuses over token auth (``revokeTokens``, 40162).
            accept: also accept a non-2xx answer for which this returns True.

        Returns:
            The status and decoded JSON body.

        Raises:
            AblyTimeoutError: no answer in time, or no time left for an attempt.
            AblyConnectionError: the connection failed on every attempt.
            AblyApiError: Ably refused, or authentication failed.
        """
        end = self.deadline(deadline)
        headers: dict[str, str] = {}
        if client_id:
            headers["X-Ably-ClientId"] = _base64(client_id)
        if basic_auth:
            headers["Authorization"] = f"Basic {_base64(self.settings.api_key)}"
        if params:
            path = f"{path}?{urlencode(params)}"
        settings = self.settings
        attempt = 0
        reauthorize = False
        while True:
            if end - self._clock() < _MIN_ATTEMPT_S:
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
                    return AblyReply(status, payload)
                error = error_from_answer(operation, status, payload, response.headers)
                if (
                    status == 401
                    and settings.token_auth
                    and not basic_auth
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
                    retry_after = retry_after_seconds(response.headers)
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
        headers: Mapping[str, str],
        end: float,
        reauthorize: bool,
    ) -> Any:
        """One attempt through the SDK's HTTP layer, bounded by the deadline. No lock held."""
        client = self.sdk_client
        if reauthorize:
            with self._attempt_timeout(end):
                client.auth.authorize()
        with self._attempt_timeout(end):
            return client.http.make_request(
                method,
                path,
                version=version,
                headers=dict(headers) or None,
                body=body,
                # With explicit credentials the SDK must not add its own.
                skip_auth="Authorization" in headers,
                raise_on_error=False,
            )

    @contextmanager
    def _attempt_timeout(self, end: float) -> Iterator[None]:
        budget = max(_MIN_ATTEMPT_S, min(self.settings.timeout_s, end - self._clock()))
        timeout = httpx.Timeout(budget, connect=min(self.settings.connect_timeout_s, budget))
        token = _ATTEMPT_TIMEOUT.set(timeout)
        try:
            yield
        finally:
            _ATTEMPT_TIMEOUT.reset(token)


class AblyOperations:
    """Base of the operation groups (chat, pub/sub, tokens): they share one connection."""

    def __init__(self, connection: AblyConnection) -> None:
        """Bind the operations to ``connection``.

        Args:
            connection: the connection every request goes through.
        """
        self._connection = connection

    @property
    def connection(self) -> AblyConnection:
        """The connection requests go through."""
        return self._connection

    @property
    def settings(self) -> AblySettings:
        """The connection's settings."""
        return self._connection.settings


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def _json_or_none(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None
