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
from typing import Any, Final

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.core.deadline import Deadline
from chatmod.core.errors import ChatmodError, ServiceUnavailableError
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.runtime import get_runtime
from chatmod.core.settings import get_settings
from chatmod.enforcement.judged import judged_by_chatmod
from chatmod.moderation import before_publish as contract
from chatmod.moderation import before_publish_transport as transport

#: The 503 of a decision the pipeline could not reach (counted ``Failed`` by it).
MODERATION_UNAVAILABLE: Final = "moderation_unavailable"


#: Between Ably's clock and ours: the invocation's start and the answer's way back.
ABLY_MARGIN_S: Final = 0.1


def request_deadline(context: object) -> Deadline:
    """The Lambda's time left, capped by the deployed rule's retry timeout less a margin.

    Ably waits ``retryTimeoutMs`` for an answer (retries included) and then applies
    the rule's failed action: work past it — a strike, an audit event — would be for
    an answer nobody reads. The engine and the stores get what is left of it.
    """
    try:
        deployment = get_settings().deployment
    except ChatmodError:
        deployment = None  # the request fails on it below, inside the handler's answer
    if deployment is None:
        return Deadline.for_lambda(context)
    retry_timeout_s = dict(deployment.rule)["retryTimeoutMs"] / 1000
    return Deadline.for_lambda(context, cap=max(0.0, retry_timeout_s - ABLY_MARGIN_S))


def _count_unavailable(error: ChatmodError) -> None:
    """A 5xx Ably turns into its failed action: counted (and alarmed), never silent.

    A decision the pipeline failed to reach was counted ``Failed`` already; any other
    5xx (configuration unreadable, an unexpected store error) is counted ``Failed``
    here, so the failed-decision rate sees every message Ably decided alone.
    """
    metrics.add_metric(name="BeforePublishUnavailable", unit=MetricUnit.Count, value=1)
    if error.code != MODERATION_UNAVAILABLE:
        metrics.add_metric(name="Failed", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point for both transports."""
    started = time.perf_counter()
    deadline = request_deadline(context)
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
                code=MODERATION_UNAVAILABLE,
            )
        status = 200
    except ChatmodError as error:
        log = logger.error if error.status >= 500 else logger.warning
        log("before-publish request failed", extra={"error": error.code, "status": error.status})
        status, answer = error.status, error.to_body()
        if status >= 500:
            _count_unavailable(error)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    metrics.add_metric(name="HandlerLatency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": contract.encode_answer(answer),
    }
