"""``/moderation/*``: the moderator tools (bans, message deletes, audit, the review queue).

Moderators only: a caller without a verified identity gets 401, one who is not a
moderator (the policy's identity claims) 403, before anything is read or written.
Every action is audited with the moderator's client id and reason. Bans are
written to the bans table; the ban-revoker (its stream) revokes the user's tokens.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from chatmod.adapters import aws
from chatmod.adapters.ably import AblyApiError
from chatmod.adapters.ably.client import gateway_for
from chatmod.adapters.audit_log import AuditFilter, AuditLog
from chatmod.adapters.ban_store import BanStore
from chatmod.adapters.counts_store import CountsStore
from chatmod.adapters.parameters import get_policy
from chatmod.adapters.review_store import ReviewStore
from chatmod.api import cursors, models
from chatmod.api.http import json_response, make_resolver
from chatmod.core.constants import MODERATION_EVENT_NAME
from chatmod.core.deadline import Deadline
from chatmod.core.errors import (
    BadRequestError,
    ChatmodError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
    UnauthorizedError,
)
from chatmod.core.observability import logger, metrics, tracer
from chatmod.core.policy_runtime import CrossMessagePolicy, to_builtins
from chatmod.core.settings import get_settings
from chatmod.enforcement.audit import AuditAction, AuditEvent
from chatmod.enforcement.bans import StaleRecordError, iso_seconds, strikes_in_window
from chatmod.enforcement.client_ids import MAX_CLIENT_ID_LENGTH, require_client_id
from chatmod.enforcement.counts import (
    MAX_RANGE_HOURS,
    STAGE_SCOPE,
    hours_between,
    overview,
    room_scope,
)
from chatmod.enforcement.custom_terms import (
    STAGE,
    BlockedTerm,
    CustomTerms,
    TermsError,
    normalised,
)
from chatmod.enforcement.judged import sign_judged
from chatmod.enforcement.pace import RoomSettings, entry_for, slow_mode_seconds
from chatmod.enforcement.review_desk import ReviewDesk
from chatmod.enforcement.reviews import ReviewState, is_review_id
from chatmod.enforcement.tokens import Identity, identity_from_claims

app = make_resolver(enable_validation=True)

#: Epoch seconds: "now" for the routes that read the clock (tests pin it).
clock: Callable[[], float] = time.time

#: The most a request spends on Ably and DynamoDB, whatever Lambda allows.
REQUEST_BUDGET_S = 10.0
#: The longest room name the rooms routes take (Ably's channel names are far shorter).
MAX_ROOM_LENGTH = 512

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
    place = body.room if isinstance(body, models.ChatMessageDelete) else body.channel
    _require_room(identity, place)
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
    description="Every automated and manual action (reject, mask, hold, approve, deny, "
    "expire, delete, ban, unban, strike, revoke...), newest first, one page at a time: pass "
    "nextCursor back as cursor (with the same filters) while it is present. Filters: clientId, "
    "room (a room or channel), action, moderator (who acted: a moderator's client id, 'auto' "
    "or 'system'), since (inclusive) and until (exclusive), ISO-8601. Without clientId, the "
    "last 7 days unless since says otherwise. An unknown parameter is a 400. A decision's "
    "event says what matched in details: provider, categories, scores, and for the "
    "blocklist the listed terms.",
    responses=_responses(200, "A page of events.", models.AuditPage),
    tags=["moderation"],
)
def read_audit(
    clientId: Annotated[  # the query parameter's name in the API
        str | None, Query(min_length=1, max_length=MAX_CLIENT_ID_LENGTH)
    ] = None,
    room: Annotated[str | None, Query(min_length=1, max_length=models.MAX_NAME_LENGTH)] = None,
    action: Annotated[AuditAction | None, Query()] = None,
    moderator_: Annotated[
        str | None, Query(alias="moderator", min_length=1, max_length=MAX_CLIENT_ID_LENGTH)
    ] = None,
    since: Annotated[datetime | None, Query(description="ISO-8601, inclusive.")] = None,
    until: Annotated[datetime | None, Query(description="ISO-8601, exclusive.")] = None,
    limit: Annotated[int, Query(ge=1, le=models.MAX_PAGE_LIMIT)] = models.DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=models.MAX_CURSOR_LENGTH)] = None,
) -> Response[str]:
    """One page of audit events, newest first (a room-scoped moderator's rooms only)."""
    identity = moderator()
    _only_query("clientId", "room", "action", "moderator", "since", "until", "limit", "cursor")
    client_id = None if clientId is None else require_client_id(clientId)
    filters = AuditFilter(
        room=None if room is None else _name(room, "room"),
        action=action,
        actor=None if moderator_ is None else _name(moderator_, "moderator"),
        since_ms=None if since is None else _epoch_ms(since, "since"),
        until_ms=None if until is None else _epoch_ms(until, "until"),
    )
    if filters.since_ms is not None and filters.until_ms is not None:
        _require_order(filters.since_ms, filters.until_ms)
    cursor_filters = filters.to_json()
    before, oldest = (
        (None, None)
        if cursor is None
        else cursors.read_audit_cursor(cursor, client_id, cursor_filters)
    )
    if filters.room is not None:
        _require_room(identity, filters.room)
    page = audit_log().page(client_id, limit, before=before, oldest_day=oldest, filters=filters)
    body: dict[str, Any] = {
        "events": [
            event.to_json()
            for event in page.events
            if identity.rooms is None or identity.moderates(event.room or event.channel)
        ]
    }
    if page.next_before is not None:
        body["nextCursor"] = cursors.audit_cursor(
            page.next_before, page.oldest_day, client_id, cursor_filters
        )
    return json_response(200, body)


# -- counts ------------------------------------------------------------------------------


@app.get(
    "/moderation/counts",
    summary="Decisions per hour, top categories and senders",
    description="For a room, or without room the whole stage: per UTC hour from since "
    "(inclusive, rounded down to its hour) to until (exclusive; default: the end of the "
    f"current hour), at most {MAX_RANGE_HOURS} hours (default 24), the messages accepted, "
    "masked, held, rejected and failed, and over the range the categories that matched most "
    "and the senders whose messages were masked, held or rejected most. Counted from the "
    "functions' logs within about a minute, without a write on any message's path; kept "
    "35 days. A room-scoped moderator must name one of their rooms.",
    responses=_responses(200, "The counts.", models.CountsOut),
    tags=["moderation"],
)
def read_counts(
    room: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=models.MAX_NAME_LENGTH,
            description="A room (or pub/sub channel) name; without it, the stage.",
        ),
    ] = None,
    since: Annotated[datetime | None, Query(description="ISO-8601, inclusive.")] = None,
    until: Annotated[datetime | None, Query(description="ISO-8601, exclusive.")] = None,
) -> Response[str]:
    """The counts of ``room`` (or the stage) over the range."""
    identity = moderator()
    _only_query("room", "since", "until")
    if room is not None:
        room = _name(room, "room")
        _require_room(identity, room)
    elif identity.rooms is not None:
        raise ForbiddenError(
            "you moderate some rooms only: name one of them (room=...)", code="room_not_allowed"
        )
    now = datetime.fromtimestamp(clock(), UTC)
    end = _utc(until, "until") if until is not None else _next_hour(now)
    start = _utc(since, "since") if since is not None else end - timedelta(hours=24)
    _require_order(start.timestamp(), end.timestamp())
    hours = hours_between(start, end)
    if len(hours) > MAX_RANGE_HOURS:
        raise BadRequestError(
            "the request is invalid: the range is too long",
            details={
                "problems": [
                    {"field": "since", "problem": f"at most {MAX_RANGE_HOURS} hours before until"}
                ]
            },
        )
    settings = get_settings()
    if not settings.counts_table:
        raise ServiceUnavailableError("this deployment keeps no counts", code="counts_unavailable")
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    tallies = CountsStore.from_table_name(settings.counts_table).read(
        STAGE_SCOPE if room is None else room_scope(room), hours[0], hours[-1], deadline=deadline
    )
    return json_response(200, overview(hours, tallies, room=room))


