"""``POST /messages``: moderate first, then publish to Ably as the user.

The one pipeline judges the message (ban check, length, providers, strike, ban,
audit); this module only translates HTTP to a ``Submission`` and the verdict to
an answer, and publishes what was accepted:

- accepted (or masked: the masked text) → published as the caller → 201
  ``{"serial"}`` for a room, ``{"id"}`` for a channel (``"masked": true`` when masked);
- banned → 403 ``{"error": "banned", "reason", "bannedUntil"}`` as ``/token`` answers;
- rejected → 422 ``{"error": "rejected", "code": 42213, "reason", "categories"}``
  (the pipeline recorded the strike); nothing is published;
- no decision → the policy's ``failedAction``: ``publish`` publishes, ``reject``
  and ``defer`` answer 503;
- Ably failed → 502; the message was judged before publishing, so an accepted
  message that Ably did not take leaves no strike and nothing else behind.

A request is idempotent: ids derive from the sender, the ``Idempotency-Key``
header (else API Gateway's request id) and the body, so a retried request is one
strike at most and one message in Ably (Chat ``idempotencyKey``, pub/sub message
id). Messages chatmod judged carry the ``x-chatmod-judged`` header
(``chatmod.enforcement.judged``), so a before-publish rule on the same room accepts them
without judging them twice.

DynamoDB round trips before the answer: as the pipeline's (1 when accepted, 2
when rejected with a strike); SSM reads come from the parameter cache.
"""

from __future__ import annotations

import binascii
import time
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters.ably.client import gateway_for
from chatmod.adapters.parameters import get_secret
from chatmod.api.http import json_response, make_resolver
from chatmod.api.messages import (
    IDEMPOTENCY_HEADER,
    ChannelMessage,
    ChatMessage,
    MessageIds,
    PublishRequest,
    channel_text,
    message_ids,
    parse_publish_request,
    require_idempotency_key,
    require_publish_allowed,
    with_channel_text,
)
from chatmod.core.deadline import Deadline
from chatmod.core.errors import (
    BadRequestError,
    BannedError,
    MessageRejectedError,
    ServiceUnavailableError,
    UnauthorizedError,
)
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.runtime import get_runtime
from chatmod.core.settings import Settings
from chatmod.enforcement.judged import JUDGED_HEADER, judged_header
from chatmod.enforcement.tokens import Identity, identity_from_claims
from chatmod.moderation.pipeline import PipelineResult, Submission, Verdict

#: The Ably error code clients see for a message moderation rejected (as Ably Chat's rules).
REJECTED_CODE = 42213

app = make_resolver()


@app.post("/messages")
def publish_message() -> Response[str]:
    """Moderate the caller's message, then publish it as them.

    Raises:
        UnauthorizedError: no verified identity (401).
        BadRequestError: a malformed body or header, or text over the limit (400).
        ForbiddenError: banned (403 ``banned``), or not allowed to publish there
            (403 ``not_allowed``).
        MessageRejectedError: moderation rejected the message (422).
        UpstreamError: Ably refused or could not be reached (502).
        ServiceUnavailableError: no decision, and the policy does not publish (503).
    """
    event = app.current_event
    claims = event.request_context.authorizer.jwt_claim
    if not claims:
        # Before any configuration read: no identity is a 401 in every state.
        raise UnauthorizedError("sign in first: the request carries no verified identity")
    try:
        raw = event.decoded_body
    except (binascii.Error, UnicodeDecodeError):
        raise BadRequestError("the body is not valid base64-encoded UTF-8") from None
    request = parse_publish_request(raw)
    key = require_idempotency_key(event.headers.get(IDEMPOTENCY_HEADER))
    deadline = Deadline.for_lambda(app.lambda_context)
    runtime = get_runtime(deadline)
    identity = identity_from_claims(claims, runtime.policy.identity)
    require_publish_allowed(request, identity, runtime.policy.tokens)
    ids = message_ids(identity.client_id, key or event.request_context.request_id, request)
    logger.append_keys(clientId=identity.client_id, messageRef=ids.ref.value, **_target(request))

    result = runtime.pipeline.run(_submission(request, identity, ids), deadline)
    text = _text_to_publish(result, request)
    masked = result.verdict is Verdict.MASK
    # Only a judgement is signed: a message published for want of one (failedAction
    # "publish") is left to a before-publish rule, whose providers may be back.
    target = request.room if isinstance(request, ChatMessage) else request.channel
    judged = (
        _judged(runtime.settings, target, identity.client_id, text, deadline)
        if result.verdict in (Verdict.ACCEPT, Verdict.MASK)
        else None
    )
    if isinstance(request, ChatMessage):
        answer: dict[str, Any] = {
            "serial": _send_chat(runtime.settings, request, identity, ids, text, judged, deadline)
        }
    else:
        answer = {
            "id": _publish(runtime.settings, request, identity, ids, text, masked, judged, deadline)
        }
    if masked:
        answer["masked"] = True
    metrics.add_metric(name="MessagePublished", unit=MetricUnit.Count, value=1)
    return json_response(201, answer)


