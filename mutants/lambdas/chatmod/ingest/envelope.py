"""Ably integration-rule envelopes (SQS, enveloped JSON): what each message says, decoded.

An SQS record's body is one envelope::

    {source, appId, channel, site, ruleId,
     messages: [{id, clientId, connectionId, timestamp, name, data, encoding,
                 extras, serial, action}]}

(presence rules send ``presence: [...]`` instead; those are not moderated).
Each message's ``data`` is decoded with ably-python's own decoder
(``Message.from_encoded``: ``json``, ``base64``, ``utf-8`` and chains such as
``json/utf-8/base64``), imported on first use so that the handler's cold import
does not pay for the SDK.

Chat messages live on ``<room>::$chat`` with name ``chat.message`` and ``data
{text, metadata}``; anything else is a pub/sub message, whose text is ``data``
itself when it is a string, or the value at the policy's ``async.textPath`` (then
``message``) when it is a JSON object. Creates are moderated, and so are updates
(edits) **by their author** (``version.clientId`` is the message's ``clientId``): a
user may send "hello" and edit it into abuse, and Ably does not document whether
its before-publish rule sees edits. Updates by anyone else — chatmod's own masks
(as ``chatmod:system``), moderators' edits, a key acting without a client id — and
deletes and summaries are not moderated: re-moderating them would loop or second-
guess a moderator. Each edit is its own offence: keyed on the message's serial and
the version's serial.

Nothing here does I/O; a body that can never be read raises ``PoisonRecordError``
and a message that can never be read becomes a ``PoisonMessage``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from chatmod.core import json_depth
from chatmod.core.errors import BadRequestError
from chatmod.enforcement.bans import StrikeRef
from chatmod.moderation.pipeline import Submission

CHAT_CHANNEL_SUFFIX: Final = "::$chat"
CHAT_MESSAGE_NAME: Final = "chat.message"
#: ``action`` of a new message: numeric on the wire; the name as Chat REST spells it.
CREATE_ACTIONS: Final = (0, "message.create")
#: ``action`` of an update (an edit): moderated when its author made it.
UPDATE_ACTIONS: Final = (1, "message.update")
#: Where pub/sub text is looked for when ``async.textPath`` is not in the object.
FALLBACK_TEXT_KEYS: Final = ("message",)
#: Envelope sources that carry no messages to moderate.
IGNORED_SOURCES: Final = frozenset({"channel.presence", "channel.lifecycle", "channel.occupancy"})
SOURCE: Final = "async"


class PoisonRecordError(BadRequestError):
    """The SQS record is not an Ably envelope and never will be: audit it and let it go."""

    default_code = "poison_record"


@dataclass(frozen=True, slots=True)
class AblyMessage:
    """A channel message to moderate.

    Attributes:
        kind: ``chat`` (a Chat room message) or ``pubsub``.
        channel: the channel it was published on.
        room: the chat room (``channel`` without ``::$chat``), for chat messages.
        message_id / serial: Ably's identifiers.
        client_id: the sender, when the message names one.
        text: what is moderated.
        metadata / headers: chat metadata and ``extras.headers``.
        user_claim: ``extras.userClaim``, when present.
        name: the message name.
        timestamp_ms: when Ably accepted it (epoch milliseconds), when the message says.
        version_serial: for an edit, the serial of the version (None for a create).
    """

    kind: Literal["chat", "pubsub"]
    channel: str
    text: str
    room: str | None = None
    message_id: str | None = None
    serial: str | None = None
    client_id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, Any] = field(default_factory=dict)
    user_claim: str | None = None
    name: str | None = None
    timestamp_ms: int | None = None
    version_serial: str | None = None

    @property
    def key(self) -> str:
        """``base_key``, and for an edit the version it made: each edit is judged once."""
        if self.version_serial:
            return f"{self.base_key}@{self.version_serial}"
        return self.base_key

    @property
    def base_key(self) -> str:
        """What names this message across redeliveries: what Ably assigned, never a client's choice.

        Chat: its serial. Pub/sub: the channel and its serial; without a serial, the
        channel, id and Ably's timestamp. A publisher may choose a pub/sub message's
        ``id`` and reuse it on another channel, or on the same one after Ably's
        dedupe window: keyed on the id alone, such a message was removed but never
        struck, or counted removed and neither.
        """
        if self.kind == "chat":
            return self.serial or ""
        if self.serial:
            return f"{self.channel}|{self.serial}"
        return f"{self.channel}|{self.message_id}|{self.timestamp_ms}"

    def submission(self) -> Submission:
        """The pipeline's view of the message; strikes deduplicate on ``key`` for good."""
        return Submission(
            text=self.text,
            client_id=self.client_id,
            room=self.room,
            channel=None if self.kind == "chat" else self.channel,
            ref=StrikeRef(self.key) if self.key else None,
            serial=self.serial,
            message_id=self.message_id,
            metadata=self.metadata,
            headers=self.headers,
            user_claim=self.user_claim,
            source=SOURCE,
        )