def _utc(moment: datetime, field: str) -> datetime:
    """``moment`` with its zone (one without is refused: ambiguous), in UTC."""
    return _zoned(moment, field).astimezone(UTC)


def _next_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


# -- users -------------------------------------------------------------------------------


@app.get(
    "/moderation/users/<clientId>",
    summary="A user at a glance",
    description="The user's active ban (or null), their strikes inside the ladder's window, and "
    "their history — automated decisions and moderator actions — newest first, one page at a "
    "time (pass nextCursor back as cursor). A room-scoped moderator sees the history in their "
    "rooms only.",
    responses=_responses(200, "The user's state and a page of their history.", models.UserView),
    tags=["moderation"],
)
def get_user(
    clientId: str,  # the path parameter's name in the API
    limit: Annotated[int, Query(ge=1, le=models.MAX_PAGE_LIMIT)] = models.DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=models.MAX_CURSOR_LENGTH)] = None,
) -> Response[str]:
    """The user named in the path (percent-decoded): ban, strikes, history."""
    identity = moderator()
    _only_query("limit", "cursor")
    client_id = require_client_id(unquote(clientId))
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    policy = get_policy(get_settings())
    record = ban_store().load_sender(client_id, deadline=deadline)
    now = clock()
    ban = record.active_ban(now)
    strikes = strikes_in_window(
        (strike.at_ms for strike in record.strikes),
        now_ms=int(now * 1000),
        window_seconds=policy.bans.window_seconds,
    )
    before, oldest = (
        (None, None) if cursor is None else cursors.read_audit_cursor(cursor, client_id)
    )
    page = audit_log().page(client_id, limit, before=before, oldest_day=oldest)
    history = [
        event.to_json()
        for event in page.events
        if identity.rooms is None or identity.moderates(event.room or event.channel)
    ]
    body: dict[str, Any] = {
        "clientId": client_id,
        "ban": None if ban is None else ban.to_json(),
        "strikes": {
            "count": strikes,
            "windowSeconds": policy.bans.window_seconds,
            "ladder": list(policy.bans.ladder),
        },
        "warning": None if record.warning is None else record.warning.to_json(),
        "history": history,
    }
    if page.next_before is not None:
        body["nextCursor"] = cursors.audit_cursor(page.next_before, page.oldest_day, client_id)
    return json_response(200, body)


