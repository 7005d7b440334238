"""A local JWT issuer and verifier standing in for Cognito and API Gateway's JWT authorizer.

HS256 with a random per-run secret (stdlib ``hmac``; no dependency): enough to
tell signed-in callers from anonymous ones on loopback. Checked like the
authorizer does: signature, ``alg``, issuer, audience, expiry and not-before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

ISSUER = "http://127.0.0.1/chatmod-local"
AUDIENCE = "chatmod-local"
DEFAULT_TTL_S = 12 * 60 * 60


class InvalidTokenError(Exception):
    """The token is missing, malformed, forged, expired or for another audience."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LocalJwtIssuer:
    """Issues and verifies the local bearer tokens."""

    def __init__(self, secret: bytes | None = None, *, clock: Any = time.time) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock

    def issue(
        self,
        subject: str,
        groups: Sequence[str] = (),
        *,
        ttl_s: int = DEFAULT_TTL_S,
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        """A token for ``subject`` with ``cognito:groups`` (as Cognito issues them).

        ``extra`` adds claims (e.g. a custom client id or moderator claim).
        """
        now = int(self._clock())
        claims: dict[str, Any] = {
            "sub": subject,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + ttl_s,
            "token_use": "id",
            "cognito:username": subject,
        }
        if groups:
            claims["cognito:groups"] = list(groups)
        claims.update(extra or {})
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{header}.{payload}.{self._sign(f'{header}.{payload}')}"

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid token.

        Raises:
            InvalidTokenError: anything the JWT authorizer would refuse.
        """
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidTokenError("not a JWT")
        header_b64, payload_b64, signature = parts
        try:
            header = json.loads(_unb64(header_b64))
            claims = json.loads(_unb64(payload_b64))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidTokenError("malformed JWT") from exc
        if not isinstance(header, dict) or header.get("alg") != "HS256":
            raise InvalidTokenError("unexpected algorithm")
        expected = self._sign(f"{header_b64}.{payload_b64}")
        if not hmac.compare_digest(expected, signature):
            raise InvalidTokenError("bad signature")
        if not isinstance(claims, dict):
            raise InvalidTokenError("claims are not an object")
        now = self._clock()
        if claims.get("iss") != ISSUER or claims.get("aud") != AUDIENCE:
            raise InvalidTokenError("wrong issuer or audience")
        if not isinstance(claims.get("exp"), int | float) or claims["exp"] <= now:
            raise InvalidTokenError("expired")
        if isinstance(claims.get("nbf"), int | float) and claims["nbf"] > now:
            raise InvalidTokenError("not valid yet")
        return claims

    def _sign(self, signing_input: str) -> str:
        return _b64(hmac.new(self._secret, signing_input.encode(), hashlib.sha256).digest())


def authorizer_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway's JWT authorizer passes them: strings, arrays as ``"[a b]"``."""
    flattened: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, list):
            flattened[name] = "[" + " ".join(str(item) for item in value) + "]"
        elif isinstance(value, bool):
            flattened[name] = "true" if value else "false"
        else:
            flattened[name] = str(value)
    return flattened
