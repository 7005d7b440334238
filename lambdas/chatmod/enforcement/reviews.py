"""Review items: messages held for a moderator's judgement (stored by ``adapters.review_store``).

A held message is neither published nor rejected: it waits, ``pending``, until a
moderator approves it (chatmod publishes it as its sender), denies it (optionally
a strike on the sender), or ``pendingSeconds`` pass (``expired``). Exactly one of
these happens to an item: each is a conditional write from ``pending``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from chatmod.enforcement.audit import iso_ms

#: Review ids: ``rv_`` and 32 hex characters.
REVIEW_ID_PREFIX: Final = "rv_"
REVIEW_ID_LENGTH: Final = len(REVIEW_ID_PREFIX) + 32


class ReviewState(StrEnum):
    """Where a review item is in its life; only ``pending`` moves."""

    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"


def review_id_for(ref: str | None) -> str:
    """The id of the review of message ``ref``: the same for every redelivery or retry of it.

    Ably retries a before-publish call and SQS redelivers a record: each must find
    the item already held, not hold the message twice. Without a ref, a fresh id.
    """
    if ref is None:
        return REVIEW_ID_PREFIX + secrets.token_hex(16)
    return REVIEW_ID_PREFIX + hashlib.sha256(f"review\x1f{ref}".encode()).hexdigest()[:32]


def is_review_id(value: str) -> bool:
    """Whether ``value`` has the shape of a review id (so a path cannot inject anything)."""
    body = value[len(REVIEW_ID_PREFIX) :]
    return (
        value.startswith(REVIEW_ID_PREFIX)
        and len(value) == REVIEW_ID_LENGTH
        and all(c in "0123456789abcdef" for c in body)
    )


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One held message and what became of it.

    Attributes:
        review_id: ``rv_…`` (``review_id_for``).
        state: pending, approved, denied or expired.
        room / channel: where the message was going (a chat room, or a pub/sub channel).
        client_id: the sender.
        text: what the sender wrote (the original, never a masked version).
        metadata / headers: the chat message's, to publish with it on approval.
        name / data: a pub/sub message's name and data (``POST /messages`` to a channel).
        provider / categories / scores / terms: what flagged it.
        source: the path that held it (``before-publish``, ``publish``, ``async``).
        serial / message_id: the message's Ably identifiers when it was already in Ably
            (the async path: taken down, restored on approval).
        message_ref: chatmod's reference for the message (strike dedupe).
        created_ms: when it was held (epoch ms) — the message's original time.
        pending_until_ms: when a pending item expires (epoch ms).
        decided_by / decided_ms / reason / strike: the moderator's decision.
        published: what approval published (``{"serial"}`` / ``{"id"}`` / ``{"restored"}``);
            empty until the publish succeeded (an approved item without it is retried).
    """

    review_id: str
    state: ReviewState
    client_id: str | None
    text: str
    created_ms: int
    pending_until_ms: int
    room: str | None = None
    channel: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, Any] = field(default_factory=dict)
    name: str | None = None
    data: Any = None
    provider: str | None = None
    categories: tuple[str, ...] = ()
    scores: Mapping[str, float] = field(default_factory=dict)
    terms: tuple[str, ...] = ()
    source: str = "unknown"
    serial: str | None = None
    message_id: str | None = None
    message_ref: str | None = None
    decided_by: str | None = None
    decided_ms: int | None = None
    reason: str | None = None
    strike: bool = False
    published: Mapping[str, Any] = field(default_factory=dict)

    @property
    def place(self) -> str:
        """The room, else the channel: what the room index and room scopes see."""
        return self.room if self.room is not None else (self.channel or "")

    def due(self, now_ms: int) -> bool:
        """Whether a pending item has outlived ``pendingSeconds``."""
        return self.state is ReviewState.PENDING and now_ms >= self.pending_until_ms

    def decided(
        self, state: ReviewState, *, by: str, at_ms: int, reason: str | None, strike: bool = False
    ) -> ReviewItem:
        """This item after a decision."""
        return replace(
            self, state=state, decided_by=by, decided_ms=at_ms, reason=reason, strike=strike
        )

    def to_json(self) -> dict[str, Any]:
        """The item as ``/moderation/reviews`` shows it (camelCase, times as ISO-8601)."""
        body: dict[str, Any] = {
            "reviewId": self.review_id,
            "state": self.state.value,
            "room": self.room,
            "channel": self.channel,
            "clientId": self.client_id,
            "text": self.text,
            "metadata": dict(self.metadata),
            "headers": dict(self.headers),
            "name": self.name,
            "data": self.data,
            "flaggedBy": {
                "provider": self.provider,
                "categories": list(self.categories),
                "scores": dict(self.scores),
                "terms": list(self.terms),
            },
            "source": self.source,
            "serial": self.serial,
            "messageId": self.message_id,
            "heldAt": iso_ms(self.created_ms),
            "expiresAt": iso_ms(self.pending_until_ms),
            "decidedBy": self.decided_by,
            "decidedAt": None if self.decided_ms is None else iso_ms(self.decided_ms),
            "reason": self.reason,
            "strike": self.strike if self.state is ReviewState.DENIED else None,
            "published": dict(self.published) or None,
        }
        return {key: value for key, value in body.items() if value is not None}