# -- custom terms -----------------------------------------------------------------------


@app.get(
    "/moderation/terms",
    summary="The terms moderators blocked or allowed",
    description="Per scope: * (the stage) and room globs. They add to the policy's blocklist "
    "and apply within the parameter cache's age (60 s deployed, 2 s locally), no deploy.",
    responses=_responses(200, "The terms.", models.TermsOut),
    tags=["moderation"],
)
def list_terms() -> Response[str]:
    """Every scope's custom terms."""
    moderator()
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    terms = ban_store().custom_terms(deadline=deadline, consistent=True)
    return json_response(200, {"terms": terms.to_json(), "version": terms.version})


@app.post(
    "/moderation/terms",
    summary="Block or allow a term",
    description="Adds the term to a scope's list (replacing the same term there); audited. A "
    "room-scoped moderator may change only scopes within their rooms.",
    responses=_responses(
        201, "The terms afterwards.", models.TermsOut, {409: "A limit is reached."}
    ),
    tags=["moderation"],
)
def add_term(body: Annotated[models.TermChange, Body()]) -> Response[str]:
    """Add ``body.term`` to its scope's list."""
    identity = moderator()
    _require_scope(identity, body.rooms)
    blocked = BlockedTerm(body.term, body.category, body.severity)
    terms = _change_terms(
        identity,
        lambda terms: terms.adding(body.rooms, body.list, blocked),
        details={
            "change": "add",
            "list": body.list,
            "term": normalised(body.term),
            "rooms": body.rooms,
            "category": body.category,
            "severity": body.severity,
        },
        reason=body.reason,
    )
    metrics.add_metric(name="CustomTermChanged", unit=MetricUnit.Count, value=1)
    return json_response(201, {"terms": terms.to_json(), "version": terms.version})


@app.delete(
    "/moderation/terms",
    summary="Remove a blocked or allowed term",
    description="Removes the term from a scope's list; audited. 404 when it is not there.",
    responses=_responses(204, "Removed.", None, {404: "Not in that list."}),
    tags=["moderation"],
)
def remove_term(
    term: Annotated[str, Query(min_length=1, max_length=64)],
    reason: Annotated[str, Query(min_length=1, max_length=256)],
    which: Annotated[str, Query(alias="list", pattern="^(block|allow)$")] = "block",
    rooms: Annotated[str, Query(min_length=1, max_length=256)] = "*",
) -> Response[str]:
    """Remove ``term`` from a scope's list."""
    identity = moderator()
    _only_query("term", "reason", "list", "rooms")
    _require_scope(identity, rooms)
    if not reason.strip():
        raise BadRequestError("a reason is required", code="bad_request")
    _change_terms(
        identity,
        lambda terms: terms.removing(rooms, "allow" if which == "allow" else "block", term),
        details={"change": "remove", "list": which, "term": normalised(term), "rooms": rooms},
        reason=reason,
    )
    metrics.add_metric(name="CustomTermChanged", unit=MetricUnit.Count, value=1)
    return Response(status_code=204, body="")


