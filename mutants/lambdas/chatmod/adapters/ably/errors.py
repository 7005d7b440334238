"""The errors the Ably adapter raises, and the mapping from Ably's error answers to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatmod.core.errors import UpstreamError

__all__ = [
    "AblyApiError",
    "AblyConnectionError",
    "AblyTimeoutError",
    "error_from_answer",
    "int_or_none",
]


class AblyApiError(UpstreamError):
    """Ably answered with an error, or could not be reached (maps to 502).

    The tree::

        UpstreamError (chatmod.core.errors, 502)
        └── AblyApiError          Ably refused, or the SDK could not authenticate
            ├── AblyTimeoutError  no answer in time, or no time left to ask
            └── AblyConnectionError  refused, reset, closed without an answer

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


def error_from_answer(
    operation: str, status: int, payload: Any, headers: Mapping[str, str]
) -> AblyApiError:
    """The error for a non-2xx answer from Ably.

    Ably puts ``{"error": {"code", "message", ...}}`` in the body and repeats the
    code and message in ``X-Ably-Errorcode`` / ``X-Ably-Errormessage``; either may
    be missing (e.g. a proxy's HTML page).

    Args:
        operation: what was attempted, for the message (e.g. ``"chat.send"``).
        status: the HTTP status.
        payload: the decoded JSON body, or None.
        headers: the response headers (case-insensitive).

    Returns:
        ``AblyTimeoutError`` for 504, ``AblyApiError`` otherwise.
    """
    code: int | None = None
    detail: str | None = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        code = int_or_none(payload["error"].get("code"))
        detail = payload["error"].get("message")
    if code is None:
        code = int_or_none(headers.get("x-ably-errorcode"))
    if not detail:
        detail = headers.get("x-ably-errormessage")
    message = f"Ably {operation}: HTTP {status}"
    if code is not None:
        message += f", code {code}"
    if detail:
        message += f": {detail}"
    error_type = AblyTimeoutError if status == 504 else AblyApiError
    return error_type(message, ably_code=code, http_status=status)


def int_or_none(value: Any) -> int | None:
    """``value`` as an int, or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
