"""What a moderator's decision on a held message does: approve (publish it), deny, expire.

Every decision is a conditional write from ``pending`` with its audit event
(``ReviewStore.decide``), so approve, deny and expiry racing end with one winner;
the others get ``ConflictError`` (409). Repeating the winning decision is safe:

- approve again → nothing is published twice: the publish carries an idempotency
  key derived from the review id (Ably stores it once), and once it succeeded the
  item remembers what was published and later approvals only answer it. An
  approval whose publish failed (Ably down) is finished by the next approve;
- deny again → the same answer; its strike is keyed on the review id, so the
  ladder counts it once however often deny is repeated.

What approval publishes depends on where the message was held:

- chat, held before Ably had it (before-publish, ``POST /messages``): sent through
  Chat REST as its sender, with chatmod's ``x-chatmod-judged`` header (so a
  before-publish rule accepts it without judging it again; the ban check still
  applies) and ``metadata.chatmodReview`` = ``{reviewId, approvedBy, approvedAt,
  heldAt}`` (``heldAt``: when the sender sent it);
- chat, held on the async path (Ably had it, chatmod soft-deleted it): the deleted
  message is updated back to its text, metadata and headers — Ably Chat documents
  an update of a deleted message as the way to restore it — by chatmod's own client
  id, so the async consumer does not judge its own work again;
- pub/sub via ``POST /messages``: published as its sender with the id it would have
  had, and the judged header;
- pub/sub held on the async path: a ``chatmod.moderation`` event
  ``{"action": "restore", "messageId", ...}`` tells clients to show it again.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from chatmod.adapters.review_store import ReviewConflictError, ReviewStore
from chatmod.core.constants import MODERATION_EVENT_NAME
from chatmod.core.deadline import Deadline
from chatmod.core.errors import ChatmodError, ConflictError, NotFoundError
from chatmod.core.policy_runtime import RuntimePolicy
from chatmod.enforcement.audit import SYSTEM_ACTOR, AuditAction, AuditEvent, iso_ms
from chatmod.enforcement.bans import StrikeOutcome, StrikeRef
from chatmod.enforcement.judged import JUDGED_HEADER
from chatmod.enforcement.reviews import ReviewItem, ReviewState
from chatmod.enforcement.tokens import Identity
from chatmod.moderation.pipeline import SenderStore, Submission, record_strike

#: The metadata key approval adds to a chat message (chatmod's own: a sender's is replaced).
REVIEW_METADATA_KEY: Final = "chatmodReview"
#: Who Ably sees acting in the operation metadata of a restore.
MODERATOR_NAME: Final = "chatmod"

#: Signs the judged header: (room or channel, client id, text) → value, or None.
Signer = Callable[[str, str, str], str | None]


@dataclass(frozen=True, slots=True)
class Denial:
    """A deny's result: the item and, when asked for, the strike on its sender."""

    review: ReviewItem
    strike: StrikeOutcome | None = None
    strike_failed: bool = False


