"""Audit events: who did what, when, why, to which message (stored by ``adapters.audit_log``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal, get_args

AuditAction = Literal[
    "reject",
    "delete",
    "ban",
    "unban",
    "strike",
    "revoke",
    "warn",
    "mask",
    "hold",
    "approve",
    "deny",
    "expire",
    "observe",
    "acknowledge",
    "slow_mode",
    "terms",
]
AUDIT_ACTIONS: Final = frozenset(get_args(AuditAction))

#: The partition key of events that concern no particular user.
NO_CLIENT: Final = "-"
#: The actor of actions chatmod takes on its own that are not the strike ladder's.
SYSTEM_ACTOR: Final = "system"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Who did what, when, why, to which message.

    Attributes:
        action: what happened.
        actor: who did it: ``"auto"`` (strike ladder / moderation), ``"system"``,
            or a moderator's client id.
        client_id: the user concerned, if any.
        reason: why.
        room / channel: where the message was (a chat room, or a pub/sub channel).
        serial / message_id: which message, as Ably names it (chat serial, or
            pub/sub message id) — only ever a real Ably identifier, so moderator
            tools can act on it.
        message_ref: chatmod's own reference for a message Ably has not named
            yet (before-publish: a digest of rule, room, sender and text).
        details: anything else, JSON-serialisable.
        at_ms: when, epoch milliseconds; set by ``AuditLog`` when ``None``.
        event_id: set by ``AuditLog``.
    """

    action: AuditAction
    actor: str
    client_id: str | None = None
    reason: str | None = None
    room: str | None = None
    channel: str | None = None
    serial: str | None = None
    message_id: str | None = None
    message_ref: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    at_ms: int | None = None
    event_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The event as ``GET /moderation/audit`` shows it (camelCase, ``at`` as ISO-8601)."""
        body: dict[str, Any] = {
            "eventId": self.event_id,
            "at": None if self.at_ms is None else iso_ms(self.at_ms),
            "action": self.action,
            "actor": self.actor,
            "clientId": self.client_id,
            "reason": self.reason,
            "room": self.room,
            "channel": self.channel,
            "serial": self.serial,
            "messageId": self.message_id,
            "messageRef": self.message_ref,
            "details": dict(self.details),
        }
        return {key: value for key, value in body.items() if value is not None}


def iso_ms(epoch_ms: int) -> str:
    """Epoch milliseconds as ISO-8601 UTC with milliseconds: ``2026-11-22T04:00:00.123Z``."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{epoch_ms % 1000:03d}Z"