@dataclass(frozen=True, slots=True)
class SkippedMessage:
    """A message that is not moderated (not a create, presence, chatmod's own, no text)."""

    reason: str
    message_id: str | None = None
    serial: str | None = None


@dataclass(frozen=True, slots=True)
class PoisonMessage:
    """A message that can never be read (undecodable data, a chat message without text)."""

    problem: str
    channel: str
    message_id: str | None = None
    serial: str | None = None
    client_id: str | None = None


Item = AblyMessage | SkippedMessage | PoisonMessage


@dataclass(frozen=True, slots=True)
class Envelope:
    """One SQS record's envelope, each message read."""

    channel: str | None
    rule_id: str | None
    source: str | None
    items: tuple[Item, ...]


def parse_envelope(body: str, *, text_keys: Sequence[str] = ("text",)) -> Envelope:
    """Read an SQS record body.

    Args:
        body: the record body (Ably's enveloped JSON).
        text_keys: ``async.textPath`` as keys, for pub/sub JSON objects.

    Returns:
        The envelope; presence and lifecycle envelopes have no items.

    Raises:
        PoisonRecordError: not JSON, not an object, or not an Ably envelope.
    """
    try:
        # The envelope wraps each message's data in three levels: {messages: [{data}]}.
        envelope = json_depth.loads(body, max_depth=json_depth.MAX_JSON_DEPTH + 3)
    except json_depth.JsonTooDeepError as exc:
        raise PoisonRecordError(f"the record body is {exc}") from None
    except (TypeError, ValueError) as exc:
        raise PoisonRecordError(f"the record body is not JSON ({type(exc).__name__})") from None
    if not isinstance(envelope, dict):
        raise PoisonRecordError("the record body is not a JSON object")
    channel = _str(envelope.get("channel"))
    rule_id = _str(envelope.get("ruleId"))
    source = _str(envelope.get("source"))
    if "presence" in envelope or source in IGNORED_SOURCES:
        return Envelope(channel, rule_id, source, ())
    messages = envelope.get("messages")
    if not isinstance(messages, list):
        raise PoisonRecordError(
            "the record body is not an Ably envelope (no 'messages'): set the SQS rule to "
            "'enveloped' JSON"
        )
    if not channel:
        raise PoisonRecordError("the Ably envelope names no channel")
    items = tuple(read_message(raw, channel, text_keys=text_keys) for raw in messages)
    return Envelope(channel, rule_id, source, items)


