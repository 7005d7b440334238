"""Ably TokenRequests signed with the key secret: no network call, and no Ably SDK.

A TokenRequest is what ably-js exchanges with Ably for a token when it is given an
``authUrl``; the ``mac`` proves the key's owner signed it. The signing is Ably's
documented RSA9 procedure, in the same field order and canonical capability form as
ably-python ``AuthSync.create_token_request`` and ably-js ``Auth.createTokenRequest``.

Why not the SDK here: importing ``ably`` loads its realtime client (asyncio,
websockets, httpx), about 90 ms of the token function's cold start, to compute one
HMAC. ``tests/unit/adapters/test_token_request.py`` holds this module to the SDK:
for the same key, fields, time and nonce both produce the same TokenRequest, and
the Ably emulator (which verifies macs as Ably does) exchanges it for a token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from chatmod.core.constants import MAX_TOKEN_TTL_MS
from chatmod.core.errors import BadRequestError

#: The signed fields, in the order the mac covers them (then the mac itself).
SIGNED_FIELDS: Final = ("keyName", "ttl", "capability", "clientId", "timestamp", "nonce")


class ApiKey:
    """An Ably API key, ``<appId>.<keyId>:<secret>``; ``repr`` never shows the secret."""

    __slots__ = ("_secret", "name")

    def __init__(self, api_key: str) -> None:
        """Raises ``ValueError`` (without the value) unless ``api_key`` is an Ably key."""
        name, sep, secret = api_key.partition(":")
        if not sep or not secret or ":" in secret or "." not in name:
            raise ValueError("an Ably API key looks like '<appId>.<keyId>:<secret>'")
        self.name: Final = name
        self._secret = secret.encode()

    def __repr__(self) -> str:
        return f"ApiKey(name={self.name!r})"

    def mac(self, text: str) -> str:
        """Base64 HMAC-SHA256 of ``text`` with the key secret."""
        digest = hmac.new(self._secret, text.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")


def canonical_capability(capability: Mapping[str, Sequence[str]]) -> str:
    """The capability as Ably's clients send it: JSON, resources and operations sorted.

    Raises:
        BadRequestError: not resource names mapped to non-empty lists of operation names.
    """
    if not capability or not all(
        isinstance(resource, str)
        and not isinstance(operations, str)
        and operations
        and all(isinstance(operation, str) for operation in operations)
        for resource, operations in capability.items()
    ):
        raise BadRequestError("capability must map resource names to lists of operations")
    return json.dumps(
        {resource: sorted(operations) for resource, operations in capability.items()},
        sort_keys=True,
    )


def create_token_request(
    key: ApiKey,
    client_id: str,
    capability: Mapping[str, Sequence[str]],
    ttl_ms: int,
    *,
    clock: Callable[[], float] = time.time,
    nonce: str | None = None,
) -> dict[str, Any]:
    """A TokenRequest for ``client_id``, signed with ``key``.

    Args:
        key: the Ably key that signs (its secret never leaves this process).
        client_id: the user the token is for (never empty, never the wildcard).
        capability: resource name -> operations, e.g. ``{"room1": ["publish"]}``.
        ttl_ms: token lifetime in milliseconds (at most ``MAX_TOKEN_TTL_MS``, 1 h:
            Ably revokes only tokens that live at most an hour).
        clock: seconds since the epoch (the request's ``timestamp``).
        nonce: fixed for tests; otherwise 16 random hex digits.

    Returns:
        ``{keyName, ttl, capability (JSON string), clientId, timestamp, nonce, mac}``,
        exactly what ably-js accepts from an ``authUrl``.

    Raises:
        BadRequestError: the client id, capability or ttl is invalid.
    """
    if not isinstance(client_id, str) or not client_id.strip():
        raise BadRequestError("client id must be a non-empty string")
    if client_id == "*":
        raise BadRequestError("client id must not be the wildcard '*'")
    if isinstance(ttl_ms, bool) or not isinstance(ttl_ms, int):
        raise BadRequestError("ttl_ms must be an integer")
    if not 0 < ttl_ms <= MAX_TOKEN_TTL_MS:
        raise BadRequestError(f"ttl_ms must be between 1 and {MAX_TOKEN_TTL_MS} (one hour)")
    request: dict[str, Any] = {
        "keyName": key.name,
        "ttl": ttl_ms,
        "capability": canonical_capability(capability),
        "clientId": client_id,
        "timestamp": int(clock() * 1000),
        "nonce": nonce if nonce is not None else secrets.token_hex(8),
    }
    request["mac"] = key.mac("".join(f"{request[name]}\n" for name in SIGNED_FIELDS))
    return request
