"""Ably Chat before-publish rule: accept, reject or rewrite a message (Lambda and HTTP transports).

The Lambda transport invokes the function directly (the event is Ably's request,
or ``{"body": "<json>"}``); only Ably's invoke role may call it, so it carries no
secret. The HTTP transport arrives through API Gateway (payload v2) at
``POST /before-publish`` and must carry the shared secret, checked before
anything else is read. Any other event shape is refused (fail closed).

Answers ``{"statusCode", "body": "<json>"}``: 200 whenever a decision was made,
400 for a malformed request (Ably does not retry; it applies the rule's failed
action), 401 for a wrong secret or an unknown event shape, 503 when no decision
could be reached and the policy defers to Ably.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters.parameters import get_secret
from chatmod.deadline import Deadline
from chatmod.errors import BadRequestError, ChatmodError, ServiceUnavailableError, UnauthorizedError
from chatmod.moderation import before_publish as contract
from chatmod.observability import logger, metrics, tracer
from chatmod.runtime import get_runtime
from chatmod.settings import get_settings

_HTTP_KEYS = frozenset({"requestContext", "headers", "rawPath", "routeKey", "httpMethod"})


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point for both transports."""
    started = time.perf_counter()
    deadline = Deadline.for_lambda(context)
    try:
        body = contract.decode_body(_transport_body(event, deadline))
        if isinstance(body.get("ruleId"), str):
            logger.append_keys(ruleId=body["ruleId"])  # named even when the rest is malformed
        request = contract.parse_request(body)
        logger.append_keys(room=request.room, clientId=request.message.client_id)
        if _judged_by_chatmod(request, deadline):
            answer: dict[str, Any] | None = contract.accept()
        else:
            result = get_runtime(deadline).pipeline.run(contract.submission_for(request), deadline)
            answer = contract.answer_for(result, request)
        if answer is None:
            raise ServiceUnavailableError(
                "no moderation decision could be reached; Ably applies the rule's failed action",
                code="moderation_unavailable",
            )
        status = 200
    except ChatmodError as error:
        log = logger.error if error.status >= 500 else logger.warning
        log("before-publish request failed", extra={"error": error.code, "status": error.status})
        status, answer = error.status, error.to_body()
    elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    metrics.add_metric(name="HandlerLatency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(answer, separators=(",", ":"), ensure_ascii=False),
    }


def _judged_by_chatmod(request: contract.BeforePublishRequest, deadline: Deadline) -> bool:
    """A message ``POST /messages`` judged and published: accepted without a second judgement.

    Only a header that verifies (``chatmod.judged``) counts; a forged, stale or
    mismatched one, or an unreadable secret, means the message is moderated as usual.
    """
    if contract.judged_header_of(request) is None:
        return False  # the common case reads no secret
    settings = get_settings()
    try:
        secret = get_secret(settings.before_publish_secret_parameter, settings, deadline=deadline)
    except ServiceUnavailableError as error:
        logger.warning("judged header not checked: secret unreadable", extra={"error": error.code})
        return False
    if not contract.is_judged_by_chatmod(request, secret, now=time.time()):
        logger.warning("judged header did not verify: moderating the message")
        metrics.add_metric(name="JudgedHeaderInvalid", unit=MetricUnit.Count, value=1)
        return False
    logger.info("accepted without moderation: already judged by POST /messages")
    metrics.add_metric(name="AcceptedJudged", unit=MetricUnit.Count, value=1)
    return True


def _transport_body(event: Any, deadline: Deadline) -> object:
    """The request body, after the HTTP transport's secret check.

    Raises:
        UnauthorizedError: an HTTP event without the right secret, or any
            HTTP-looking event that is not API Gateway's payload v2.
    """
    if not isinstance(event, dict) or not _HTTP_KEYS & event.keys():
        # Lambda transport: Ably's request itself, or wrapped as {"body": "<json>"}.
        if (
            isinstance(event, dict)
            and isinstance(event.get("body"), str)
            and "message" not in event
        ):
            return event["body"]
        return event
    context = event.get("requestContext")
    if event.get("version") != "2.0" or not isinstance(context, dict) or "http" not in context:
        raise UnauthorizedError("unrecognised event: only Ably's request or HTTP API v2 is served")
    _check_secret(event.get("headers") or {}, deadline)
    body = event.get("body") or ""
    if event.get("isBase64Encoded") and isinstance(body, str):
        try:
            return base64.b64decode(body, validate=True).decode("utf-8")
        except ValueError:
            raise BadRequestError("the body is not valid base64-encoded UTF-8") from None
    return body


def _check_secret(headers: dict[str, Any], deadline: Deadline) -> None:
    """The HTTP transport is not signed: Ably sends the static header configured on the rule."""
    settings = get_settings()
    header = settings.before_publish_secret_header
    presented = next((str(v) for k, v in headers.items() if str(k).lower() == header), "")
    if header == "authorization":
        scheme, _, presented = presented.partition(" ")
        if scheme.lower() != "bearer":
            presented = ""
    if not presented:
        raise UnauthorizedError(f"missing before-publish secret in the '{header}' header")
    expected = get_secret(settings.before_publish_secret_parameter, settings, deadline=deadline)
    # Constant time, over bytes; surrogates escaped so no input can raise.
    if not hmac.compare_digest(
        presented.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    ):
        raise UnauthorizedError(f"wrong before-publish secret in the '{header}' header")
