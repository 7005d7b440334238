"""Chat REST v4 operations: send a message as a user, update it, soft-delete it."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from chatmod.adapters.ably._arguments import (
    as_mapping,
    path_segment,
    require_client_id,
    require_text,
)
from chatmod.adapters.ably.connection import AblyOperations
from chatmod.adapters.ably.errors import AblyApiError
from chatmod.core.errors import BadRequestError

__all__ = [
    "CHAT_API_VERSION",
    "ChatMessage",
    "ChatOperations",
    "SentChatMessage",
    "new_idempotency_key",
]

CHAT_API_VERSION: Final = "4"
# @ably/chat 1.4 (src/core/id.ts) sends 9 random bytes, base64-encoded.
_IDEMPOTENCY_KEY_BYTES: Final = 9
_MAX_IDEMPOTENCY_KEY_LENGTH: Final = 256


def new_idempotency_key() -> str:
    """A fresh idempotency key, shaped as @ably/chat makes them (9 random bytes, base64)."""
    return base64.b64encode(secrets.token_bytes(_IDEMPOTENCY_KEY_BYTES)).decode("ascii")


@dataclass(frozen=True)
class ChatMessage:
    """A chat message as Chat REST v4 answers it.

    The fields of ``RestMessage`` in @ably/chat 1.4 (``src/core/rest-types.ts``):
    send, update and delete all answer the whole message.

    Attributes:
        serial: Ably's serial of the message (stays the same across versions).
        timestamp: when it was created, epoch ms.
        action: ``message.create``, ``message.update`` or ``message.delete``.
        text: the text (of the latest version).
        client_id: who sent it.
        metadata: the message metadata.
        headers: the message headers.
        version_serial: the serial of this version (the serial itself on create).
        version_timestamp: when this version was made, epoch ms.
    """

    serial: str
    timestamp: int | None = None
    action: str = "message.create"
    text: str = ""
    client_id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, Any] = field(default_factory=dict)
    version_serial: str | None = None
    version_timestamp: int | None = None

    @property
    def created_at(self) -> int | None:
        """When the message was created, epoch ms (``timestamp``; the old name)."""
        return self.timestamp

    @classmethod
    def from_rest(cls, payload: Any) -> ChatMessage:
        """Read a ``RestMessage`` answer.

        Args:
            payload: the decoded JSON answer.

        Returns:
            The message.

        Raises:
            AblyApiError: the answer has no serial (then it is not a message).
        """
        message = payload if isinstance(payload, dict) else {}
        serial = message.get("serial")
        if not isinstance(serial, str) or not serial:
            raise AblyApiError("Ably accepted the chat request but returned no message serial")
        version = _dict(message.get("version"))
        return cls(
            serial=serial,
            timestamp=_int(message.get("timestamp")),
            action=_str(message.get("action")) or "message.create",
            text=_str(message.get("text")) or "",
            client_id=_str(message.get("clientId")),
            metadata=_dict(message.get("metadata")),
            headers=_dict(message.get("headers")),
            version_serial=_str(version.get("serial")),
            version_timestamp=_int(version.get("timestamp")),
        )


#: The name the send result had before update and delete answered messages too.
SentChatMessage = ChatMessage


class ChatOperations(AblyOperations):
    """Chat REST v4, as @ably/chat 1.4's ``ChatApi`` (``src/core/chat-api.ts``) calls it.

    Every request carries ``X-Ably-Version: 4`` and an ``idempotencyKey`` query
    parameter, so Ably applies it once however often it arrives: a request that
    may have reached Ably (read timeout, dropped connection) is safely retried.
    """

    def send_chat_message(
        self,
        room: str,
        text: str,
        metadata: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        *,
        client_id: str,
        idempotency_key: str | None = None,
        deadline: float | None = None,
    ) -> ChatMessage:
        """Send a chat message as a user: ``POST /chat/v4/rooms/{room}/messages``.

        Args:
            room: the room name (without ``::$chat``); any characters.
            text: the message text.
            metadata: the message metadata (default ``{}``).
            headers: the message headers (default ``{}``).
            client_id: the user the message is from.
            idempotency_key: the same key for the same message (e.g. derived from
                the request that asked for it), so a resend is stored once;
                default: a fresh key, reused across this call's retries.
            deadline: ``time.monotonic()`` by which to give up (default: now + budget).

        Returns:
            The message as Ably stored it (serial, timestamp, ...).

        Raises:
            BadRequestError: an argument is malformed.
            AblyApiError: Ably refused (``ably_code``, ``http_status``), or its
                answer carries no serial.
            AblyTimeoutError: no answer in time. AblyConnectionError: unreachable.
        """
        require_text(text, "text")
        require_client_id(client_id)
        body = {
            "text": text,
            "metadata": as_mapping(metadata, "metadata"),
            "headers": as_mapping(headers, "headers"),
        }
        reply = self._connection.request(
            "chat.send",
            "POST",
            f"/chat/v4/rooms/{path_segment(room, 'room')}/messages",
            body=body,
            params={"idempotencyKey": _idempotency_key(idempotency_key)},
            version=CHAT_API_VERSION,
            client_id=client_id,
            idempotent=True,
            deadline=deadline,
        )
        return ChatMessage.from_rest(reply.body)

    def update_chat_message(
        self,
        room: str,
        serial: str,
        text: str,
        metadata: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        *,
        description: str | None = None,
        operation_metadata: Mapping[str, str] | None = None,
        client_id: str | None = None,
        idempotency_key: str | None = None,
        deadline: float | None = None,
    ) -> dict[str, Any]:
        """Replace a chat message's text, metadata and headers: ``PUT …/messages/{serial}``.

        The message is replaced whole: omitted metadata or headers become empty.

        Args:
            room: the room name.
            serial: the message serial.
            text: the new text.
            metadata: the new message metadata (default: none).
            headers: the new message headers (default: none).
            description: why it was edited (the update's description).
            operation_metadata: metadata of the update itself.
            client_id: who edits (default: ``settings.client_id``, else the key).
            idempotency_key: as for ``send_chat_message``.
            deadline: ``time.monotonic()`` by which to give up.

        Returns:
            Ably's answer: the updated message as JSON (``ChatMessage.from_rest`` reads it).

        Raises:
            BadRequestError: an argument is malformed.
            AblyApiError: Ably refused, e.g. ``http_status`` 404 for an unknown message.
            AblyTimeoutError, AblyConnectionError: as for ``send_chat_message``.
        """
        require_text(text, "text")
        message: dict[str, Any] = {"text": text}
        if metadata is not None:
            message["metadata"] = as_mapping(metadata, "metadata")
        if headers is not None:
            message["headers"] = as_mapping(headers, "headers")
        body: dict[str, Any] = {"message": message}
        if description is not None:
            require_text(description, "description")
            body["description"] = description
        if operation_metadata is not None:
            body["metadata"] = as_mapping(operation_metadata, "operation metadata")
        reply = self._connection.request(
            "chat.update",
            "PUT",
            self._message_path(room, serial),
            body=body,
            params={"idempotencyKey": _idempotency_key(idempotency_key)},
            version=CHAT_API_VERSION,
            client_id=self._acting(client_id),
            idempotent=True,
            deadline=deadline,
        )
        return reply.body if isinstance(reply.body, dict) else {}

    def delete_chat_message(
        self,
        room: str,
        serial: str,
        description: str,
        metadata: Mapping[str, Any] | None = None,
        *,
        client_id: str | None = None,
        idempotency_key: str | None = None,
        deadline: float | None = None,
    ) -> dict[str, Any]:
        """Soft-delete a chat message: ``POST …/messages/{serial}/delete``.

        Args:
            room: the room name.
            serial: the message serial (may contain ``@``, ``:``, ``-``).
            description: why (shown as the deletion's description).
            metadata: deletion metadata (default ``{}``).
            client_id: who deletes (default: ``settings.client_id``, else the key).
            idempotency_key: as for ``send_chat_message``.
            deadline: ``time.monotonic()`` by which to give up.

        Returns:
            Ably's answer: the message with ``action: "message.delete"`` as JSON
            (``{}`` if empty; ``ChatMessage.from_rest`` reads it).

        Raises:
            BadRequestError: an argument is malformed.
            AblyApiError: Ably refused, e.g. ``http_status`` 404 for an unknown message.
            AblyTimeoutError, AblyConnectionError: as for ``send_chat_message``.
        """
        require_text(description, "description")
        body = {"description": description, "metadata": as_mapping(metadata, "metadata")}
        reply = self._connection.request(
            "chat.delete",
            "POST",
            f"{self._message_path(room, serial)}/delete",
            body=body,
            params={"idempotencyKey": _idempotency_key(idempotency_key)},
            version=CHAT_API_VERSION,
            client_id=self._acting(client_id),
            idempotent=True,
            deadline=deadline,
        )
        return reply.body if isinstance(reply.body, dict) else {}

    def _message_path(self, room: str, serial: str) -> str:
        return (
            f"/chat/v4/rooms/{path_segment(room, 'room')}/messages/{path_segment(serial, 'serial')}"
        )

    def _acting(self, client_id: str | None) -> str | None:
        acting = client_id if client_id is not None else self.settings.client_id
        if acting is not None:
            require_client_id(acting)
        return acting


def _idempotency_key(key: str | None) -> str:
    if key is None:
        return new_idempotency_key()
    if not isinstance(key, str) or not key or len(key) > _MAX_IDEMPOTENCY_KEY_LENGTH:
        raise BadRequestError(
            f"idempotency key must be 1 to {_MAX_IDEMPOTENCY_KEY_LENGTH} characters"
        )
    return key


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}