class ReviewDesk:
    """Approves, denies and expires review items for one request."""

    def __init__(
        self,
        store: ReviewStore,
        *,
        policy: RuntimePolicy,
        senders: SenderStore,
        gateway: Any,
        sign: Signer,
        clock: Callable[[], float] = time.time,
        on_store_error: Callable[[str, ChatmodError], None] = lambda _what, _error: None,
    ) -> None:
        """Args:
        store: the review queue.
        policy: the runtime policy (ladder, review settings).
        senders: bans and strikes (a deny's strike).
        gateway: the Ably gateway (``adapters.ably.AblyGateway``) approval publishes with.
        sign: the judged header's signer (``enforcement.judged.sign_judged`` bound).
        clock: epoch seconds.
        on_store_error: called when a strike could not be written.
        """
        self._store = store
        self._policy = policy
        self._senders = senders
        self._gateway = gateway
        self._sign = sign
        self._clock = clock
        self._on_store_error = on_store_error

    def load(self, review_id: str, moderator: Identity, deadline: Deadline) -> ReviewItem:
        """The item a moderator may act on.

        Raises:
            NotFoundError: no such item, or one outside the moderator's rooms (they
                cannot tell it exists).
        """
        item = self._store.get(review_id, deadline=deadline)
        if item is None or not moderator.moderates(item.place):
            raise NotFoundError(f"no review {review_id!r}", code="review_not_found")
        return item

    # -- approve -------------------------------------------------------------------------

    def approve(self, review_id: str, moderator: Identity, deadline: Deadline) -> ReviewItem:
        """Approve and publish; a repeated approval publishes nothing new.

        Raises:
            NotFoundError: no such review (404).
            ConflictError: denied or expired, by someone else or by time (409).
            UpstreamError: Ably failed; the approval stands and the next approve
                finishes the publish (502).
        """
        item = self.load(review_id, moderator, deadline)
        if item.state is ReviewState.PENDING:
            try:
                item = self._decide(item, ReviewState.APPROVED, moderator, None, False, deadline)
            except ConflictError as conflict:
                # Another approval won the race: the same outcome, so carry on with it.
                current = self._store.get(item.review_id, deadline=deadline)
                if current is None or current.state is not ReviewState.APPROVED:
                    raise conflict from None
                item = current
        elif item.state is not ReviewState.APPROVED:
            raise _decided(item)
        if item.published:
            return item
        published = self._publish(item, deadline)
        return self._store.mark_published(item, published, deadline=deadline)

    def _publish(self, item: ReviewItem, deadline: Deadline) -> dict[str, Any]:
        assert item.client_id is not None
        key = _idempotency_key(item.review_id)
        stamp = {
            "reviewId": item.review_id,
            "approvedBy": item.decided_by,
            "approvedAt": iso_ms(item.decided_ms or 0),
            "heldAt": iso_ms(item.created_ms),
        }
        already_in_ably = item.source == "async"
        if item.room is not None:
            metadata = {**item.metadata, REVIEW_METADATA_KEY: stamp}
            if already_in_ably and item.serial is not None:
                self._gateway.update_chat_message(
                    item.room,
                    item.serial,
                    item.text,
                    metadata=metadata,
                    headers={k: v for k, v in item.headers.items() if k != JUDGED_HEADER},
                    description="approved by a moderator",
                    operation_metadata={
                        "moderator": MODERATOR_NAME,
                        "verdict": "approve",
                        "reviewId": item.review_id,
                        "approvedBy": str(item.decided_by),
                    },
                    idempotency_key=key,
                    deadline=deadline.at,
                )
                return {"restored": True, "serial": item.serial}
            headers: dict[str, Any] = {k: v for k, v in item.headers.items() if k != JUDGED_HEADER}
            judged = self._sign(item.room, item.client_id, item.text)
            if judged is not None:
                headers[JUDGED_HEADER] = judged
            sent = self._gateway.send_chat_message(
                item.room,
                item.text,
                metadata,
                headers,
                client_id=item.client_id,
                idempotency_key=key,
                deadline=deadline.at,
            )
            return {"serial": sent.serial}
        assert item.channel is not None
        if already_in_ably:
            event = self._gateway.publish_moderation_event(
                item.channel,
                MODERATION_EVENT_NAME,
                {
                    "action": "restore",
                    "messageId": item.message_id,
                    "serial": item.serial,
                    "clientId": item.client_id,
                    "reviewId": item.review_id,
                    "approvedBy": item.decided_by,
                },
                message_id=f"chatmod-restore-{item.review_id}:0",
                deadline=deadline.at,
            )
            return {"restored": True, "moderationEventId": event.message_id}
        judged = self._sign(item.channel, item.client_id, item.text)
        extras_headers: dict[str, Any] = {"x-chatmod-review": item.review_id}
        if judged is not None:
            extras_headers[JUDGED_HEADER] = judged
        published = self._gateway.publish(
            item.channel,
            item.name,
            item.data,
            client_id=item.client_id,
            extras={"headers": extras_headers},
            message_id=item.message_id,
            deadline=deadline.at,
        )
        return {"id": published.message_id}

    # -- deny ------------------------------------------------------------------------------

    def deny(
        self,
        review_id: str,
        moderator: Identity,
        *,
        reason: str,
        strike: bool,
        deadline: Deadline,
    ) -> Denial:
        """Deny; with ``strike``, one strike on the sender along the ladder.

        Raises:
            NotFoundError: no such review (404).
            ConflictError: approved or expired first (409).
        """
        item = self.load(review_id, moderator, deadline)
        if item.state is ReviewState.PENDING:
            item = self._decide(item, ReviewState.DENIED, moderator, reason, strike, deadline)
        elif item.state is not ReviewState.DENIED:
            raise _decided(item)
        if not item.strike or item.client_id is None:
            return Denial(item)
        # Also on a repeated deny: a strike that failed before is recorded now, and one
        # recorded before is recognised by its reference and not counted again.
        outcome = self._strike(item, deadline)
        return Denial(item, outcome, strike_failed=outcome is None)

    def _strike(self, item: ReviewItem, deadline: Deadline) -> StrikeOutcome | None:
        assert item.client_id is not None
        try:
            record = self._senders.load_sender(item.client_id, deadline=deadline)
        except ChatmodError as error:
            self._on_store_error("load_sender", error)
            return None
        submission = Submission(
            text=item.text,
            client_id=item.client_id,
            room=item.room,
            channel=item.channel,
            ref=StrikeRef(f"review:{item.review_id}"),
            serial=item.serial if item.source == "async" else None,
            source="review",
        )
        return record_strike(
            self._senders,
            self._policy,
            record,
            submission,
            item.reason or "denied by a moderator",
            [],
            deadline,
            clock=self._clock,
            on_store_error=self._on_store_error,
        )

    # -- expire ------------------------------------------------------------------------------

    def expire(self, item: ReviewItem, deadline: Deadline) -> ReviewItem | None:
        """Expire a pending item past its time (audited); ``None`` if it was decided first.

        Raises:
            ServiceUnavailableError: the store could not be written.
        """
        return expire_item(self._store, item, int(self._clock() * 1000), deadline)

    def _decide(
        self,
        item: ReviewItem,
        state: ReviewState,
        moderator: Identity | None,
        reason: str | None,
        strike: bool,
        deadline: Deadline,
    ) -> ReviewItem:
        now_ms = int(self._clock() * 1000)
        if state is not ReviewState.EXPIRED and item.due(now_ms):
            # Its time ran out before anyone decided: it expires now, and this loses.
            expired = self.expire(item, deadline)
            raise _decided(expired or self._store.get(item.review_id, deadline=deadline) or item)
        actor = moderator.client_id if moderator is not None else SYSTEM_ACTOR
        decided = item.decided(state, by=actor, at_ms=now_ms, reason=reason, strike=strike)
        event = decision_event(item, decided)
        try:
            return self._store.decide(item, decided, event, deadline=deadline)
        except ReviewConflictError:
            current = self._store.get(item.review_id, deadline=deadline)
            raise _decided(current or item) from None


