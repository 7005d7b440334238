"""Shared plumbing for network providers: deadlines, worker pool, HTTP call with error mapping.

Every network provider makes one attempt per ``moderate`` call and must not outlive
its ``timeout``. The pieces here make that uniform:

- :class:`Deadline` — the instant the attempt must be over.
- :func:`run_concurrently` — runs the attempt's calls (one, or one per chunk) on a
  small shared thread pool and waits for them no longer than the deadline; the
  first failure fails the attempt with the most meaningful error.
- :func:`post_json` — one HTTP POST through a pooled ``httpx.Client``, with timeouts
  from the deadline and every failure mapped onto the ``ProviderError`` tree.

Secrets (API keys) never appear in the messages raised here: messages carry the
status, an error code if the body has a short one, and a URL without its query.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

import httpx

from chatmod import __version__
from chatmod.core.deadline import Deadline as Deadline  # re-exported for the providers
from chatmod.core.retry_after import retry_after_seconds
from chatmod.moderation.base import (
    ProviderError,
    ProviderRateLimitedError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)

T = TypeVar("T")

USER_AGENT = f"chatmod/{__version__}"
# Providers answer in a few KiB; a bigger body is not one we would understand.
MAX_RESPONSE_BYTES = 1024 * 1024
# Threads shared by all providers. The async consumer moderates up to 64 messages of a
# batch at once (``async.maxConcurrency``), each with one call per chunk, so this pool
# must never be what they queue on: 16 threads left 48 of 64 messages waiting behind
# 300 ms calls until their deadline. Threads start only when work is waiting, so the
# cap costs nothing until a burst needs it; it stays a cap against runaway stragglers.
POOL_THREADS = 256

_pool: ThreadPoolExecutor | None = None
_client: httpx.Client | None = None
_lock = threading.Lock()


class RateLimitedError(ProviderRateLimitedError):
    """A 429 (or throttling), with the wait the server asked for, if it said.

    Attributes:
        retry_after: Seconds to wait before trying again (from ``Retry-After`` or
            ``retry-after-ms``), or ``None`` when the server did not say.
        code: The provider's machine error code, if the answer had one.
    """

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        retry_after: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(provider, message)
        self.retry_after = retry_after
        self.code = code


def shared_pool() -> ThreadPoolExecutor:
    """The process-wide worker pool, created on first use (never at import time)."""
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(
                    max_workers=POOL_THREADS, thread_name_prefix="chatmod-provider"
                )
    return _pool


def shared_client() -> httpx.Client:
    """The process-wide ``httpx.Client``, created on first use.

    One pooled client serves every provider and every invocation of a warm Lambda
    container, so TLS connections are reused. Timeouts are set per request.
    """
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = httpx.Client(
                    limits=httpx.Limits(max_connections=64, max_keepalive_connections=16),
                    follow_redirects=False,
                )
    return _client


def run_concurrently(
    provider: str,
    calls: Sequence[Callable[[Deadline], T]],
    *,
    deadline: Deadline,
    max_concurrency: int = 8,
) -> list[T]:
    """Run ``calls`` on the shared pool, at most ``max_concurrency`` at a time, within ``deadline``.

    Each call receives the deadline (so it can size its own timeouts). The caller
    never waits past the deadline: calls still running then are abandoned (their own
    timeouts end them soon after) and calls not started are cancelled.

    Args:
        provider: Provider name, for error messages.
        calls: The calls of one attempt, e.g. one per chunk.
        deadline: When the attempt must be over.
        max_concurrency: Most calls in flight at once (bounds the burst a provider sees).

    Returns:
        The calls' results, in the order of ``calls``.

    Raises:
        ProviderTimeoutError: The deadline passed before every call finished.
        ProviderError: A call failed; the attempt fails at once with the most
            meaningful of the failures known by then (see :func:`most_meaningful`).
    """
    results: list[Any] = [None] * len(calls)
    if not calls:
        return results
    pool = shared_pool()
    pending: dict[Future[T], int] = {}
    queued = iter(range(len(calls)))

    def submit_more() -> None:
        while len(pending) < max(1, max_concurrency):
            index = next(queued, None)
            if index is None:
                return
            pending[pool.submit(calls[index], deadline)] = index

    submit_more()
    while pending:
        done, _ = wait(pending, timeout=deadline.remaining(), return_when=FIRST_COMPLETED)
        if not done:
            _cancel(pending)
            raise ProviderTimeoutError(provider, "no answer within the timeout")
        failures: list[BaseException] = []
        for future in done:
            index = pending.pop(future)
            error = future.exception()
            if error is None:
                results[index] = future.result()
            else:
                failures.append(error)
        if failures:
            # Others may have failed at the same moment; pick the most telling.
            for future in pending:
                late = future.exception() if future.done() and not future.cancelled() else None
                if late is not None:
                    failures.append(late)
            _cancel(pending)
            raise most_meaningful(failures)
        submit_more()
    return results


def _cancel(pending: Iterable[Future[Any]]) -> None:
    for future in pending:
        future.cancel()


# Most meaningful first: a definite answer (bad key, bad request) says retrying is
# pointless; a 429 drives tooManyRequestsAction; a 5xx is a clearer fact than a
# timeout, which is often just a consequence of the same trouble.
_RANK: tuple[type[ProviderError], ...] = (
    ProviderResponseError,
    ProviderRateLimitedError,
    ProviderUnavailableError,
    ProviderTimeoutError,
)


def most_meaningful(errors: Sequence[BaseException]) -> BaseException:
    """Pick the error to report when several calls of one attempt failed.

    Anything that is not a ``ProviderError`` is a bug and wins, so it is not hidden.
    Otherwise: response error > rate limited > unavailable > timeout.

    Args:
        errors: At least one error.

    Returns:
        The error to raise.
    """

    def rank(error: BaseException) -> int:
        for position, kind in enumerate(_RANK):
            if isinstance(error, kind):
                return position
        return -1 if not isinstance(error, ProviderError) else len(_RANK)

    return min(errors, key=rank)


def post_json(
    provider: str,
    url: str,
    *,
    deadline: Deadline,
    client: httpx.Client | None = None,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    params: Mapping[str, str] | None = None,
    secrets: Iterable[str] = (),
) -> Any:
    """POST a JSON body and return the decoded JSON answer, mapping every failure.

    Args:
        provider: Provider name, for error messages.
        url: Full URL to post to.
        deadline: When the attempt must be over; every httpx timeout is the time left.
        client: The ``httpx.Client`` to use (default: :func:`shared_client`).
        headers: Request headers (auth goes here, never in ``url``).
        json_body: The body, serialised as JSON.
        params: Query parameters.
        secrets: Strings scrubbed from any message raised (belt and braces).

    Returns:
        The decoded JSON body of a 2xx answer.

    Raises:
        ProviderTimeoutError: Connect, write, read or pool timeout, or the deadline
            passed while reading the body.
        ProviderUnavailableError: 5xx, or the connection was refused, reset or broken.
        RateLimitedError: 429 (``retry_after`` from ``Retry-After``/``retry-after-ms``).
        ProviderResponseError: Other non-2xx statuses, a 2xx body that is not JSON or
            is too large, or a URL httpx cannot use.
    """
    where = redact_url(url)
    remaining = deadline.remaining()
    if remaining <= 0:
        raise ProviderTimeoutError(provider, f"no time left to call {where}")
    client = client or shared_client()
    try:
        with client.stream(
            "POST",
            url,
            headers={"user-agent": USER_AGENT, **(headers or {})},
            json=json_body,
            params=params,
            timeout=httpx.Timeout(remaining),
        ) as response:
            status = response.status_code
            body = _read_body(provider, response, deadline)
            response_headers = response.headers
    except httpx.TimeoutException as exc:
        raise ProviderTimeoutError(provider, f"timed out calling {where}") from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise ProviderResponseError(provider, f"cannot call {where}: bad URL") from exc
    except httpx.TransportError as exc:
        # Refused, reset, DNS failure, a connection closed mid-answer: all transient.
        raise ProviderUnavailableError(
            provider, f"connection to {where} failed ({type(exc).__name__})"
        ) from exc

    if 200 <= status < 300:
        try:
            return json.loads(body)
        except ValueError:
            raise ProviderResponseError(
                provider, f"HTTP {status} from {where} with a body that is not JSON"
            ) from None
    raise status_error(provider, status, body, response_headers, where=where, secrets=secrets)


def _read_body(provider: str, response: httpx.Response, deadline: Deadline) -> bytes:
    # Reading in pieces lets a slow, dripping answer end at the deadline, and a
    # huge one end at the size cap, instead of tying up a worker.
    parts: list[bytes] = []
    size = 0
    for part in response.iter_bytes():
        size += len(part)
        if size > MAX_RESPONSE_BYTES:
            raise ProviderResponseError(provider, f"answer larger than {MAX_RESPONSE_BYTES} bytes")
        parts.append(part)
        if deadline.expired():
            raise ProviderTimeoutError(provider, "answer still arriving at the timeout")
    return b"".join(parts)


def status_error(
    provider: str,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    where: str,
    secrets: Iterable[str] = (),
) -> ProviderError:
    """Map a non-2xx answer to the error to raise.

    Args:
        provider: Provider name.
        status: HTTP status.
        body: Response body (only a short error code from it reaches the message).
        headers: Response headers (for ``Retry-After``).
        where: Redacted URL for the message.
        secrets: Strings scrubbed from the message.

    Returns:
        ``RateLimitedError`` for 429, ``ProviderUnavailableError`` for 5xx,
        ``ProviderResponseError`` otherwise.
    """
    code = error_code(body)
    detail = f"HTTP {status} from {where}" + (f" ({code})" if code else "")
    detail = scrub(detail, secrets)
    if status == 429:
        return RateLimitedError(
            provider, detail, retry_after=retry_after_seconds(headers), code=code
        )
    if status >= 500:
        return ProviderUnavailableError(provider, detail)
    return ProviderResponseError(provider, detail)


_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")


def error_code(body: bytes) -> str | None:
    """A short machine error code from a JSON error body, if there is one.

    Looks at ``error.code``, ``error.type``, ``code`` and ``__type`` (the shapes of
    OpenAI, Azure, Hive and AWS). Only identifier-like values are returned: error
    *messages* can quote part of the key (OpenAI's 401 does), so they never are.

    Args:
        body: The response body.

    Returns:
        The code, or ``None``.
    """
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    candidates: list[object] = []
    error = data.get("error")
    if isinstance(error, dict):
        candidates += [error.get("code"), error.get("type")]
    candidates += [data.get("code"), data.get("__type")]
    for candidate in candidates:
        if isinstance(candidate, str) and _CODE.fullmatch(candidate):
            return candidate
    return None


def redact_url(url: str) -> str:
    """``scheme://host[:port]/path`` without user info or query (either may hold a token).

    Args:
        url: Any URL.

    Returns:
        The URL safe to put in a message.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "<invalid URL>"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"


def scrub(message: str, secrets: Iterable[str]) -> str:
    """Replace every secret in ``message`` with ``***``.

    Args:
        message: Text that might contain a secret.
        secrets: The secrets (empty ones are ignored).

    Returns:
        The message, scrubbed.
    """
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message


def join_url(base_url: str, path: str) -> str:
    """``base_url`` and ``path`` joined with exactly one slash.

    Args:
        base_url: e.g. ``https://api.openai.com`` or ``http://127.0.0.1:8080/``.
        path: e.g. ``/v1/moderations``.

    Returns:
        The full URL.
    """
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def require_number(provider: str, value: object, what: str) -> float:
    """``value`` as a float, or a response error saying which field was wrong.

    Args:
        provider: Provider name.
        value: A value from a decoded JSON answer.
        what: The field, for the message.

    Returns:
        The number.

    Raises:
        ProviderResponseError: Not a finite int or float (booleans are rejected).
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ProviderResponseError(provider, f"unexpected answer: {what} is not a number")
    return float(value)
