"""The ``POST /messages`` contract: the request bodies, their text, ids and where they may go.

Chat: ``{"room", "text", "metadata"?, "headers"?}``. Pub/sub: ``{"channel",
"name"?, "data", "connectionKey"?}``, whose text is ``data`` when it is a string,
else ``data.text`` or ``data.message`` (the first that is a string).

Pure functions: the handler (``handlers.publish``) reads the event and talks to
the pipeline and Ably.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from chatmod.api.json_body import json_object
from chatmod.core.constants import RESERVED_EVENT_PREFIX
from chatmod.core.errors import BadRequestError, ForbiddenError, validation_error
from chatmod.core.policy_runtime import TokenPolicy
from chatmod.enforcement.bans import StrikeRef
from chatmod.enforcement.tokens import CHAT_CHANNEL_SUFFIX, Identity, capability_for

__all__ = [
    "DATA_TEXT_FIELDS",
    "IDEMPOTENCY_HEADER",
    "ChannelMessage",
    "ChatMessage",
    "MessageIds",
    "PublishRequest",
    "channel_text",
    "message_ids",
    "parse_publish_request",
    "require_idempotency_key",
    "require_publish_allowed",
    "with_channel_text",
]

#: Where the text of a pub/sub message whose ``data`` is an object is looked for.
#: (A policy field naming the path may replace this; until then these two.)
DATA_TEXT_FIELDS: Final = ("text", "message")
#: The optional request header that makes a retried request the same message.
IDEMPOTENCY_HEADER: Final = "idempotency-key"
MAX_IDEMPOTENCY_KEY_LENGTH: Final = 255
MAX_NAME_LENGTH: Final = 1024

HeaderValue = StrictStr | StrictInt | StrictFloat | StrictBool | None


class ChatMessage(BaseModel):
    """A chat message for a room (Chat REST v4 send)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    room: StrictStr = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    text: StrictStr
    metadata: dict[str, Any] | None = None
    headers: dict[str, HeaderValue] | None = None