def _require_scope(identity: Identity, scope: str) -> None:
    """The stage's terms need a moderator of every room; a room glob, one of its rooms."""
    if scope == STAGE and identity.rooms is not None:
        raise ForbiddenError(
            "only a moderator of every room changes the stage's terms", code="room_not_moderated"
        )
    if scope != STAGE and not identity.moderates(scope):
        raise ForbiddenError("you do not moderate these rooms", code="room_not_moderated")


def _change_terms(
    identity: Identity,
    change: Callable[[CustomTerms], CustomTerms],
    *,
    details: dict[str, Any],
    reason: str,
) -> CustomTerms:
    """Apply ``change`` to the stored terms, again on a concurrent change (at most 3 times)."""
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    store = ban_store()
    for _ in range(3):
        current = store.custom_terms(deadline=deadline, consistent=True)
        try:
            updated = change(current)
        except TermsError as exc:
            status = NotFoundError if "is not" in str(exc) else ConflictError
            raise status(
                str(exc), code="term_not_found" if status is NotFoundError else "terms_limit"
            ) from None
        event = AuditEvent(action="terms", actor=identity.client_id, reason=reason, details=details)
        try:
            return store.save_custom_terms(updated, event, deadline=deadline)
        except StaleRecordError:
            continue
    raise ServiceUnavailableError(
        "the terms kept changing under this request; try again", code="terms_conflict"
    )


# -- rooms: behaviour across messages ---------------------------------------------------


@app.get(
    "/moderation/rooms/<room>",
    summary="A room's cross-message limits and slow mode",
    description="The policy's crossMessage entry for the room (if one covers it) and the slow "
    "mode in effect: a moderator's, else the policy's.",
    responses=_responses(200, "The room.", models.RoomOut),
    tags=["moderation"],
)
def get_room(room: str) -> Response[str]:
    """The room named in the path (percent-decoded)."""
    identity = moderator()
    name = _room_name(room, identity)
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    entry = entry_for(get_policy(get_settings()).moderation, name)
    settings = ban_store().room_settings(name, deadline=deadline) if entry else None
    return json_response(200, _room_json(name, entry, settings))


@app.post(
    "/moderation/rooms/<room>/slow-mode",
    summary="Change a room's slow mode",
    description="Seconds a sender must wait between messages in the room (0 turns it off), "
    "until changed again; audited. Only for rooms a crossMessage entry of the policy covers "
    "(the others keep no state): 409 room_not_covered otherwise.",
    responses=_responses(
        200,
        "The room, with its new slow mode.",
        models.RoomOut,
        {409: "No crossMessage entry of the policy covers the room (room_not_covered)."},
    ),
    tags=["moderation"],
)
def set_slow_mode(room: str, body: Annotated[models.SlowModeRequest, Body()]) -> Response[str]:
    """Set the slow mode of the room named in the path."""
    identity = moderator()
    name = _room_name(room, identity)
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    entry = entry_for(get_policy(get_settings()).moderation, name)
    if entry is None:
        raise ConflictError(
            f"no crossMessage entry of the policy covers room {name!r}: add one (make policy) "
            "to give it a slow mode",
            code="room_not_covered",
        )
    store = ban_store()
    before = slow_mode_seconds(entry, store.room_settings(name, deadline=deadline))
    event = AuditEvent(
        action="slow_mode",
        actor=identity.client_id,
        reason=body.reason,
        room=name,
        details={"seconds": body.seconds, "before": before},
    )
    settings = store.set_slow_mode(name, body.seconds, event, deadline=deadline)
    metrics.add_metric(name="SlowModeChanged", unit=MetricUnit.Count, value=1)
    return json_response(200, _room_json(name, entry, settings))


def _room_name(room: str, identity: Identity) -> str:
    """The room in the path, percent-decoded, that this moderator may act in."""
    name = unquote(room)
    if not name.strip() or len(name) > MAX_ROOM_LENGTH:
        raise BadRequestError(
            f"a room name is 1 to {MAX_ROOM_LENGTH} characters", code="invalid_room"
        )
    if not identity.moderates(name):
        raise ForbiddenError("you do not moderate this room", code="room_not_moderated")
    return name


