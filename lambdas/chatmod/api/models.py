"""The HTTP API's typed inputs and outputs (pydantic), for the routes and the OpenAPI document.

Request models validate (Powertools' event handler runs them on ``/moderation/*``);
response models document what the routes answer (their bodies come from the domain
objects' ``to_json()``, which these models mirror).
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
)

from chatmod.enforcement.audit import AuditAction
from chatmod.enforcement.client_ids import MAX_CLIENT_ID_LENGTH, client_id_problem, is_well_formed

#: As Amazon IVS Chat bounds a moderator's reason (DeleteMessage, DisconnectUser).
MAX_REASON_LENGTH: Final = 256
#: The longest ban with an end; longer is a permanent ban (omit ``durationSeconds``).
MAX_BAN_SECONDS: Final = 10 * 366 * 86_400
#: Room, channel, serial and message id lengths: far above Ably's real ones.
MAX_NAME_LENGTH: Final = 1024
MAX_PAGE_LIMIT: Final = 100
DEFAULT_PAGE_LIMIT: Final = 50
MAX_CURSOR_LENGTH: Final = 2048


def _usable_client_id(value: str) -> str:
    problem = client_id_problem(value)
    if problem is not None:
        raise ValueError(f"client id {problem}")
    return value


def usable_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    if not is_well_formed(value):
        raise ValueError("must not contain an unpaired UTF-16 surrogate")
    return value


ClientId = Annotated[
    StrictStr,
    Field(min_length=1, max_length=MAX_CLIENT_ID_LENGTH),
    AfterValidator(_usable_client_id),
]
Reason = Annotated[
    StrictStr,
    Field(
        min_length=1, max_length=MAX_REASON_LENGTH, description="Why (recorded in the audit log)."
    ),
    AfterValidator(usable_text),
]
Name = Annotated[
    StrictStr, Field(min_length=1, max_length=MAX_NAME_LENGTH), AfterValidator(usable_text)
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Output(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


# -- moderator inputs ----------------------------------------------------------------


class BanRequest(_Input):
    """``POST /moderation/bans``: ban a user (``durationSeconds`` absent: for good)."""

    client_id: ClientId = Field(alias="clientId")
    duration_seconds: Annotated[StrictInt, Field(ge=1, le=MAX_BAN_SECONDS)] | None = Field(
        default=None,
        alias="durationSeconds",
        description="Length of the ban in seconds; absent for a permanent ban.",
    )
    reason: Reason


class TermChange(_Input):
    """``POST /moderation/terms``: block (or allow) a term for the stage or for rooms."""

    term: Annotated[StrictStr, Field(min_length=1, max_length=64, pattern=r"\S")]
    list: Literal["block", "allow"] = Field(
        default="block", description="block: flag it; allow: shield it from the lists."
    )
    category: Literal["profanity", "sexual", "hate", "harassment", "violence", "self_harm"] = (
        "profanity"
    )
    severity: Annotated[StrictInt, Field(ge=1, le=3)] = 2
    rooms: Annotated[StrictStr, Field(min_length=1, max_length=256)] = Field(
        default="*", description="A room glob, or * for the whole stage."
    )
    reason: Reason


class TermsOut(_Output):
    """The custom terms per scope (* is the stage, the others room globs) and their version."""

    terms: dict[str, Any]
    version: int


class SlowModeRequest(_Input):
    """``POST /moderation/rooms/{room}/slow-mode``: seconds between a sender's messages (0: off)."""

    seconds: Annotated[StrictInt, Field(ge=0, le=120)]
    reason: Reason


class RoomOut(_Output):
    """A room's behaviour across messages: the policy's entry and its slow mode in effect."""

    room: str
    covered: bool = Field(
        description="A crossMessage entry of the policy covers the room: only then does it "
        "keep state, and only then can its slow mode change."
    )
    slow_mode_seconds: int = Field(alias="slowModeSeconds", description="In effect (0: off).")
    slow_mode_set_by: str | None = Field(default=None, alias="slowModeSetBy")
    slow_mode_set_at: str | None = Field(default=None, alias="slowModeSetAt")
    cross_message: dict[str, Any] | None = Field(
        default=None, alias="crossMessage", description="The policy's entry for the room."
    )


