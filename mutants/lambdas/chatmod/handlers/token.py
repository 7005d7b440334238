"""``GET``/``POST /token``: an Ably TokenRequest for a signed-in user who is not banned.

The answer is exactly what ably-js accepts from an ``authUrl``. Signing happens
here with the key secret (no call to Ably); the only remote read per request is
the ban lookup (one DynamoDB GetItem), since the key and the policy come from
SSM through Powertools' cache.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters import aws
from chatmod.adapters.ably.client import gateway_for
from chatmod.adapters.ban_store import BanStore
from chatmod.adapters.parameters import get_policy
from chatmod.api.http import make_resolver
from chatmod.core.errors import BannedError, UnauthorizedError
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.settings import Settings, get_settings
from chatmod.enforcement.tokens import capability_for, identity_from_claims, token_ttl_ms

app = make_resolver()

# Built on first use and kept for the life of the process (warm invocations); the
# gateway is the shared one, rebuilt when the key rotates (adapters.ably_client).
_ban_store: tuple[str, BanStore] | None = None  # (bans table name, store)


@app.get("/token")
@app.post("/token")
def issue_token() -> Response[str]:
    """Sign a TokenRequest for the caller, unless they are banned.

    Raises:
        UnauthorizedError: no verified identity (401).
        BannedError: the caller is banned (403 with ``reason`` and ``bannedUntil``).
        ServiceUnavailableError: configuration or the ban store is unreachable (503).
    """
    claims = app.current_event.request_context.authorizer.jwt_claim
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
    token_request = gateway_for(settings).create_token_request(
        identity.client_id,
        capability_for(identity, policy.tokens),
        token_ttl_ms(policy.tokens),
    )
    metrics.add_metric(name="TokenIssued", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=_compact_json(token_request),
        # A TokenRequest is single-use and personal: no cache may keep it.
        headers={"Cache-Control": "no-store"},
    )


def ban_store(settings: Settings) -> BanStore:
    """The process-wide ban store (bans table only: the token path writes nothing)."""
    global _ban_store
    cached = _ban_store
    if cached is None or cached[0] != settings.bans_table:
        cached = (settings.bans_table, BanStore(aws.table(settings.bans_table), audit=None))
        _ban_store = cached
    return cached[1]


def _compact_json(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
