"""Ably's wire shapes as the emulator speaks them: errors, the TokenRequest mac, capabilities.

Sources (checked against the clients the contract tests drive):

- Error envelope and codes — ably-common ``protocol/errors.json`` as generated into
  ably-js 2.x ``src/common/lib/types/errorcodes.ts``; ably-js reads the body's
  ``error`` with ``ErrorInfo.fromWireValues`` (``src/platform/nodejs/lib/util/http.ts``),
  including ``detail`` (a string → string map, ``src/common/lib/types/errorinfo.ts``),
  and ``HttpPaginatedResponse`` repeats it as ``errorCode``/``errorMessage``/``errorDetail``
  (``src/common/lib/client/paginatedresource.ts``); ably-python reads the
  ``X-Ably-Errorcode``/``X-Ably-Errormessage`` headers (``HttpPaginatedResponse``).
- TokenRequest mac — ably-js ``src/common/lib/client/auth.ts`` (``createTokenRequest``)
  and ably-python ``Auth.create_token_request``.
- Capabilities — https://ably.com/docs/auth/capabilities (resources match channels
  segment by segment, ``:`` delimited; ``*`` replaces one whole segment, or any
  number of them at the end; ``*`` alone matches every channel but not ``[queue]``
  or ``[meta]`` resources; ``foo*`` is a literal name) and
  https://ably.com/docs/chat/setup (chat capabilities are granted on the room name:
  ``my-room``, ``dms:*``, ``*``; send needs ``publish``, update
  ``message-update-own``/``-any``, delete ``message-delete-own``/``-any``, history
  ``history``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote

# Error codes (ably-common errors.json; each code's page in ably-common
# ``errors/codes/<code>.md``, published as https://ably.com/docs/platform/errors/codes).
BAD_REQUEST: Final = 40000
# "invalid request body": a missing required field or one not in the expected form;
# "most often ... on token requests". Ably's Chat OpenAPI (ably/docs
# static/open-specs/chat.yaml) shows it for a send without text.
INVALID_REQUEST_BODY: Final = 40001
# "invalid request parameter value": e.g. "a token ttl above the permitted maximum".
INVALID_PARAMETER_VALUE: Final = 40003
# "invalid client ID": a clientId the credentials do not permit (HTTP 400); ably-python
# refuses such a publish itself with this code (``rest/channel.py``, RSL1m).
INVALID_CLIENT_ID: Final = 40012
INVALID_CREDENTIALS: Final = 40101
# "incompatible credentials": "the client ID they permit differed from the one in use".
INCOMPATIBLE_CREDENTIALS: Final = 40102
CREDENTIALS_NOT_SECURE: Final = 40103
TIMESTAMP_NOT_CURRENT: Final = 40104
NONCE_REPLAYED: Final = 40105
TOKEN_REVOKED: Final = 40141
TOKEN_EXPIRED: Final = 40142
TOKEN_UNRECOGNISED: Final = 40143
OPERATION_NOT_PERMITTED: Final = 40160
REVOKE_NEEDS_KEY: Final = 40162
# "token revocation not enabled for API key".
REVOCATION_NOT_ENABLED: Final = 40163
NOT_FOUND: Final = 40400
# @ably/chat 1.4 src/core/errors.ts: MessageRejectedByBeforePublishRule = 42211,
# MessageRejectedByModeration = 42213.
REJECTED_BY_RULE: Final = 42211
REJECTED_BY_MODERATION: Final = 42213

CHAT_CHANNEL_SUFFIX: Final = "::$chat"
# The capability of a key configured without one.
FULL_CAPABILITY: Final = '{"*":["*"]}'


def now_ms() -> int:
    """The wall clock in epoch milliseconds, as Ably timestamps are."""
    return int(time.time() * 1000)


def ably_error_body(
    code: int, status: int, message: str, detail: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Ably's JSON error envelope ``{"error": {message, code, statusCode, href, detail?}}``."""
    error: dict[str, Any] = {
        "message": message,
        "code": code,
        "statusCode": status,
        "href": f"https://help.ably.io/error/{code}",
    }
    if detail:
        error["detail"] = dict(detail)
    return {"error": error}


