"""Ably Chat before-publish rule: accept, reject or rewrite a message (Lambda and HTTP transports).

The Lambda transport invokes the function directly (the event is the request, or
``{"body": "<json>"}``); the HTTP transport arrives through API Gateway at
``POST /before-publish``. Both answer ``{"statusCode", "body": "<json>"}``.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.errors import ChatmodError, NotImplementedYetError
from chatmod.observability import logger, metrics, tracer


def _respond(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body, separators=(",", ":")),
    }


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        raise NotImplementedYetError("before-publish moderation is not implemented yet")
    except ChatmodError as error:
        # Not 5xx-retryable by design: a 501 makes Ably apply the rule's failed action
        # at once instead of retrying an endpoint that cannot answer.
        logger.warning("before-publish failed", extra={"error": error.code})
        return _respond(error.status, error.to_body())