class HourCounts(_Output):
    """One hour's decisions in the scope."""

    hour: str = Field(description="The hour's start, ISO-8601 UTC.")
    accepted: int
    masked: int
    held: int
    rejected: int = Field(description="Rejections, banned senders' and warned senders' included.")
    failed: int = Field(description="No decision: the policy's failedAction applied.")


class OutcomeTotals(_Output):
    """The range's decisions by outcome."""

    accepted: int
    masked: int
    held: int
    rejected: int
    failed: int


class CategoryCount(_Output):
    """How often a category matched over the range."""

    category: str
    count: int


class OffenderCount(_Output):
    """How often a sender's message was masked, held or rejected over the range."""

    client_id: str = Field(alias="clientId")
    count: int


class CountsOut(_Output):
    """Decisions per hour for a room or the whole stage, with the top categories and senders."""

    room: str | None = Field(description="The room counted; null: the whole stage.")
    from_: str = Field(alias="from", description="The first hour's start, ISO-8601 UTC.")
    to: str = Field(description="The end of the last hour (exclusive), ISO-8601 UTC.")
    hours: list[HourCounts]
    totals: OutcomeTotals
    top_categories: list[CategoryCount] = Field(alias="topCategories")
    top_offenders: list[OffenderCount] = Field(alias="topOffenders")


class ChatMessageDelete(_Input):
    """Soft-delete a chat message (Ably Chat): the room and the message serial."""

    room: Name = Field(description="The room name, without '::$chat'.")
    serial: Name
    reason: Reason


class ChannelMessageDelete(_Input):
    """Retract a pub/sub message: a moderation event on its channel names the message id."""

    channel: Name
    id: Name = Field(description="The Ably message id.")
    reason: Reason


#: The error type of a delete body naming neither ``room`` nor ``channel``.
NO_ROOM_OR_CHANNEL: Final = "room_or_channel_missing"


def _delete_kind(value: Any) -> str | None:
    """Which delete the caller meant: ``room`` names a chat message, ``channel`` a pub/sub one.

    So that a wrong body is answered with the problems of the shape the caller chose
    (``serial: Field required``), not with those of both shapes mixed.
    """
    if isinstance(value, ChatMessageDelete | ChannelMessageDelete):
        return type(value).__name__
    if isinstance(value, dict):
        if "room" in value:
            return ChatMessageDelete.__name__
        if "channel" in value:
            return ChannelMessageDelete.__name__
    return None


MessageDelete = Annotated[
    # Tagged with the model names, which a 400 leaves out of the field names.
    Annotated[ChatMessageDelete, Tag(ChatMessageDelete.__name__)]
    | Annotated[ChannelMessageDelete, Tag(ChannelMessageDelete.__name__)],
    Discriminator(
        _delete_kind,
        custom_error_type=NO_ROOM_OR_CHANNEL,
        custom_error_message="give room and serial (a chat message) "
        "or channel and id (a pub/sub message)",
    ),
]


class ReviewDenyRequest(_Input):
    """``POST /moderation/reviews/{reviewId}/deny``: why, and whether it is a strike."""

    reason: Reason
    strike: StrictBool = Field(
        default=False,
        description="Count a strike on the sender (the ban ladder applies: a ban and token "
        "revocation can follow).",
    )


# -- moderator outputs ---------------------------------------------------------------


class BanOut(_Output):
    """A ban as the API shows it."""

    client_id: str = Field(alias="clientId")
    reason: str
    source: str = Field(description="'auto' (strike ladder) or the moderator's client id.")
    created_at: str = Field(alias="createdAt", description="ISO-8601 UTC.")
    expires_at: int | None = Field(alias="expiresAt", description="Epoch seconds; null: permanent.")
    banned_until: str | None = Field(alias="bannedUntil", description="ISO-8601 UTC or null.")
    permanent: bool


class BanPage(_Output):
    """One page of active bans; follow ``nextCursor`` while present."""

    bans: list[BanOut]
    next_cursor: str | None = Field(default=None, alias="nextCursor")


