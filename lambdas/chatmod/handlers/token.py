"""``GET``/``POST /token``: an Ably TokenRequest for a signed-in user who is not banned.

The answer is exactly what ably-js accepts from an ``authUrl``. Signing happens
here with the key secret (no call to Ably, and without importing the Ably SDK,
which would cost ~90 ms of every cold start: ``adapters.token_request``); the only
remote read per request is the ban lookup (one DynamoDB GetItem), since the key and
the policy come from SSM through Powertools' cache.

The function answers one route, so it needs no router: it reads the API Gateway (HTTP
API, payload 2.0) event itself, and its cold start pays neither for Powertools' event
handler nor for pydantic (``bench/cold_start_bench.py``: a latency path, ≤ 1.5x
``import boto3``). Errors answer as every route does: ``{"error", "message", ...}``.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters import aws
from chatmod.adapters.ban_store import BanStore
from chatmod.adapters.parameters import get_policy, get_secret
from chatmod.adapters.token_request import ApiKey, create_token_request
from chatmod.core.errors import (
    BannedError,
    ChatmodError,
    NotFoundError,
    ServiceUnavailableError,
    UnauthorizedError,
)
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.settings import Settings, get_settings
from chatmod.enforcement.tokens import capability_for, identity_from_claims, token_ttl_ms

#: The routes this function answers (API Gateway sends it no other).
ROUTES = frozenset({"GET /token", "POST /token"})
# Built on first use and kept for the life of the process (warm invocations).
_ban_store: tuple[str, BanStore] | None = None  # (bans table name, store)


def issue_token(claims: dict[str, Any] | None) -> dict[str, Any]:
    """Sign a TokenRequest for the caller, unless they are banned: the HTTP answer.

    Raises:
        UnauthorizedError: no verified identity (401).
        BannedError: the caller is banned (403 with ``reason`` and ``bannedUntil``).
        ServiceUnavailableError: configuration or the ban store is unreachable (503).
    """
    if not claims:
        # Checked before any configuration read: no identity is a 401 in every state.
        raise UnauthorizedError("sign in first: the request carries no verified identity")
    settings = get_settings()
    policy = get_policy(settings)
    identity = identity_from_claims(claims, policy.identity)
    ban = ban_store(settings).get_ban(identity.client_id)
    if ban is not None:
        metrics.add_metric(name="TokenRefusedBanned", unit=MetricUnit.Count, value=1)
        raise BannedError(
            "you are banned from this chat" + ("" if ban.permanent else " for now"),
            details={"reason": ban.reason, "bannedUntil": ban.banned_until_iso},
        )
    token_request = create_token_request(
        signing_key(settings),
        identity.client_id,
        capability_for(identity, policy.tokens),
        token_ttl_ms(policy.tokens),
    )
    metrics.add_metric(name="TokenIssued", unit=MetricUnit.Count, value=1)
    # A TokenRequest is single-use and personal: no cache may keep it.
    return _answer(200, token_request, {"Cache-Control": "no-store"})


def ban_store(settings: Settings) -> BanStore:
    """The process-wide ban store (bans table only: the token path writes nothing)."""
    global _ban_store
    cached = _ban_store
    if cached is None or cached[0] != settings.bans_table:
        cached = (settings.bans_table, BanStore(aws.table(settings.bans_table), audit=None))
        _ban_store = cached
    return cached[1]


def signing_key(settings: Settings) -> ApiKey:
    """The Ably key that signs, read through the SSM cache (so a rotated key is used).

    Raises:
        ServiceUnavailableError: the parameter is unreadable or does not hold an Ably key.
    """
    try:
        return ApiKey(get_secret(settings.ably_key_parameter, settings))
    except ValueError as exc:
        # The message never includes the value: it is the secret.
        raise ServiceUnavailableError(
            f"secret parameter {settings.ably_key_parameter} is not a valid Ably key",
            code="configuration_invalid",
        ) from exc


def _answer(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An HTTP API (payload 2.0) response with a compact JSON body."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def _claims(event: dict[str, Any]) -> dict[str, Any] | None:
    """The verified JWT claims API Gateway's authorizer put in the event, if any."""
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    jwt = authorizer.get("jwt") if isinstance(authorizer, dict) else None
    claims = jwt.get("claims") if isinstance(jwt, dict) else None
    return claims if isinstance(claims, dict) else None


def _route(event: dict[str, Any]) -> str:
    http = (event.get("requestContext") or {}).get("http") or {}
    return f"{http.get('method', '')} {event.get('rawPath', '')}"


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        route = _route(event)
        if route not in ROUTES:
            raise NotFoundError("no such route", details={"route": route})
        return issue_token(_claims(event))
    except ChatmodError as error:
        # Logged once here, as every route does: a warning for 4xx, an error for 5xx.
        log = logger.error if error.status >= 500 else logger.warning
        log("request failed", extra={"error": error.code, "status": error.status})
        return _answer(error.status, error.to_body())
    except Exception:
        logger.exception("request failed")
        return _answer(500, {"error": "internal_error", "message": "an unexpected error occurred"})
