"""Opaque page cursors for the moderator API: encoded here, and strictly validated on the way back.

A cursor is base64url (no padding) of compact JSON ``{"v": 1, "k": <kind>, ...}``.
It is not signed: it only says where the next page starts, which a moderator
could ask for directly, so forging one gains nothing. What matters is that a
mangled or foreign cursor is refused as a 400 (never a 500, never a silent first
page), and that a cursor only continues the listing it came from (same kind,
same filter).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import date
from typing import Any, Final

from chatmod.core.errors import BadRequestError
from chatmod.enforcement.client_ids import client_id_problem

_VERSION: Final = 1
#: An audit event id: "<ISO-8601 UTC ms>Z#<12 hex>" (see ``adapters.audit_log``).
EVENT_ID_PATTERN: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9a-f]{12}")
DAY_PATTERN: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


class InvalidCursorError(BadRequestError):
    """The cursor is not one this API issued for this listing (400)."""

    default_code = "invalid_cursor"


def encode(kind: str, **fields: Any) -> str:
    """The opaque cursor for ``kind`` (``"bans"``, ``"audit"``) holding ``fields``."""
    payload = json.dumps({"v": _VERSION, "k": kind, **fields}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")


def decode(cursor: str, kind: str) -> dict[str, Any]:
    """The fields of a cursor of ``kind``.

    Raises:
        InvalidCursorError: not base64url JSON of this version and kind.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursorError("the cursor is not valid") from None
    if not isinstance(payload, dict) or payload.get("v") != _VERSION or payload.get("k") != kind:
        raise InvalidCursorError("the cursor is not valid for this listing")
    payload.pop("v")
    payload.pop("k")
    return payload


def bans_cursor(last_client_id: str) -> str:
    """The cursor after the ban on ``last_client_id`` (in the table's scan order)."""
    return encode("bans", after=last_client_id)


def read_bans_cursor(cursor: str) -> str:
    """The client id a bans page continues after.

    Raises:
        InvalidCursorError: the cursor is malformed.
    """
    fields = decode(cursor, "bans")
    after = fields.get("after")
    if set(fields) != {"after"} or client_id_problem(after) is not None:
        raise InvalidCursorError("the cursor is not valid for this listing")
    assert isinstance(after, str)
    return after


def audit_cursor(before_event_id: str, oldest_day: str, client_id: str | None) -> str:
    """The cursor of the audit events older than ``before_event_id``."""
    return encode("audit", before=before_event_id, oldest=oldest_day, clientId=client_id)


def read_audit_cursor(cursor: str, client_id: str | None) -> tuple[str, str]:
    """``(before_event_id, oldest_day)`` of an audit cursor issued for the filter ``client_id``.

    Raises:
        InvalidCursorError: the cursor is malformed, or was issued for another filter.
    """
    fields = decode(cursor, "audit")
    before, oldest = fields.get("before"), fields.get("oldest")
    if (
        set(fields) != {"before", "oldest", "clientId"}
        or not isinstance(before, str)
        or EVENT_ID_PATTERN.fullmatch(before) is None
        or not isinstance(oldest, str)
        or DAY_PATTERN.fullmatch(oldest) is None
        or oldest > before[:10]
        or not _is_date(oldest)
        or not _is_date(before[:10])
    ):
        raise InvalidCursorError("the cursor is not valid for this listing")
    if fields["clientId"] != client_id:
        raise InvalidCursorError("the cursor belongs to a listing with another clientId filter")
    return before, oldest


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