def error_headers(code: int, message: str) -> dict[str, str]:
    """The headers Ably repeats an error in (``HttpPaginatedResponse.errorCode`` reads them)."""
    return {"X-Ably-Errorcode": str(code), "X-Ably-Errormessage": message}


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


# -- capabilities ----------------------------------------------------------------------


def parse_capability(text: str) -> dict[str, frozenset[str]]:
    """A capability JSON string as resource → operations.

    Raises:
        ValueError: not a JSON object of resource names to non-empty lists of strings.
    """
    value = json.loads(text)
    if not isinstance(value, dict) or not value:
        raise ValueError("capability must be a non-empty JSON object")
    parsed: dict[str, frozenset[str]] = {}
    for resource, operations in value.items():
        if (
            not isinstance(operations, list)
            or not operations
            or not all(isinstance(op, str) for op in operations)
        ):
            raise ValueError(f"capability for {resource!r} must be a list of operations")
        parsed[resource] = frozenset(operations)
    return parsed


def resource_matches(resource: str, channel: str) -> bool:
    """Whether a capability resource covers ``channel`` (Ably's segment wildcards).

    ``*`` replaces one ``:``-delimited segment, or any number of them when it is the
    last segment; ``*`` alone covers every channel (channel names never start with
    ``[``, so ``[queue]``/``[meta]`` resources stay apart); ``foo*`` is literal.
    """
    if resource == channel:
        return True
    if resource == "[*]*":
        return True
    if resource.startswith("[") != channel.startswith("["):
        return False
    wanted, actual = resource.split(":"), channel.split(":")
    for index, segment in enumerate(wanted):
        last = index == len(wanted) - 1
        if segment == "*" and last:
            return len(actual) > index
        if index >= len(actual) or (segment != "*" and segment != actual[index]):
            return False
    return len(actual) == len(wanted)


def capability_resource(channel: str) -> str:
    """The resource a capability names for ``channel``: a chat room's bare name.

    Chat capabilities are granted on room names (https://ably.com/docs/chat/setup),
    and a room lives on the channel ``<room>::$chat``.
    """
    return channel.removesuffix(CHAT_CHANNEL_SUFFIX)


def intersect_capabilities(
    requested: Mapping[str, frozenset[str]], key: Mapping[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    """The capability of a token: what it asked for, narrowed to what its key has.

    As Ably computes it (https://ably.com/docs/api/token-request-spec: the token's
    capability is "the intersection of this capability with the capability of the
    issuing key"; ably-js ``test/rest/capability.test.js`` shows the cases): for each
    requested resource and each key resource that covers it or that it covers, the
    narrower resource name with the operations both grant (``*`` standing for all).
    An empty result means the token could do nothing: Ably refuses it (401).
    """
    result: dict[str, set[str]] = {}
    for resource, operations in requested.items():
        for key_resource, key_operations in key.items():
            if resource_matches(key_resource, resource):
                narrower = resource
            elif resource_matches(resource, key_resource):
                narrower = key_resource
            else:
                continue
            if "*" in operations:
                common = set(key_operations)
            elif "*" in key_operations:
                common = set(operations)
            else:
                common = set(operations & key_operations)
            if common:
                result.setdefault(narrower, set()).update(common)
    return {resource: frozenset(operations) for resource, operations in result.items()}


def capability_text(capability: Mapping[str, frozenset[str]]) -> str:
    """A capability as Ably writes it in TokenDetails: a JSON string, names sorted."""
    return json.dumps(
        {resource: sorted(capability[resource]) for resource in sorted(capability)},
        separators=(",", ":"),
    )


def permits(capability: Mapping[str, frozenset[str]], resource: str, operation: str) -> bool:
    """Whether ``capability`` grants ``operation`` (or ``*``) on ``resource``."""
    return any(
        (operation in operations or "*" in operations) and resource_matches(pattern, resource)
        for pattern, operations in capability.items()
    )


# -- requests and scripted replies ------------------------------------------------------


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
    """An answer that replaces the emulator's own (tests script these).

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
        headers = error_headers(code, message)
        headers.update(kwargs.pop("headers", {}))
        return cls(status, ably_error_body(code, status, message), headers=headers, **kwargs)


def b64_or_none(value: str) -> str | None:
    """``value`` base64-decoded as UTF-8 text, or None when it is not base64."""
    try:
        return base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