class AuditEventOut(_Output):
    """An audit event: who did what, when, why, to which message."""

    event_id: str = Field(alias="eventId")
    at: str = Field(description="ISO-8601 UTC with milliseconds.")
    action: AuditAction
    actor: str = Field(description="'auto', 'system' or a moderator's client id.")
    client_id: str | None = Field(default=None, alias="clientId")
    reason: str | None = None
    room: str | None = None
    channel: str | None = None
    serial: str | None = None
    message_id: str | None = Field(default=None, alias="messageId")
    message_ref: str | None = Field(default=None, alias="messageRef")
    details: dict[str, Any] = Field(default_factory=dict)


class AuditPage(_Output):
    """One page of audit events, newest first; follow ``nextCursor`` while present."""

    events: list[AuditEventOut]
    next_cursor: str | None = Field(default=None, alias="nextCursor")


ReviewStateName = Literal["pending", "approved", "denied", "expired"]


class FlaggedBy(_Output):
    """What held the message: the provider, its categories and scores, the listed terms."""

    provider: str | None = None
    categories: list[str] = Field(default_factory=list)
    scores: dict[str, float] = Field(default_factory=dict)
    terms: list[str] = Field(default_factory=list)


class ReviewOut(_Output):
    """A held message and what became of it."""

    review_id: str = Field(alias="reviewId")
    state: ReviewStateName
    room: str | None = None
    channel: str | None = None
    client_id: str | None = Field(default=None, alias="clientId")
    text: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, Any] = Field(default_factory=dict)
    name: str | None = Field(default=None, description="Pub/sub: the message name.")
    data: Any = Field(default=None, description="Pub/sub: the message data.")
    flagged_by: FlaggedBy = Field(alias="flaggedBy")
    source: str = Field(description="Where it was held: before-publish, publish or async.")
    serial: str | None = Field(default=None, description="Async path: the message's serial.")
    message_id: str | None = Field(default=None, alias="messageId")
    held_at: str = Field(alias="heldAt", description="ISO-8601 UTC: when it was sent.")
    expires_at: str = Field(alias="expiresAt", description="When a pending item expires.")
    decided_by: str | None = Field(default=None, alias="decidedBy")
    decided_at: str | None = Field(default=None, alias="decidedAt")
    reason: str | None = None
    strike: bool | None = Field(default=None, description="Denied: whether it was a strike.")
    published: dict[str, Any] | None = Field(
        default=None,
        description="Approved: what was published ({serial} chat, {id} pub/sub, "
        "{restored: true, ...} for a message taken down on the async path).",
    )


class ReviewPage(_Output):
    """One page of review items, oldest first; follow ``nextCursor`` while present."""

    reviews: list[ReviewOut]
    next_cursor: str | None = Field(default=None, alias="nextCursor")


class StrikeOut(_Output):
    """What a deny's strike did along the ladder."""

    count: int = Field(description="Strikes in the window, this one included.")
    step: str = Field(description="The ladder rung reached ('warn', '120s', 'permanent'...).")
    ban_applied: bool = Field(alias="banApplied")
    banned_until: str | None = Field(default=None, alias="bannedUntil")


class ReviewDecision(_Output):
    """The item after approve or deny (and a deny's strike)."""

    review: ReviewOut
    strike: StrikeOut | None = None


class StrikesOut(_Output):
    """A user's strikes as the ladder counts them now."""

    count: int = Field(description="Strikes inside the window.")
    window_seconds: int = Field(alias="windowSeconds")
    ladder: list[str]


class WarningOut(_Output):
    """A warning its sender must acknowledge before their next message is judged."""

    warning_id: str = Field(alias="warningId")
    reason: str
    rule: str
    at: str = Field(description="When, ISO-8601 UTC.")
    room: str | None = None


