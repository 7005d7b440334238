"""Ably Chat before-publish rule: accept, reject or rewrite a message (Lambda and HTTP transports).

The Lambda transport invokes the function directly (the event is Ably's request,
or ``{"body": "<json>"}``) and needs no secret: Ably assumes the invoke role. The
HTTP transport arrives through API Gateway at ``POST /before-publish`` and must
carry the shared secret. Both answer ``{"statusCode", "body": "<json>"}``:
200 whenever a decision was made, 400 for a malformed request (Ably does not
retry; it applies the rule's failed action), 401 for a wrong secret, 503 when no
decision could be reached and the policy defers to Ably's own failed action.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from chatmod.constants import METRICS_NAMESPACE
from chatmod.errors import (
    BadRequestError,
    ChatmodError,
    ServiceUnavailableError,
    UnauthorizedError,
)
from chatmod.http import validation_error
from chatmod.moderation import before_publish as contract
from chatmod.moderation.base import MessageContext
from chatmod.moderation.engine import Decision, Outcome
from chatmod.observability import logger, metrics, tracer
from chatmod.runtime import Runtime, get_runtime

# Ably retries a 5xx within its retry timeout (≤ 5 s): the same message asked
# twice inside this window is one strike, not two.
STRIKE_DEDUPE_WINDOW_S = 10


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point for both transports."""
    started = time.perf_counter()
    try:
        runtime = get_runtime()
        if _is_http_transport(event):
            _check_secret(event, runtime)
            body: Any = event.get("body") or ""
        elif isinstance(event.get("body"), str) and "message" not in event:
            body = event["body"]
        else:
            body = event
        status, answer = decide(body, runtime)
    except ChatmodError as error:
        log = logger.error if error.status >= 500 else logger.warning
        log("before-publish request failed", extra={"error": error.code, "status": error.status})
        if error.status >= 500:
            metrics.add_metric(name="Failed", unit=MetricUnit.Count, value=1)
        status, answer = error.status, error.to_body()
    metrics.add_metric(name="HandlerLatency", unit=MetricUnit.Milliseconds, value=_ms(started))
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(answer, separators=(",", ":"), ensure_ascii=False),
    }


def decide(body: str | dict[str, Any], runtime: Runtime) -> tuple[int, dict[str, Any]]:
    """Parse Ably's request, check bans, moderate, and build Ably's answer.

    Raises:
        BadRequestError: the request is malformed or the text too long (400).
        ServiceUnavailableError: no decision and the policy defers to Ably (503).
    """
    request = _parse(body)
    logger.append_keys(
        ruleId=request.rule_id, room=request.room, clientId=request.message.client_id
    )
    policy = runtime.policy.moderation
    text = request.message.text
    if len(text) > policy.max_text_length:
        raise BadRequestError(
            f"message.text has {len(text)} characters; the limit is {policy.max_text_length}",
            code="text_too_long",
        )
    client_id = request.message.client_id
    ban = runtime.bans.get_ban(client_id) if client_id else None
    if ban is not None:
        _count("Rejected", provider="bans", category="banned")
        logger.info("rejected: sender is banned", extra={"bannedUntil": ban.banned_until_iso})
        return 200, contract.banned_answer(ban)

    decision = runtime.engine.moderate(
        text,
        room=request.room,
        context=MessageContext(
            room=request.room,
            client_id=client_id or "",
            metadata=request.message.metadata or {},
            headers=request.message.headers or {},
            user_claim=request.message.user_claim,
        ),
    )
    _record(decision)
    if decision.outcome is Outcome.REJECT and client_id:
        _strike(runtime, request, decision)
    answer = contract.answer_for(decision, request)
    if answer is None:
        raise ServiceUnavailableError(
            "no moderation decision could be reached; Ably applies the rule's failed action",
            code="moderation_unavailable",
        )
    return 200, answer


def _parse(body: str | dict[str, Any]) -> contract.BeforePublishRequest:
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except json.JSONDecodeError as exc:
            raise BadRequestError(f"the body is not valid JSON: {exc.msg}") from None
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    # Name the rule in the log line even when the rest of the request is malformed.
    rule_id = body.get("ruleId")
    if isinstance(rule_id, str):
        logger.append_keys(ruleId=rule_id)
    try:
        return contract.BeforePublishRequest.model_validate(body)
    except ValidationError as exc:
        raise validation_error(exc) from None


def _is_http_transport(event: dict[str, Any]) -> bool:
    context = event.get("requestContext")
    return isinstance(context, dict) and "http" in context


def _check_secret(event: dict[str, Any], runtime: Runtime) -> None:
    """The HTTP transport is not signed: Ably sends the static header configured on the rule."""
    header = runtime.settings.before_publish_secret_header
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    presented = headers.get(header, "")
    if header == "authorization":
        scheme, _, presented = presented.partition(" ")
        if scheme.lower() != "bearer":
            presented = ""
    expected = runtime.before_publish_secret()
    # Constant time, and over bytes so non-ASCII input cannot raise.
    if not presented or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise UnauthorizedError(f"missing or wrong before-publish secret in the '{header}' header")


def _record(decision: Decision) -> None:
    """One structured log line and the counters per decision."""
    name = {
        Outcome.ACCEPT: "Accepted",
        Outcome.REJECT: "Rejected",
        Outcome.MASK: "Masked",
        Outcome.FAILED: "Failed",
    }[decision.outcome]
    _count(
        name, provider=decision.provider or "none", category=",".join(decision.categories) or "none"
    )
    metrics.add_metric(
        name="DecisionLatency", unit=MetricUnit.Milliseconds, value=decision.elapsed_ms
    )
    logger.info(
        "moderation decision",
        extra={
            "outcome": decision.outcome.value,
            "reason": decision.reason,
            "categories": list(decision.categories),
            "provider": decision.provider,
            "elapsedMs": decision.elapsed_ms,
            "moderated": decision.moderated,
            "failure": decision.failure,
            "failedAction": decision.failed_action,
        },
    )


def _count(name: str, *, provider: str, category: str) -> None:
    # The total per service (what the dashboard and alarms read), and the same
    # count per provider. Categories go in as metadata: searchable in the EMF line
    # without a custom-metric dimension for every category a provider has.
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    with single_metric(
        name=name, unit=MetricUnit.Count, value=1, namespace=METRICS_NAMESPACE
    ) as metric:
        metric.add_dimension(name="provider", value=provider)
        metric.add_metadata(key="category", value=category)
    metrics.add_metadata(key="provider", value=provider)
    metrics.add_metadata(key="category", value=category)


def _strike(runtime: Runtime, request: contract.BeforePublishRequest, decision: Decision) -> None:
    """A rejected message is one strike; a failure here must not change Ably's answer."""
    client_id = request.message.client_id
    assert client_id is not None
    window = int(time.time()) // STRIKE_DEDUPE_WINDOW_S
    fingerprint = f"{request.rule_id}|{request.room}|{client_id}|{request.message.text}|{window}"
    message_ref = "before-publish:" + hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
    try:
        outcome = runtime.bans.record_strike(
            client_id,
            message_ref=message_ref,
            policy=runtime.policy.bans,
            reason=decision.reason or "rejected",
            room=request.room,
        )
    except ChatmodError as error:
        logger.error("could not record the strike", extra={"error": error.code})
        return
    # Later messages from a banned sender are rejected here with reason "banned";
    # revoking their Ably tokens is the async path's job (this function holds no Ably key).
    logger.info(
        "strike recorded",
        extra={
            "strikes": outcome.count,
            "step": outcome.step.label,
            "banned": outcome.ban is not None,
            "duplicate": outcome.duplicate,
        },
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