def _room_json(
    name: str, entry: CrossMessagePolicy | None, settings: RoomSettings | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "room": name,
        "covered": entry is not None,
        "slowModeSeconds": slow_mode_seconds(entry, settings) if entry is not None else 0,
        "crossMessage": to_builtins(entry) if entry is not None else None,
    }
    if settings is not None:
        body["slowModeSetBy"] = settings.set_by
        body["slowModeSetAt"] = iso_seconds(settings.at_ms / 1000)
    return body


# -- reviews ---------------------------------------------------------------------------


@app.get(
    "/moderation/reviews",
    summary="List held messages",
    description="Messages held for review, oldest first (the queue's order), one page at a "
    "time: pass nextCursor back as cursor (with the same room and state) while it is present. "
    "A room-scoped moderator sees only their rooms.",
    responses=_responses(200, "A page of review items.", models.ReviewPage),
    tags=["reviews"],
)
def list_reviews(
    room: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=models.MAX_NAME_LENGTH,
            description="A room (or pub/sub channel) name.",
        ),
    ] = None,
    state: Annotated[models.ReviewStateName, Query()] = "pending",
    limit: Annotated[int, Query(ge=1, le=models.MAX_PAGE_LIMIT)] = models.DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=models.MAX_CURSOR_LENGTH)] = None,
) -> Response[str]:
    """One page of review items in ``state`` (and ``room``), oldest first."""
    identity = moderator()
    _only_query("room", "state", "limit", "cursor")
    if room is not None:
        room = _name(room, "room")
        _require_room(identity, room)
    after = None if cursor is None else cursors.read_reviews_cursor(cursor, room, state)
    items, last = review_store().page(
        state=ReviewState(state),
        room=room,
        limit=limit,
        after=after,
        accept=lambda item: identity.moderates(item.place),
    )
    body: dict[str, Any] = {"reviews": [item.to_json() for item in items]}
    if last is not None:
        body["nextCursor"] = cursors.reviews_cursor(last, room, state)
    return json_response(200, body)


@app.get(
    "/moderation/reviews/<reviewId>",
    summary="Read a held message",
    description="One review item, whatever its state.",
    responses=_responses(200, "The item.", models.ReviewOut, {404: "No such review."}),
    tags=["reviews"],
)
def get_review(reviewId: str) -> Response[str]:  # the path parameter's name in the API
    """The review item named in the path."""
    identity = moderator()
    _only_query()
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    item = review_desk().load(_review_id(reviewId), identity, deadline)
    return json_response(200, item.to_json())


@app.post(
    "/moderation/reviews/<reviewId>/approve",
    summary="Approve a held message",
    description="Publishes the message as its sender (chat: Chat REST with chatmod's judged "
    "header, so a before-publish rule accepts it without judging it again; "
    "metadata.chatmodReview records who approved it, when, and when it was sent). A message "
    "taken down on the async path is restored. Approving again publishes nothing new; after "
    "a failed publish (502) it finishes the publish.",
    responses=_responses(
        200,
        "Approved and published.",
        models.ReviewDecision,
        {
            404: "No such review.",
            409: "Denied or expired first (by another moderator, or by time).",
            502: "Ably failed; approve again to finish.",
        },
    ),
    tags=["reviews"],
)
def approve_review(reviewId: str) -> Response[str]:  # the path parameter's name in the API
    """Approve the review named in the path."""
    identity = moderator()
    _only_query()
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    item = review_desk().approve(_review_id(reviewId), identity, deadline)
    metrics.add_metric(name="ReviewApproved", unit=MetricUnit.Count, value=1)
    return json_response(200, {"review": item.to_json()})


