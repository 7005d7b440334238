"""``POST /messages``: moderate first, then publish to Ably as the user.

The one pipeline judges the message (ban check, length, providers, strike, ban,
audit); this module only translates HTTP to a ``Submission`` and the verdict to
an answer, and publishes what was accepted:

- accepted (or masked: the masked text) → published as the caller → 201
  ``{"serial"}`` for a room, ``{"id"}`` for a channel (``"masked": true`` when masked);
- held for review → 202 ``{"held": true, "reviewId"}``: nothing is published until a
  moderator approves (``/moderation/reviews``);
- banned → 403 ``{"error": "banned", "reason", "bannedUntil"}`` as ``/token`` answers;
- a warning not yet acknowledged → 403 ``{"error": "warning_unacknowledged",
  "warningId", "reason"}``;
- rejected → 422 ``{"error": "rejected", "code": 42213, "reason", "categories"}``
  (the pipeline recorded the strike; ``warningId`` when a ``warn`` rule rejected it);
  nothing is published;
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

``GET /warnings`` answers the caller's pending warning (``{"warning": {...}}`` or
``{"warning": null}``); ``POST /warnings/{warningId}/ack`` acknowledges it (audited), so
their next message is judged again — 404 when no such warning is pending.
"""

from __future__ import annotations

import binascii
import re
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters.ably.client import gateway_for
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
    ForbiddenError,
    MessageRejectedError,
    ServiceUnavailableError,
    UnauthorizedError,
)
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.runtime import Runtime, get_runtime
from chatmod.core.settings import Settings
from chatmod.enforcement.audit import AuditEvent
from chatmod.enforcement.judged import JUDGED_HEADER, sign_judged
from chatmod.enforcement.tokens import Identity, identity_from_claims
from chatmod.moderation.pipeline import PipelineResult, Submission, Verdict

#: The Ably error code clients see for a message moderation rejected (as Ably Chat's rules).
REJECTED_CODE = 42213
WARNING_ID = re.compile(r"wn_[0-9a-f]{24}")

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
    if result.verdict is Verdict.HOLD:
        assert result.review is not None
        metrics.add_metric(name="MessageHeld", unit=MetricUnit.Count, value=1)
        return json_response(202, {"held": True, "reviewId": result.review.review_id})
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
            role=_role(identity),
        )
    return Submission(
        text=channel_text(request.data),
        client_id=identity.client_id,
        channel=request.channel,
        ref=ids.ref,
        message_id=ids.message_id,
        source="publish",
        name=request.name,
        data=request.data,
        role=_role(identity),
    )


@app.get("/warnings")
def pending_warning() -> Response[str]:
    """The caller's warning waiting to be acknowledged, if any.

    Raises:
        UnauthorizedError: no verified identity (401).
        ServiceUnavailableError: the store could not be read (503).
    """
    identity, runtime, deadline = _caller()
    record = runtime.bans.load_sender(identity.client_id, deadline=deadline, after_conflict=True)
    warning = record.warning.to_json() if record.warning is not None else None
    return json_response(200, {"warning": warning})


@app.post("/warnings/<warningId>/ack")
def acknowledge_warning(warningId: str) -> Response[str]:  # the path parameter's name in the API
    """Acknowledge the caller's pending warning: their next message is judged again.

    Raises:
        UnauthorizedError: no verified identity (401).
        BadRequestError: not a warning id (400).
        NotFoundError: the caller has no such pending warning (404).
        ServiceUnavailableError: the store could not be written (503).
    """
    _require_identity()
    if not WARNING_ID.fullmatch(warningId):
        raise BadRequestError(
            f"{warningId[:40]!r} is not a warning id (wn_ and 24 hex digits)",
            code="invalid_warning_id",
        )
    identity, runtime, deadline = _caller()
    event = AuditEvent(
        action="acknowledge",
        actor=identity.client_id,
        client_id=identity.client_id,
        reason="warning acknowledged",
        details={"warningId": warningId},
    )
    runtime.bans.acknowledge_warning(identity.client_id, warningId, event, deadline=deadline)
    metrics.add_metric(name="WarningAcknowledged", unit=MetricUnit.Count, value=1)
    return json_response(200, {"acknowledged": True, "warningId": warningId})


def _require_identity() -> dict[str, Any]:
    """The verified JWT claims; before any configuration read, so no identity is a 401."""
    claims = app.current_event.request_context.authorizer.jwt_claim
    if not claims:
        raise UnauthorizedError("sign in first: the request carries no verified identity")
    return dict(claims)


def _caller() -> tuple[Identity, Runtime, Deadline]:
    claims = _require_identity()
    deadline = Deadline.for_lambda(app.lambda_context)
    runtime = get_runtime(deadline)
    return identity_from_claims(claims, runtime.policy.identity), runtime, deadline


def _role(identity: Identity) -> str:
    """The sender's role for rules' ``roles``: proven by their JWT on this path."""
    return "moderator" if identity.moderator else "user"


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
    if verdict is Verdict.WARNED:
        assert result.warning is not None
        raise ForbiddenError(
            "acknowledge your warning before you write again",
            code="warning_unacknowledged",
            details={"warningId": result.warning.warning_id, "reason": result.warning.reason},
        )
    if verdict is Verdict.REJECT:
        decision = result.decision
        assert decision is not None
        details: dict[str, Any] = {
            "code": REJECTED_CODE,
            "reason": decision.reason or "rejected",
            "categories": list(decision.categories),
        }
        if result.warning is not None:
            details["warningId"] = result.warning.warning_id
        retry_after = decision.details.get("retryAfterSeconds")
        if retry_after is not None:  # the room's slow mode
            details["retryAfterSeconds"] = int(retry_after)
        raise MessageRejectedError("moderation rejected the message", details=details)
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
    """The ``x-chatmod-judged`` value, or None (logged) when the judged key is unreadable."""
    return sign_judged(settings, target, client_id, text, deadline)


def _target(request: PublishRequest) -> dict[str, str]:
    if isinstance(request, ChatMessage):
        return {"room": request.room}
    return {"channel": request.channel}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