class UserView(_Output):
    """``GET /moderation/users/{clientId}``: ban, strikes, a pending warning, a page of history."""

    client_id: str = Field(alias="clientId")
    ban: BanOut | None = Field(description="The active ban, or null.")
    strikes: StrikesOut
    warning: WarningOut | None = Field(
        default=None, description="A warning the user has not acknowledged yet, or null."
    )
    history: list[AuditEventOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(default=None, alias="nextCursor")


class MessageDeleted(_Output):
    """What a moderator's delete did."""

    deleted: Literal[True] = True
    room: str | None = None
    serial: str | None = None
    channel: str | None = None
    message_id: str | None = Field(default=None, alias="messageId")
    moderation_event_id: str | None = Field(
        default=None,
        alias="moderationEventId",
        description="Pub/sub: the id of the moderation event published on the channel.",
    )


class ErrorBody(_Output):
    """Every error: a machine code, a human message, and sometimes more fields."""

    error: str
    message: str


class Problem(BaseModel):
    """One invalid field."""

    field: str
    problem: str


class BadRequestBody(ErrorBody):
    """A 400 for invalid input, naming each field and what is wrong with it."""

    problems: list[Problem] = Field(default_factory=list)


# -- the user routes' contract (ARCHITECTURE.md §3), for the OpenAPI document ----------


class TokenRequestOut(_Output):
    """An Ably TokenRequest, as ably-js accepts from an ``authUrl``."""

    key_name: str = Field(alias="keyName")
    ttl: int
    capability: str = Field(description="JSON string: resource → operations.")
    client_id: str = Field(alias="clientId")
    timestamp: int
    nonce: str
    mac: str


class BannedBody(ErrorBody):
    """403 from ``/token`` and ``/messages``: the caller is banned."""

    reason: str
    banned_until: str | None = Field(alias="bannedUntil")


class ChatPublish(_Output):
    """``POST /messages`` to a chat room."""

    room: str
    text: str
    metadata: dict[str, Any] | None = None
    headers: dict[str, Any] | None = None


class ChannelPublish(_Output):
    """``POST /messages`` to a pub/sub channel (optionally on behalf of a connection)."""

    channel: str
    name: str | None = None
    data: Any
    connection_key: str | None = Field(default=None, alias="connectionKey")


class Published(_Output):
    """201 from ``POST /messages``: the chat serial, or the pub/sub message id."""

    serial: str | None = None
    id: str | None = None


class Held(_Output):
    """202 from ``POST /messages``: held for review; a moderator's approval publishes it."""

    held: Literal[True] = True
    review_id: str = Field(alias="reviewId")


class RejectedBody(ErrorBody):
    """422 from ``POST /messages``: moderation rejected the message."""

    code: int = Field(description="Ably's error code for a rejected message: 42213.")
    reason: str
    categories: list[str] = Field(default_factory=list)
    warning_id: str | None = Field(
        default=None,
        alias="warningId",
        description="A `warn` rule rejected it: acknowledge this warning "
        "(`POST /warnings/{warningId}/ack`) before writing again.",
    )


class PendingWarningOut(_Output):
    """200 from ``GET /warnings``: the caller's pending warning, or null."""

    warning: WarningOut | None


class WarningAcknowledged(_Output):
    """200 from ``POST /warnings/{warningId}/ack``."""

    acknowledged: Literal[True] = True
    warning_id: str = Field(alias="warningId")


class WarningPendingBody(ErrorBody):
    """403 ``warning_unacknowledged`` from ``POST /messages``: acknowledge the warning first."""

    warning_id: str = Field(alias="warningId")
    reason: str


class BeforePublishMessage(_Output):
    """The message an accepted-with-changes answer publishes instead (replaces it whole)."""

    text: str
    metadata: dict[str, Any] | None = None
    headers: dict[str, Any] | None = None


class BeforePublishAnswer(_Output):
    """Ably Chat's before-publish rule answer."""

    action: Literal["accept", "reject"]
    rejection_detail: dict[str, str] | None = Field(default=None, alias="rejectionDetail")
    message: BeforePublishMessage | None = None


# --- the before-publish request (documentation of the shape) ---------------------


class ChatMessage(BaseModel):
    """The message Ably asks about (it has no serial yet)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    client_id: StrictStr | None = Field(default=None, alias="clientId")
    text: StrictStr
    metadata: dict[str, Any] | None = None
    headers: dict[str, Any] | None = None
    user_claim: StrictStr | None = Field(default=None, alias="userClaim")


# The shape as documented; the function parses it with the msgspec struct of the same name
# in chatmod.moderation.before_publish (kept off pydantic for its cold start), which
# tests/unit/moderation/test_before_publish.py holds to this model.
class BeforePublishRequest(BaseModel):
    """Ably's before-publish request; fields Ably may add later are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    room: StrictStr = Field(min_length=1)
    message: ChatMessage
    source: StrictStr | None = None
    app_id: StrictStr | None = Field(default=None, alias="appId")
    site: StrictStr | None = None
    rule_id: StrictStr | None = Field(default=None, alias="ruleId")
