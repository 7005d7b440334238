"""Ably Chat before-publish rule: accept, reject or rewrite a message (Lambda and HTTP transports).

The transports are unwrapped (and the HTTP transport's secret checked, first) by
``moderation.before_publish_transport``; Ably's request and answer are
translated by ``moderation.before_publish``; the decision is the pipeline's.
A message ``POST /messages`` already judged (``chatmod.enforcement.judged``) skips the
engine, not the ban check.

Answers ``{"statusCode", "body": "<json>"}``: 200 whenever a decision was made,
400 for a malformed request (Ably does not retry; it applies the rule's failed
action), 401 for a wrong secret or an unknown event shape, 503 when no decision
could be reached and the policy defers to Ably.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.core.deadline import Deadline
from chatmod.core.errors import ChatmodError, ServiceUnavailableError
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.runtime import get_runtime
from chatmod.enforcement.judged import judged_by_chatmod
from chatmod.moderation import before_publish as contract
from chatmod.moderation import before_publish_transport as transport


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point for both transports."""
    started = time.perf_counter()
    deadline = Deadline.for_lambda(context)
    try:
        body = contract.decode_body(transport.request_body(event, deadline))
        if isinstance(body.get("ruleId"), str):
            logger.append_keys(ruleId=body["ruleId"])  # named even when the rest is malformed
        request = contract.parse_request(body)
        logger.append_keys(room=request.room, clientId=request.message.client_id)
        message = request.message
        submission = contract.submission_for(request)
        if judged_by_chatmod(
            contract.judged_header_of(request),
            room=request.room,
            client_id=message.client_id,
            text=message.text,
            at=time.time(),
            deadline=deadline,
        ):
            submission = dataclasses.replace(submission, judged=True)
        result = get_runtime(deadline).pipeline.run(submission, deadline)
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
        "body": contract.encode_answer(answer),
    }
