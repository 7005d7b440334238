"""``/moderation/*``: the moderator tools (ban, unban, list or read bans, delete a message, audit).

Moderators only: a caller without a verified identity gets 401, one who is not a
moderator (the policy's identity claims) 403, before anything is read or written.
Every action is audited with the moderator's client id and reason. Bans are
written to the bans table; the ban-revoker (its stream) revokes the user's tokens.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters.ably import AblyApiError
from chatmod.adapters.ably.client import gateway_for
from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.ban_store import BanStore
from chatmod.adapters.parameters import get_policy
from chatmod.api import cursors, models
from chatmod.api.http import json_response, make_resolver
from chatmod.core.constants import MODERATION_EVENT_NAME
from chatmod.core.deadline import Deadline
from chatmod.core.errors import (
    BadRequestError,
    ChatmodError,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
)
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.settings import get_settings
from chatmod.enforcement.audit import AuditEvent
from chatmod.enforcement.client_ids import MAX_CLIENT_ID_LENGTH, require_client_id
from chatmod.enforcement.tokens import Identity, identity_from_claims

app = make_resolver(enable_validation=True)

#: The most a request spends on Ably and DynamoDB, whatever Lambda allows.
REQUEST_BUDGET_S = 10.0

_ERRORS: dict[int, OpenAPIResponse] = {
    400: {
        "description": "Invalid input: the fields and what is wrong with them.",
        "content": {"application/json": {"model": models.BadRequestBody}},
    },
    401: {
        "description": "No verified identity.",
        "content": {"application/json": {"model": models.ErrorBody}},
    },
    403: {
        "description": "The caller is not a moderator.",
        "content": {"application/json": {"model": models.ErrorBody}},
    },
    503: {
        "description": "Configuration or storage unavailable; retry later.",
        "content": {"application/json": {"model": models.ErrorBody}},
    },
}


def _responses(
    status: int,
    description: str,
    model: Any = None,
    errors: dict[int, str] | None = None,
) -> dict[int, OpenAPIResponse]:
    """The OpenAPI responses of a route: its success, the common errors and its own."""
    success: OpenAPIResponse = {"description": description}
    if model is not None:
        success["content"] = {"application/json": {"model": model}}
    own: dict[int, OpenAPIResponse] = {
        code: {"description": text, "content": {"application/json": {"model": models.ErrorBody}}}
        for code, text in (errors or {}).items()
    }
    return {status: success, **_ERRORS, **own}


def moderator() -> Identity:
    """The calling moderator.

    Raises:
        UnauthorizedError: no verified identity (401).
        ForbiddenError: the caller is not a moderator (403).
        ServiceUnavailableError: the policy cannot be read (503).
    """
    claims = app.current_event.request_context.authorizer.jwt_claim
    if not claims:
        # Before any configuration read: no identity is a 401 in every state.
        raise UnauthorizedError("sign in first: the request carries no verified identity")
    identity = identity_from_claims(claims, get_policy(get_settings()).identity)
    if not identity.moderator:
        raise ForbiddenError("only moderators may use the moderation API", code="not_moderator")
    logger.append_keys(moderator=identity.client_id)
    return identity


def ban_store() -> BanStore:
    """The bans, strikes and audit tables of this deployment."""
    return BanStore.from_settings(get_settings())


def audit_log() -> AuditLog:
    """The audit log of this deployment."""
    return AuditLog.from_table_name(get_settings().audit_table)


# -- bans --------------------------------------------------------------------------


@app.post(
    "/moderation/bans",
    summary="Ban a user",
    description="Bans the user for durationSeconds, or for good when it is absent. The user's "
    "tokens are revoked and /token refuses them while the ban lasts. An active ban is never "
    "shortened, except an automatic one, which a moderator's ban replaces.",
    responses=_responses(201, "The ban in effect afterwards.", models.BanOut),
    tags=["moderation"],
)
def ban_user(body: Annotated[models.BanRequest, Body()]) -> Response[str]:
    """Ban ``body.client_id`` (audited by the store with the moderator as source)."""
    identity = moderator()
    ban = ban_store().ban(
        body.client_id,
        reason=body.reason,
        source=identity.client_id,
        duration_seconds=body.duration_seconds,
    )
    metrics.add_metric(name="ModeratorBan", unit=MetricUnit.Count, value=1)
    return json_response(201, ban.to_json())


@app.get(
    "/moderation/bans/<clientId>",
    summary="Read a user's ban",
    description="The user's active ban, as the list shows it; 404 not_banned when there is "
    "none (never banned, lifted, or expired).",
    responses=_responses(
        200, "The ban in effect.", models.BanOut, {404: "The user is not banned."}
    ),
    tags=["moderation"],
)
def get_user_ban(clientId: str) -> Response[str]:  # the path parameter's name in the API
    """The active ban on the user named in the path (percent-decoded)."""
    moderator()
    client_id = require_client_id(unquote(clientId))
    ban = ban_store().get_ban(client_id)
    if ban is None:
        raise NotFoundError(f"{client_id!r} is not banned", code="not_banned")
    return json_response(200, ban.to_json())


@app.delete(
    "/moderation/bans/<clientId>",
    summary="Lift a ban",
    description="Lifts the user's ban and forgets their strikes, so the ladder starts over.",
    responses=_responses(204, "The ban is lifted.", errors={404: "The user is not banned."}),
    tags=["moderation"],
)
def unban_user(
    clientId: str,  # the path parameter's name in the API
    reason: Annotated[
        str,
        Query(min_length=1, max_length=models.MAX_REASON_LENGTH, description="Why (audited)."),
    ],
) -> Response[str]:
    """Lift the ban on the user named in the path (percent-decoded)."""
    identity = moderator()
    client_id = require_client_id(unquote(clientId))
    reason = _reason(reason)
    store = ban_store()
    if store.get_ban(client_id) is None:
        raise NotFoundError(f"{client_id!r} is not banned", code="not_banned")
    if not store.unban(client_id, clear_strikes=True, actor=identity.client_id, reason=reason):
        raise NotFoundError(f"{client_id!r} is not banned", code="not_banned")
    metrics.add_metric(name="ModeratorUnban", unit=MetricUnit.Count, value=1)
    return Response(status_code=204, body="")


@app.get(
    "/moderation/bans",
    summary="List active bans",
    description="Active bans only (expired ones are left out), one page at a time: pass "
    "nextCursor back as cursor while it is present. Each page is sorted newest first; "
    "pages follow the table's order.",
    responses=_responses(200, "A page of bans.", models.BanPage),
    tags=["moderation"],
)
def list_bans(
    limit: Annotated[int, Query(ge=1, le=models.MAX_PAGE_LIMIT)] = models.DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=models.MAX_CURSOR_LENGTH)] = None,
) -> Response[str]:
    """One page of active bans."""
    moderator()
    after = None if cursor is None else cursors.read_bans_cursor(cursor)
    bans, last = ban_store().list_bans_page(limit, after=after)
    body: dict[str, Any] = {"bans": [ban.to_json() for ban in bans]}
    if last is not None:
        body["nextCursor"] = cursors.bans_cursor(last)
    return json_response(200, body)


# -- messages -----------------------------------------------------------------------


@app.post(
    "/moderation/messages/delete",
    summary="Delete a message",
    description="Chat ({room, serial, reason}): soft-deletes the message in Ably Chat, with "
    "the reason as the deletion's description and {moderator, reason} as its metadata. "
    f"Pub/sub ({{channel, id, reason}}): publishes a '{MODERATION_EVENT_NAME}' event on the "
    "channel naming the message (it skips integration rules), for clients to hide it.",
    responses=_responses(
        200,
        "Deleted (chat) or retracted (pub/sub).",
        models.MessageDeleted,
        errors={404: "Ably has no such message.", 502: "Ably failed."},
    ),
    tags=["moderation"],
)
def delete_message(body: Annotated[models.MessageDelete, Body()]) -> Response[str]:
    """Delete a chat message, or retract a pub/sub one; audited with the real serial or id."""
    identity = moderator()
    settings = get_settings()
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    gateway = gateway_for(settings)
    try:
        if isinstance(body, models.ChatMessageDelete):
            answer = gateway.delete_chat_message(
                body.room,
                body.serial,
                body.reason,
                {"moderator": identity.client_id, "reason": body.reason},
                deadline=deadline.at,
            )
            author = answer.get("clientId")
            event = AuditEvent(
                action="delete",
                actor=identity.client_id,
                client_id=author if isinstance(author, str) and author else None,
                reason=body.reason,
                room=body.room,
                serial=body.serial,
            )
            result: dict[str, Any] = {"deleted": True, "room": body.room, "serial": body.serial}
        else:
            published = gateway.publish_moderation_event(
                body.channel,
                MODERATION_EVENT_NAME,
                {
                    "action": "delete",
                    "messageId": body.id,
                    "moderator": identity.client_id,
                    "reason": body.reason,
                },
                # The same retraction publishes once, however often it is asked for.
                message_id=_retraction_id(body.channel, body.id),
                deadline=deadline.at,
            )
            event = AuditEvent(
                action="delete",
                actor=identity.client_id,
                reason=body.reason,
                channel=body.channel,
                message_id=body.id,
                details={"moderationEventId": published.message_id},
            )
            result = {
                "deleted": True,
                "channel": body.channel,
                "messageId": body.id,
                "moderationEventId": published.message_id,
            }
    except AblyApiError as exc:
        if exc.http_status == 404:
            raise NotFoundError("Ably has no such message", code="message_not_found") from exc
        raise
    _audit(event)
    metrics.add_metric(name="ModeratorDelete", unit=MetricUnit.Count, value=1)
    return json_response(200, result)


# -- audit ---------------------------------------------------------------------------


@app.get(
    "/moderation/audit",
    summary="Read the audit log",
    description="Every automated and manual action, newest first, one page at a time: pass "
    "nextCursor back as cursor (with the same clientId) while it is present. Without "
    "clientId, the last 7 days.",
    responses=_responses(200, "A page of events.", models.AuditPage),
    tags=["moderation"],
)
def read_audit(
    clientId: Annotated[  # the query parameter's name in the API
        str | None, Query(min_length=1, max_length=MAX_CLIENT_ID_LENGTH)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=models.MAX_PAGE_LIMIT)] = models.DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=models.MAX_CURSOR_LENGTH)] = None,
) -> Response[str]:
    """One page of audit events, newest first."""
    moderator()
    client_id = None if clientId is None else require_client_id(clientId)
    before, oldest = (
        (None, None) if cursor is None else cursors.read_audit_cursor(cursor, client_id)
    )
    page = audit_log().page(client_id, limit, before=before, oldest_day=oldest)
    body: dict[str, Any] = {"events": [event.to_json() for event in page.events]}
    if page.next_before is not None:
        body["nextCursor"] = cursors.audit_cursor(page.next_before, page.oldest_day, client_id)
    return json_response(200, body)


# -- helpers -------------------------------------------------------------------------


def _reason(reason: str) -> str:
    """A reason from the query string: required, not blank (the body models check their own)."""
    try:
        return models.usable_text(reason)
    except ValueError as exc:
        raise BadRequestError(
            "the request is invalid: reason",
            details={"problems": [{"field": "reason", "problem": str(exc)}]},
        ) from None


def _retraction_id(channel: str, message_id: str) -> str:
    digest = hashlib.sha256(f"{channel}\n{message_id}".encode()).hexdigest()[:32]
    return f"chatmod-delete-{digest}:0"


def _audit(event: AuditEvent) -> None:
    # The delete is done: a lost audit event is logged loudly, not turned into a failure
    # the moderator would retry (as BanStore does for bans).
    try:
        audit_log().record(event)
    except ChatmodError as exc:
        logger.error("audit event lost", extra={"action": event.action, "error": exc.code})


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