@dataclass(frozen=True, slots=True)
class Sweep:
    """What a sweep of the queue did: items expired, and the oldest still pending."""

    expired: int
    oldest_pending_age_s: float


#: The most items one sweep expires (the next sweep carries on).
SWEEP_BATCH: Final = 500


def sweep(store: ReviewStore, now_ms: int, deadline: Deadline) -> Sweep:
    """Expire every pending item past its time (oldest first), then age the oldest left.

    The age is 0 when nothing is pending (the metric's alarm then stays quiet).

    Raises:
        ServiceUnavailableError: the store could not be read or written.
    """
    expired = 0
    while expired < SWEEP_BATCH and deadline.remaining() > 1:
        items, _ = store.page(state=ReviewState.PENDING, room=None, limit=25)
        due = [item for item in items if item.due(now_ms)]
        for item in due:
            if expire_item(store, item, now_ms, deadline) is not None:
                expired += 1
        if len(due) < len(items) or not due:
            break  # the oldest pending one is not due: neither is anything younger
    oldest = store.oldest_pending()
    age = 0.0 if oldest is None else max(0.0, (now_ms - oldest.created_ms) / 1000)
    return Sweep(expired, age)


def expire_item(
    store: ReviewStore, item: ReviewItem, now_ms: int, deadline: Deadline
) -> ReviewItem | None:
    """Expire ``item`` with its audit event; ``None`` when it was decided first.

    Raises:
        ServiceUnavailableError: the store could not be written.
    """
    decided = item.decided(
        ReviewState.EXPIRED, by=SYSTEM_ACTOR, at_ms=now_ms, reason="not reviewed in time"
    )
    try:
        return store.decide(item, decided, decision_event(item, decided), deadline=deadline)
    except ReviewConflictError:
        return None


def decision_event(item: ReviewItem, decided: ReviewItem) -> AuditEvent:
    """The audit event of a decision on ``item``: who, when, why, and what had flagged it."""
    details: dict[str, Any] = {
        "reviewId": item.review_id,
        "heldAt": iso_ms(item.created_ms),
        "categories": list(item.categories),
        "provider": item.provider,
    }
    if decided.state is ReviewState.DENIED:
        details["strike"] = decided.strike
    return AuditEvent(
        action=_ACTIONS[decided.state],
        actor=decided.decided_by or SYSTEM_ACTOR,
        client_id=item.client_id,
        reason=decided.reason,
        room=item.room,
        channel=item.channel,
        serial=item.serial,
        message_id=item.message_id,
        message_ref=item.message_ref,
        details=details,
        at_ms=decided.decided_ms,
    )


_ACTIONS: Final[dict[ReviewState, AuditAction]] = {
    ReviewState.APPROVED: "approve",
    ReviewState.DENIED: "deny",
    ReviewState.EXPIRED: "expire",
}


def _decided(item: ReviewItem) -> ConflictError:
    details: dict[str, Any] = {"state": item.state.value}
    if item.decided_by is not None:
        details["decidedBy"] = item.decided_by
    return ConflictError(
        f"review {item.review_id} is {item.state.value} already",
        code="review_decided",
        details=details,
    )


def _idempotency_key(review_id: str) -> str:
    """Ably's idempotency key for approving ``review_id``: the same on every approve."""
    digest = hashlib.sha256(f"chatmod\x1fapprove\x1f{review_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")