def read_message(raw: object, channel: str, *, text_keys: Sequence[str] = ("text",)) -> Item:
    """One message of an envelope: to moderate, to skip, or unreadable.

    Args:
        raw: the message as the envelope holds it.
        channel: the envelope's channel.
        text_keys: where pub/sub text is in a JSON object.
    """
    if not isinstance(raw, dict):
        return PoisonMessage("the message is not a JSON object", channel)
    message_id, serial = _str(raw.get("id")), _str(raw.get("serial"))
    client_id = _str(raw.get("clientId")) or None
    action = raw.get("action", 0)
    if isinstance(action, bool) or action not in (*CREATE_ACTIONS, *UPDATE_ACTIONS):
        return SkippedMessage(f"action {action!r} is not a create or an edit", message_id, serial)
    version_serial: str | None = None
    if action in UPDATE_ACTIONS:
        version = _dict(raw.get("version"))
        editor = _str(version.get("clientId"))
        if not editor or editor != client_id:
            # chatmod's own mask, a moderator's edit, or the key's: not the author's words.
            return SkippedMessage("an edit by someone other than its author", message_id, serial)
        version_serial = _str(version.get("serial")) or None
        if not version_serial or not serial:
            return PoisonMessage(
                "an edit without a serial or version serial", channel, message_id, serial, client_id
            )
    extras = _dict(raw.get("extras"))
    privileged = extras.get("privileged")
    if isinstance(privileged, dict) and "skipRule" in privileged:
        # Only a key with privileged-headers may set it: chatmod's own moderation events.
        return SkippedMessage("published by chatmod (skipRule)", message_id, serial)
    is_chat = channel.endswith(CHAT_CHANNEL_SUFFIX)
    name = _str(raw.get("name"))
    if is_chat and name != CHAT_MESSAGE_NAME:
        return SkippedMessage(
            f"{name!r} on a chat channel is not a chat message", message_id, serial
        )
    try:
        data = _decode(raw)
    except _Undecodable as exc:
        return PoisonMessage(str(exc), channel, message_id, serial, client_id)
    headers = _dict(extras.get("headers"))
    user_claim = _str(extras.get("userClaim"))
    stamp = raw.get("timestamp")
    timestamp_ms = stamp if isinstance(stamp, int) and not isinstance(stamp, bool) else None
    if is_chat:
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return PoisonMessage(
                "a chat message without data.text", channel, message_id, serial, client_id
            )
        metadata = _dict(data.get("metadata"))
        if not serial:
            return PoisonMessage("a chat message without a serial", channel, message_id, None)
        return AblyMessage(
            kind="chat",
            channel=channel,
            room=channel.removesuffix(CHAT_CHANNEL_SUFFIX),
            text=_safe_text(data["text"]),
            message_id=message_id,
            serial=serial,
            client_id=client_id,
            metadata=metadata,
            headers=headers,
            user_claim=user_claim,
            name=name,
            timestamp_ms=timestamp_ms,
            version_serial=version_serial,
        )
    text = _pubsub_text(data, text_keys)
    if text is None:
        return SkippedMessage("no text in the message data", message_id, serial)
    if not (message_id or serial):
        return PoisonMessage("a message without an id or serial", channel, None, None, client_id)
    return AblyMessage(
        kind="pubsub",
        channel=channel,
        text=_safe_text(text),
        message_id=message_id,
        serial=serial,
        client_id=client_id,
        headers=headers,
        user_claim=user_claim,
        name=name,
        timestamp_ms=timestamp_ms,
        version_serial=version_serial,
    )


class _Undecodable(ValueError):
    pass


def _decode(raw: Mapping[str, Any]) -> Any:
    """``data`` decoded through its ``encoding`` chain by ably-python (imported on first use)."""
    from ably.sync.types.message import Message
    from ably.sync.util.exceptions import AblyException

    encoding = raw.get("encoding")
    if encoding is not None and not isinstance(encoding, str):
        raise _Undecodable("the message encoding is not a string")
    try:
        message = Message.from_encoded({"data": raw.get("data"), "encoding": encoding or ""})
    except RecursionError:
        raise _Undecodable(
            f"the message data is JSON nested deeper than {json_depth.MAX_JSON_DEPTH} levels"
        ) from None
    except (AblyException, ValueError, TypeError, AttributeError) as exc:
        raise _Undecodable(f"the message data does not decode as {encoding!r}") from exc
    if message.encoding:
        # A step the SDK could not undo (a cipher without the key, an unknown encoding).
        raise _Undecodable(f"the message data cannot be decoded past {message.encoding!r}")
    try:
        json_depth.check_depth(message.data)
    except json_depth.JsonTooDeepError as exc:
        raise _Undecodable(f"the message data is {exc}") from None
    return message.data


def _pubsub_text(data: Any, text_keys: Sequence[str]) -> str | None:
    if isinstance(data, str):
        return data
    if isinstance(data, (bytes, bytearray)):
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            return None  # binary payload (an image, protobuf): nothing to read
    if isinstance(data, dict):
        for path in (tuple(text_keys), *((key,) for key in FALLBACK_TEXT_KEYS)):
            value: Any = data
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, str):
                return value
    return None


def _safe_text(text: str) -> str:
    # JSON may escape a lone surrogate; nothing downstream could encode it.
    return text.encode("utf-8", "replace").decode("utf-8")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
