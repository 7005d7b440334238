"""How long a server asked us to wait: ``Retry-After`` (and ``retry-after-ms``), parsed once."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Final

__all__ = ["MAX_RETRY_AFTER_S", "parse_retry_after", "retry_after_seconds"]

#: The longest wait we report. A server may send any number or a far-future date;
#: callers compare the wait with their own deadline, so a day is "too long" enough.
MAX_RETRY_AFTER_S: Final = 24 * 60 * 60.0


def parse_retry_after(
    value: str | None,
    *,
    now: Callable[[], float] = time.time,
    limit: float = MAX_RETRY_AFTER_S,
) -> float | None:
    """Seconds to wait from one ``Retry-After`` value (RFC 9110 §10.2.3).

    Accepts delta-seconds (also with a fraction, as some servers send) and an
    HTTP-date; a date in the past means "now" (0).

    Args:
        value: The header value, or None when absent.
        now: Wall-clock epoch seconds, for HTTP-dates (injectable for tests).
        limit: The largest value returned; longer waits are cut to it.

    Returns:
        Seconds in ``[0, limit]``, or None when absent, negative, not finite or
        unreadable.
    """
    if value is None or not value.strip():
        return None
    seconds = _number(value)
    if seconds is None:
        try:
            when = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            # "-0000" parses as naive; HTTP-dates are always GMT.
            when = when.replace(tzinfo=UTC)
        seconds = max(0.0, when.timestamp() - now())
    elif seconds < 0:
        return None
    return min(seconds, limit)


def retry_after_seconds(
    headers: Mapping[str, str],
    *,
    now: Callable[[], float] = time.time,
    limit: float = MAX_RETRY_AFTER_S,
) -> float | None:
    """Seconds to wait from a response's headers: ``retry-after-ms``, else ``Retry-After``.

    ``retry-after-ms`` (milliseconds; OpenAI and Azure send it) is more precise, so
    it wins when readable.

    Args:
        headers: Response headers; a case-insensitive mapping such as
            ``httpx.Headers``, or a plain dict with any capitalisation.
        now: Wall-clock epoch seconds, for HTTP-dates.
        limit: The largest value returned.

    Returns:
        Seconds in ``[0, limit]``, or None when neither header is usable.
    """
    millis = _number(_header(headers, "retry-after-ms"))
    if millis is not None and millis >= 0:
        return min(millis / 1000, limit)
    return parse_retry_after(_header(headers, "retry-after"), now=now, limit=limit)


def _number(value: str | None) -> float | None:
    """A finite number, or None (``float`` alone would accept "nan" and "inf")."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    # A plain dict keeps the server's capitalisation ("Retry-After").
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None