@app.post(
    "/moderation/reviews/<reviewId>/deny",
    summary="Deny a held message",
    description="The message is never published. With strike, the sender gets a strike along "
    "the ban ladder (a ban, and with it token revocation, can follow). Denying again answers "
    "the same and strikes once.",
    responses=_responses(
        200,
        "Denied.",
        models.ReviewDecision,
        {404: "No such review.", 409: "Approved or expired first."},
    ),
    tags=["reviews"],
)
def deny_review(
    reviewId: str,  # the path parameter's name in the API
    body: Annotated[models.ReviewDenyRequest, Body()],
) -> Response[str]:
    """Deny the review named in the path."""
    identity = moderator()
    _only_query()
    deadline = Deadline.for_lambda(app.lambda_context, cap=REQUEST_BUDGET_S)
    denial = review_desk().deny(
        _review_id(reviewId), identity, reason=body.reason, strike=body.strike, deadline=deadline
    )
    metrics.add_metric(name="ReviewDenied", unit=MetricUnit.Count, value=1)
    answer: dict[str, Any] = {"review": denial.review.to_json()}
    if denial.strike is not None:
        outcome = denial.strike
        answer["strike"] = {
            "count": outcome.count,
            "step": outcome.step.label,
            "banApplied": outcome.ban_applied,
            "bannedUntil": outcome.ban.banned_until_iso if outcome.ban else None,
        }
    elif denial.strike_failed:
        # The deny stands; denying again records the strike (once).
        raise ServiceUnavailableError(
            "denied, but the strike could not be recorded; deny again to record it",
            code="strike_not_recorded",
        )
    return json_response(200, answer)


def review_store() -> ReviewStore:
    """The review queue of this deployment.

    Raises:
        ServiceUnavailableError: this deployment has no review table (503).
    """
    settings = get_settings()
    if not settings.reviews_table:
        raise ServiceUnavailableError(
            "this deployment has no review queue", code="reviews_not_configured"
        )
    return ReviewStore(aws.table(settings.reviews_table), audit=audit_log())


def review_desk() -> ReviewDesk:
    """Approve, deny and expire, with this deployment's stores and Ably."""
    settings = get_settings()
    return ReviewDesk(
        review_store(),
        policy=get_policy(settings),
        senders=ban_store(),
        gateway=gateway_for(settings),
        sign=lambda target, client_id, text: sign_judged(
            settings, target, client_id, text, Deadline(REQUEST_BUDGET_S)
        ),
        on_store_error=lambda what, error: logger.error(
            "store call failed", extra={"call": what, "error": error.code}
        ),
    )


# -- helpers -------------------------------------------------------------------------


def _only_query(*allowed: str) -> None:
    """Refuse query parameters the route does not know, rather than ignore a mistyped filter.

    Raises:
        BadRequestError: naming each unknown parameter (400).
    """
    given = app.current_event.query_string_parameters or {}
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise BadRequestError(
            "the request is invalid: unknown query parameter(s) " + ", ".join(unknown),
            details={
                "problems": [
                    {
                        "field": name,
                        "problem": "unknown query parameter; known: "
                        + (", ".join(allowed) or "none"),
                    }
                    for name in unknown
                ]
            },
        )


def _epoch_ms(moment: datetime, field: str) -> int:
    """``moment`` in epoch milliseconds; a time without a zone is refused (ambiguous)."""
    return int(_zoned(moment, field).timestamp() * 1000)


def _zoned(moment: datetime, field: str) -> datetime:
    """``moment``, refused (400 naming ``field``) when it has no time zone."""
    if moment.tzinfo is None:
        raise BadRequestError(
            f"the request is invalid: {field}",
            details={
                "problems": [{"field": field, "problem": "needs a time zone, e.g. Z or +02:00"}]
            },
        )
    return moment


def _require_order(since: float, until: float) -> None:
    """Refuse a range (epoch seconds or ms) whose start is not before its end (400 naming
    ``since``)."""
    if since >= until:
        raise BadRequestError(
            "the request is invalid: since must be before until",
            details={"problems": [{"field": "since", "problem": "must be before until"}]},
        )


def _require_room(identity: Identity, room: str) -> None:
    """Refuse a room-scoped moderator acting outside their rooms.

    Raises:
        ForbiddenError: ``room_not_allowed`` (403).
    """
    if not identity.moderates(room):
        raise ForbiddenError(f"you do not moderate room {room!r}", code="room_not_allowed")


def _review_id(raw: str) -> str:
    value = unquote(raw)
    if not is_review_id(value):
        raise NotFoundError(f"no review {value!r}", code="review_not_found")
    return value


def _name(value: str, field: str) -> str:
    try:
        return models.usable_text(value)
    except ValueError as exc:
        raise BadRequestError(
            f"the request is invalid: {field}",
            details={"problems": [{"field": field, "problem": str(exc)}]},
        ) from None


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