def _submission(request: PublishRequest, identity: Identity, ids: MessageIds) -> Submission:
    if isinstance(request, ChatMessage):
        return Submission(
            text=request.text,
            client_id=identity.client_id,
            room=request.room,
            ref=ids.ref,
            metadata=request.metadata or {},
            headers=request.headers or {},
            source="publish",
        )
    return Submission(
        text=channel_text(request.data),
        client_id=identity.client_id,
        channel=request.channel,
        ref=ids.ref,
        message_id=ids.message_id,
        source="publish",
    )


def _text_to_publish(result: PipelineResult, request: PublishRequest) -> str:
    """The text to publish, or the error that answers instead."""
    verdict = result.verdict
    if verdict is Verdict.ACCEPT:
        return _original_text(request)
    if verdict is Verdict.MASK:
        assert result.text is not None
        return result.text
    if verdict is Verdict.BANNED:
        assert result.ban is not None
        ban = result.ban
        raise BannedError(
            "you are banned from this chat" + ("" if ban.permanent else " for now"),
            details={"reason": ban.reason, "bannedUntil": ban.banned_until_iso},
        )
    if verdict is Verdict.REJECT:
        decision = result.decision
        assert decision is not None
        raise MessageRejectedError(
            "moderation rejected the message",
            details={
                "code": REJECTED_CODE,
                "reason": decision.reason or "rejected",
                "categories": list(decision.categories),
            },
        )
    # FAILED: no decision; the policy's failedAction says what happens.
    if result.failed_action == "publish":
        return _original_text(request)
    raise ServiceUnavailableError(
        "no moderation decision could be reached; try again later",
        code="moderation_unavailable",
    )


def _original_text(request: PublishRequest) -> str:
    return request.text if isinstance(request, ChatMessage) else channel_text(request.data)


def _send_chat(
    settings: Settings,
    request: ChatMessage,
    identity: Identity,
    ids: MessageIds,
    text: str,
    judged: str | None,
    deadline: Deadline,
) -> str:
    headers: dict[str, Any] = dict(request.headers or {})
    headers.pop(JUDGED_HEADER, None)  # only chatmod's own may travel
    if judged is not None:
        headers[JUDGED_HEADER] = judged
    sent = gateway_for(settings).send_chat_message(
        request.room,
        text,
        request.metadata or {},
        headers,
        client_id=identity.client_id,
        idempotency_key=ids.idempotency_key,
        deadline=deadline.at,
    )
    return sent.serial


def _publish(
    settings: Settings,
    request: ChannelMessage,
    identity: Identity,
    ids: MessageIds,
    text: str,
    masked: bool,
    judged: str | None,
    deadline: Deadline,
) -> str:
    published = gateway_for(settings).publish(
        request.channel,
        request.name,
        with_channel_text(request.data, text) if masked else request.data,
        # On behalf of the caller's realtime connection when given (the same clientId).
        client_id=identity.client_id,
        connection_key=request.connection_key,
        extras={"headers": {JUDGED_HEADER: judged}} if judged is not None else None,
        message_id=ids.message_id,
        deadline=deadline.at,
    )
    return published.message_id


def _judged(
    settings: Settings, target: str, client_id: str, text: str, deadline: Deadline
) -> str | None:
    """The ``x-chatmod-judged`` value, or None (logged) when the judged key is unreadable.

    Without it a before-publish rule judges the message once more: slower, still safe.
    """
    if not settings.judged_key_parameter:
        return None
    try:
        secret = get_secret(settings.judged_key_parameter, settings, deadline=deadline)
    except ServiceUnavailableError as error:
        logger.warning(
            "publishing without the judged header: the judged key is unreadable",
            extra={"error": error.code},
        )
        metrics.add_metric(name="JudgedHeaderMissing", unit=MetricUnit.Count, value=1)
        return None
    return judged_header(secret, room=target, client_id=client_id, text=text, now=time.time())


def _target(request: PublishRequest) -> dict[str, str]:
    if isinstance(request, ChatMessage):
        return {"room": request.room}
    return {"channel": request.channel}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
