"""Argument checks and URL path encoding shared by the Ably operations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from chatmod.core.errors import BadRequestError


def path_segment(value: Any, what: str) -> str:
    """One URL path segment: every reserved character percent-encoded.

    Raises:
        BadRequestError: ``value`` is not a non-empty string.
    """
    if not isinstance(value, str) or not value:
        raise BadRequestError(f"{what} must be a non-empty string")
    if set(value) == {"."}:
        # "." and ".." would be resolved away as dot-segments.
        return value.replace(".", "%2E")
    return quote(value, safe="")


def require_text(value: Any, what: str) -> None:
    """Raise ``BadRequestError`` unless ``value`` is a string."""
    if not isinstance(value, str):
        raise BadRequestError(f"{what} must be a string")


def require_client_id(client_id: Any) -> None:
    """Raise ``BadRequestError`` unless ``client_id`` is a usable, non-wildcard client id."""
    if not isinstance(client_id, str) or not client_id.strip():
        raise BadRequestError("client id must be a non-empty string")
    if client_id == "*":
        raise BadRequestError("client id must not be the wildcard '*'")


def as_mapping(value: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    """``value`` as a new dict (``{}`` for None); ``BadRequestError`` if not a mapping."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadRequestError(f"{what} must be an object")
    return dict(value)


def epoch_ms(value: int | datetime, what: str) -> int:
    """Epoch milliseconds from an int or an aware datetime.

    Raises:
        BadRequestError: a naive datetime.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise BadRequestError(f"{what} must be timezone-aware")
        return int(value.timestamp() * 1000)
    return int(value)