class ChannelMessage(BaseModel):
    """A pub/sub message for a channel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: StrictStr = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    name: StrictStr | None = None
    data: StrictStr | dict[str, Any]
    connection_key: StrictStr | None = Field(default=None, alias="connectionKey", min_length=1)


PublishRequest = ChatMessage | ChannelMessage


def parse_publish_request(raw: str | None) -> PublishRequest:
    """The request from the raw body.

    Raises:
        BadRequestError: not JSON, not an object, an unpaired surrogate
            (``invalid_text``), neither or both of ``room`` and ``channel``, a
            field of the wrong shape (each named), a pub/sub ``data`` object
            without a text field, or a pub/sub name reserved for chatmod's own
            events (``reserved_name``: ``chatmod.…``).
    """
    if not raw:
        raise BadRequestError("the body is empty: send a JSON object")
    body = json_object(raw)
    has_room, has_channel = "room" in body, "channel" in body
    if has_room == has_channel:
        raise BadRequestError(
            "send either a chat message {room, text} or a pub/sub message {channel, data}",
            details={"problems": [{"field": "room|channel", "problem": "exactly one is required"}]},
        )
    model: type[ChatMessage] | type[ChannelMessage] = ChatMessage if has_room else ChannelMessage
    try:
        request = model.model_validate(body)
    except ValidationError as exc:
        raise validation_error(exc) from None
    if isinstance(request, ChannelMessage):
        _refuse_reserved_name(request.name)
        channel_text(request.data)  # a data object must carry its text
    return request


def _refuse_reserved_name(name: str | None) -> None:
    # chatmod republishes with its own key: a "chatmod.moderation" from a user would
    # look like chatmod's own event to a client that checks the name only.
    if name is not None and name.casefold().startswith(RESERVED_EVENT_PREFIX):
        problem = f"names starting with {RESERVED_EVENT_PREFIX!r} are reserved for chatmod's events"
        raise BadRequestError(
            f"name: {problem}",
            code="reserved_name",
            details={"problems": [{"field": "name", "problem": problem}]},
        )


def channel_text(data: str | Mapping[str, Any]) -> str:
    """The text to moderate in a pub/sub message's ``data``.

    Raises:
        BadRequestError: ``data`` is an object with no string ``text``/``message``.
    """
    if isinstance(data, str):
        return data
    for name in DATA_TEXT_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            return value
    raise BadRequestError(
        "data must be a string, or an object with a string 'text' or 'message' field",
        details={"problems": [{"field": "data", "problem": "no text to moderate"}]},
    )


def with_channel_text(data: str | Mapping[str, Any], text: str) -> str | dict[str, Any]:
    """``data`` with its text replaced (by the masked text), the rest unchanged."""
    if isinstance(data, str):
        return text
    for name in DATA_TEXT_FIELDS:
        if isinstance(data.get(name), str):
            return {**data, name: text}
    raise BadRequestError("data has no text to replace")


@dataclass(frozen=True, slots=True)
class MessageIds:
    """The ids of one ``/messages`` request, the same for every retry of it.

    Attributes:
        ref: the strike reference (a retried rejection is not a second strike).
        idempotency_key: Chat REST's ``idempotencyKey`` (a resend is stored once).
        message_id: the pub/sub message id (Ably publishes one id once).
    """

    ref: StrikeRef
    idempotency_key: str
    message_id: str


def message_ids(client_id: str, request_key: str, request: PublishRequest) -> MessageIds:
    """Ids derived from the sender, the request's key and what it asks to publish.

    Args:
        client_id: the sender.
        request_key: the caller's ``Idempotency-Key`` header (the same for every
            retry), else something unique to this request (API Gateway's request id).
        request: the parsed request; a different body under the same key is a
            different message.
    """
    canonical = json.dumps(
        [client_id, request_key, request.model_dump(mode="json", by_alias=True)],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    digest = hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32]
    return MessageIds(
        ref=StrikeRef("publish:" + digest),
        idempotency_key=digest,
        message_id=f"chatmod-{digest}:0",
    )


def require_idempotency_key(value: str | None) -> str | None:
    """The caller's idempotency key, when it sent a usable one.

    Raises:
        BadRequestError: present but empty, too long or not printable ASCII.
    """
    if value is None:
        return None
    if not 0 < len(value) <= MAX_IDEMPOTENCY_KEY_LENGTH or not (
        value.isascii() and value.isprintable()
    ):
        raise BadRequestError(
            f"the Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} "
            "printable ASCII characters",
            code="invalid_idempotency_key",
        )
    return value


def require_publish_allowed(
    request: PublishRequest, identity: Identity, policy: TokenPolicy
) -> None:
    """Refuse what the caller's own Ably token could not publish.

    chatmod publishes with its key, so it applies the capability ``/token`` grants
    (``capability_for``: the role's operations on ``tokens.rooms``, names or
    ``*`` / ``namespace:*`` patterns, chat rooms by bare name) rather than let
    ``/messages`` reach further than the token would.

    Raises:
        BadRequestError: a chat room named with its ``::$chat`` suffix, or a
            pub/sub message for a chat channel (send ``{room, text}`` instead).
        ForbiddenError: the role may not publish there (``not_allowed``).
    """
    if isinstance(request, ChatMessage):
        target, field = request.room, "room"
    else:
        target, field = request.channel, "channel"
    if target.endswith(CHAT_CHANNEL_SUFFIX):
        problem = (
            "room is the bare room name" if field == "room" else "chat channels take chat messages"
        )
        raise BadRequestError(
            f"{problem}: send {{room, text}} with the room name, without {CHAT_CHANNEL_SUFFIX}",
            details={"problems": [{"field": field, "problem": problem}]},
        )
    capability = capability_for(identity, policy)
    if not any(
        "publish" in operations and _covers(pattern, target)
        for pattern, operations in capability.items()
    ):
        raise ForbiddenError(
            "your token may not publish there", code="not_allowed", details={field: target}
        )


def _covers(pattern: str, name: str) -> bool:
    # Ably's resource wildcards: "*" is every channel, "ns:*" every channel in "ns".
    if pattern in ("*", name):
        return True
    return pattern.endswith(":*") and name.startswith(pattern[:-1])
