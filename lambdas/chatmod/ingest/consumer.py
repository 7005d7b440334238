"""The async consumer: moderate every message of an SQS batch at once, remove what is rejected.

Every message goes through the one pipeline (``moderation.pipeline``: ban check →
length → engine → strike → ban → audit); this module only turns its verdict into
what happens to a message Ably has already delivered:

- ``accept`` → nothing; ``mask`` → chat: the message is updated with the masked
  text; pub/sub: a moderation event carries it;
- ``reject`` / ``banned`` → removed (chat: soft delete with the reason; pub/sub:
  a moderation event naming the message, with ``skipRule``), then a ``delete``
  audit event with Ably's serial / id;
- ``hold`` → taken down like a rejection (chat: soft delete with the reason
  ``held_for_review`` and the review id in its metadata; pub/sub: a moderation
  event) and queued for review; a moderator's approval restores it (chat: an
  update of the deleted message, which Ably Chat documents as restoring it) or
  announces it again (pub/sub);
- ``failed`` → the policy's ``failedAction``: ``publish`` leaves it, ``reject``
  removes it, ``defer`` fails the record so SQS delivers it again.

Each message ends in exactly one ``Fate``; a record fails (SQS redelivers it,
then the DLQ keeps it) when any of its messages failed in a way a retry can mend:
Ably 5xx / 429 / timeouts, DynamoDB throttling, a sender whose ban or strike
could not be read or written, no time left. What can never succeed (a body that
is not an Ably envelope, data that does not decode) is audited and acknowledged.

Redeliveries are harmless: strikes deduplicate on the message's serial / id (the
pipeline), Ably applies a delete, update or moderation event once per
idempotency key derived from the message, and the removal with its audit event
runs at most once per message (``OnceGuard``, on the idempotency table).
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextvars
import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from chatmod.adapters.audit_log import AuditLog
from chatmod.core.constants import MODERATION_EVENT_NAME
from chatmod.core.deadline import Deadline
from chatmod.core.errors import ChatmodError, ServiceUnavailableError, UpstreamError
from chatmod.core.observability import logger
from chatmod.core.policy_runtime import AsyncPolicy
from chatmod.enforcement.audit import SYSTEM_ACTOR, AuditAction, AuditEvent
from chatmod.enforcement.bans import AUTO_SOURCE
from chatmod.ingest.envelope import (
    AblyMessage,
    PoisonMessage,
    PoisonRecordError,
    SkippedMessage,
    parse_envelope,
)
from chatmod.moderation.engine import HELD_REASON, Decision
from chatmod.moderation.pipeline import (
    ModerationPipeline,
    PipelineResult,
    TextTooLongError,
    Verdict,
)

if TYPE_CHECKING:
    from chatmod.adapters.ably import AblyGateway
    from chatmod.adapters.idempotency import OnceGuard

#: Who Ably sees acting in the operation metadata of deletes and updates.
MODERATOR_NAME: Final = "chatmod"
#: A message is not started with less time left than this beyond the policy's
#: provider budget: a verdict cut short by the invocation's end would read as
#: "no decision" and apply ``failedAction`` to a message nobody judged.
START_MARGIN_S: Final = 0.5
#: Ably answers that a retry cannot change: the message is gone or the request
#: is wrong. 401/403 (the key) and 408/429 are worth retrying, then the DLQ.
_PERMANENT_STATUSES: Final = frozenset(range(400, 500)) - {401, 403, 408, 429}


class Fate(StrEnum):
    """What became of one message."""

    ACCEPTED = "accepted"  # passed (or failedAction publish): left as it is
    SKIPPED = "skipped"  # not moderated: not a create, chatmod's own, no text
    MASKED = "masked"  # the masked text replaced it (chat) or was announced (pub/sub)
    HELD = "held"  # held for review: taken down until a moderator approves it
    REMOVED = "removed"  # rejected: removed (or Ably had it gone already) and audited
    POISON = "poison"  # can never be read: audited and acknowledged
    FAILED = "failed"  # a retry may succeed: the record is reported failed


@dataclass(frozen=True, slots=True)
class MessageFate:
    """One message's fate, with why (an error code, a skip reason)."""

    fate: Fate
    key: str | None = None
    detail: str | None = None


@dataclass(slots=True)
class RecordResult:
    """What happened to the messages of one SQS record."""

    record_id: str
    fates: list[MessageFate] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether SQS must deliver the record again."""
        return any(fate.fate is Fate.FAILED for fate in self.fates)

    @property
    def failure(self) -> str:
        """The first failure's detail (for the partial batch response's log)."""
        return next(
            (f.detail or "failed" for f in self.fates if f.fate is Fate.FAILED), "not failed"
        )


@dataclass(frozen=True, slots=True)
class QueuedRecord:
    """The parts of an SQS record the consumer reads."""

    record_id: str
    body: str
    receive_count: int = 1


class AsyncModerator:
    """Moderates SQS batches of Ably envelopes; safe to share between threads."""

    def __init__(
        self,
        *,
        pipeline: ModerationPipeline,
        audit: AuditLog,
        gateway: Callable[[], AblyGateway],
        guard: OnceGuard | None,
        policy: AsyncPolicy,
        judged: Callable[[AblyMessage, Deadline], bool] | None = None,
    ) -> None:
        """Args:
        pipeline: the moderation pipeline of the current runtime.
        audit: where ``delete`` and poison events go.
        gateway: gives the Ably gateway (built on first need: most batches need none).
        guard: runs each removal at most once per message (None: no guard, e.g. tools).
        policy: ``async`` settings (text path, concurrency).
        judged: whether chatmod already judged a message (``POST /messages`` signs
            what it publishes); such a message is not judged again.
        """
        self._pipeline = pipeline
        self._audit = audit
        self._gateway = gateway
        self._guard = guard
        self._policy = policy
        self._judged = judged

    # -- the batch --------------------------------------------------------------------

    def moderate_batch(
        self, records: Sequence[QueuedRecord], deadline: Deadline
    ) -> dict[str, RecordResult]:
        """Moderate every message of ``records`` concurrently, within ``deadline``.

        Never raises: every message ends with a fate, and a record whose work did
        not finish in time is failed.

        Returns:
            Each record's result, by record id.
        """
        results = {record.record_id: RecordResult(record.record_id) for record in records}
        tasks: list[tuple[str, str | None, Callable[[], MessageFate]]] = []
        for record in records:
            result = results[record.record_id]
            try:
                envelope = parse_envelope(record.body, text_keys=self._policy.text_keys)
            except Exception as exc:
                # One unreadable record is that record's poison, never the batch's.
                if not isinstance(exc, PoisonRecordError):
                    logger.exception(
                        "SQS record could not be read", extra={"recordId": record.record_id}
                    )
                    exc = PoisonRecordError(
                        f"the record body could not be read ({type(exc).__name__})"
                    )
                poison = _bind(self._poison_record, record, exc, deadline)
                tasks.append((record.record_id, None, poison))
                continue
            for index, item in enumerate(envelope.items):
                if isinstance(item, SkippedMessage):
                    result.fates.append(
                        MessageFate(Fate.SKIPPED, item.serial or item.message_id, item.reason)
                    )
                elif isinstance(item, PoisonMessage):
                    key = f"{record.record_id}#{index}"
                    task = _bind(self._poison_message, item, record, key, deadline)
                    tasks.append((record.record_id, item.serial or item.message_id, task))
                else:
                    task = _bind(self._moderate, item, deadline)
                    tasks.append((record.record_id, item.key, task))
        if tasks:
            self._run(tasks, results, deadline)
        return results

    def _run(
        self,
        tasks: list[tuple[str, str | None, Callable[[], MessageFate]]],
        results: dict[str, RecordResult],
        deadline: Deadline,
    ) -> None:
        workers = max(1, min(self._policy.max_concurrency, len(tasks)))
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="chatmod-async"
        )
        try:
            # Each task runs in a copy of this context: its log lines name the invocation.
            futures = {
                pool.submit(contextvars.copy_context().run, task): (rid, key)
                for rid, key, task in tasks
            }
            done, _ = concurrent.futures.wait(futures, timeout=deadline.remaining())
            for future, (record_id, key) in futures.items():
                if future not in done:
                    fate = MessageFate(Fate.FAILED, key, "deadline")
                elif future.exception() is not None:
                    fate = _failure(key, future.exception())
                else:
                    fate = future.result()
                results[record_id].fates.append(fate)
        finally:
            # Stragglers finish on their own (each call is bounded by the deadline);
            # nothing waits for them, and queued work is dropped.
            pool.shutdown(wait=False, cancel_futures=True)

    # -- one message ----------------------------------------------------------------------

    def _moderate(self, message: AblyMessage, deadline: Deadline) -> MessageFate:
        needed = self._pipeline.policy.moderation.retry_timeout_ms / 1000 + START_MARGIN_S
        if deadline.remaining() < needed:
            return MessageFate(Fate.FAILED, message.key, "no_time_left")
        submission = message.submission()
        if self._judged is not None and self._judged(message, deadline):
            # Judged by POST /messages: the engine is skipped, the ban check is not.
            submission = dataclasses.replace(submission, judged=True)
        try:
            result = self._pipeline.run(submission, deadline)
        except TextTooLongError as exc:
            # Refused on every other path; here it is out already, so it goes.
            self._remove(message, "reject", exc.code, None, deadline)
            return MessageFate(Fate.REMOVED, message.key, exc.code)
        return self._apply(message, result, deadline)

    def _apply(
        self, message: AblyMessage, result: PipelineResult, deadline: Deadline
    ) -> MessageFate:
        verdict, decision = result.verdict, result.decision
        if verdict is Verdict.ACCEPT:
            return MessageFate(Fate.ACCEPTED, message.key)
        if verdict is Verdict.MASK:
            assert result.text is not None
            self._mask(message, result.text, decision, deadline)
            return MessageFate(Fate.MASKED, message.key)
        if verdict is Verdict.HOLD:
            assert result.review is not None
            self._remove(
                message,
                "hold",
                HELD_REASON,
                decision,
                deadline,
                review_id=result.review.review_id,
            )
            return MessageFate(Fate.HELD, message.key, result.review.review_id)
        if verdict in (Verdict.REJECT, Verdict.BANNED, Verdict.WARNED):
            reason = {
                Verdict.BANNED: "banned",
                Verdict.WARNED: "warning_unacknowledged",
            }.get(verdict) or _reason(decision)
            self._remove(message, verdict.value, reason, decision, deadline)
            if result.store_failed:
                # Removed, but the strike was not recorded: the redelivery records
                # it (the removal is not repeated).
                return MessageFate(Fate.FAILED, message.key, "strike_not_recorded")
            return MessageFate(Fate.REMOVED, message.key, reason)
        # FAILED: no decision, or a pass from a sender whose ban could not be read.
        if result.store_failed:
            # Unlike a caller waiting for an answer, the queue can ask again later.
            return MessageFate(Fate.FAILED, message.key, "ban_store_unavailable")
        if result.failed_action == "publish":
            return MessageFate(Fate.ACCEPTED, message.key, "unmoderated")
        if result.failed_action == "reject":
            self._remove(message, "failed", "moderation_unavailable", decision, deadline)
            return MessageFate(Fate.REMOVED, message.key, "moderation_unavailable")
        return MessageFate(Fate.FAILED, message.key, "moderation_unavailable")

    def _remove(
        self,
        message: AblyMessage,
        verdict: str,
        reason: str,
        decision: Decision | None,
        deadline: Deadline,
        *,
        review_id: str | None = None,
    ) -> None:
        """Remove ``message`` from Ably and audit it, once per message.

        Raises:
            ChatmodError: a failure a retry may mend (the removal is not remembered).
        """
        categories = list(decision.categories) if decision is not None else []
        provider = decision.provider if decision is not None else None

        def remove() -> dict[str, Any]:
            details: dict[str, Any] = {
                "verdict": verdict,
                "categories": categories,
                "provider": provider,
                "source": "async",
            }
            if review_id is not None:
                details["reviewId"] = review_id
            action: AuditAction = "delete"
            try:
                details.update(
                    self._remove_from_ably(
                        message, verdict, reason, categories, provider, deadline, review_id
                    )
                )
            except UpstreamError as exc:
                if getattr(exc, "http_status", None) not in _PERMANENT_STATUSES:
                    raise
                # Ably will never take it (the message is gone, or the request is
                # refused as such): the rejection is recorded, the record let go.
                logger.warning(
                    "rejected message not removed",
                    extra={
                        "key": message.key,
                        "channel": message.channel,
                        "error": exc.code,
                        "ablyStatus": getattr(exc, "http_status", None),
                    },
                )
                action = "reject"
                details.update(removal="failed", error=exc.code, **exc.details)
            self._audit.record(
                AuditEvent(
                    action=action,
                    actor=AUTO_SOURCE,
                    client_id=message.client_id,
                    reason=reason,
                    room=message.room,
                    channel=None if message.kind == "chat" else message.channel,
                    serial=message.serial,
                    message_id=message.message_id,
                    message_ref=message.key,
                    details=details,
                ),
                deadline=deadline,
            )
            return {"action": action}

        self._once(f"remove/{message.channel}/{message.key}", remove)

    def _remove_from_ably(
        self,
        message: AblyMessage,
        verdict: str,
        reason: str,
        categories: list[str],
        provider: str | None,
        deadline: Deadline,
        review_id: str | None = None,
    ) -> dict[str, Any]:
        gateway = self._gateway()
        operation = _operation_metadata(verdict, reason, categories, provider)
        if review_id is not None:
            operation["reviewId"] = review_id
        if message.kind == "chat":
            assert message.room is not None
            assert message.serial is not None
            answer = gateway.delete_chat_message(
                message.room,
                message.serial,
                description=reason,
                metadata=operation,
                idempotency_key=derived_key("delete", message.channel, message.key),
                deadline=deadline.at,
            )
            version = answer.get("version")
            version_serial = version.get("serial") if isinstance(version, dict) else None
            return {"removal": "chat.delete", "versionSerial": version_serial}
        event = gateway.publish_moderation_event(
            message.channel,
            MODERATION_EVENT_NAME,
            {
                "action": "delete",
                "messageId": message.message_id,
                "serial": message.serial,
                "clientId": message.client_id,
                "reason": reason,
                "categories": categories,
                **({"reviewId": review_id} if review_id is not None else {}),
            },
            message_id=derived_key("delete", message.channel, message.key) + ":0",
            deadline=deadline.at,
        )
        return {"removal": "moderation-event", "eventId": event.message_id}

    def _mask(
        self, message: AblyMessage, text: str, decision: Decision | None, deadline: Deadline
    ) -> None:
        """Replace the text (chat) or announce the masked text (pub/sub); Ably applies it once."""
        categories = list(decision.categories) if decision is not None else []
        provider = decision.provider if decision is not None else None
        reason = _reason(decision)
        gateway = self._gateway()
        if message.kind == "chat":
            assert message.room is not None
            assert message.serial is not None
            # The update replaces the whole message: metadata and headers go along.
            gateway.update_chat_message(
                message.room,
                message.serial,
                text,
                metadata=message.metadata,
                headers=message.headers,
                description=reason,
                operation_metadata=_operation_metadata("mask", reason, categories, provider),
                idempotency_key=derived_key("mask", message.channel, message.key),
                deadline=deadline.at,
            )
            return
        gateway.publish_moderation_event(
            message.channel,
            MODERATION_EVENT_NAME,
            {
                "action": "mask",
                "messageId": message.message_id,
                "serial": message.serial,
                "clientId": message.client_id,
                "text": text,
                "categories": categories,
            },
            message_id=derived_key("mask", message.channel, message.key) + ":0",
            deadline=deadline.at,
        )

    # -- what can never be read -------------------------------------------------------------

    def _poison_record(
        self, record: QueuedRecord, error: PoisonRecordError, deadline: Deadline
    ) -> MessageFate:
        logger.error(
            "poison SQS record acknowledged",
            extra={"recordId": record.record_id, "problem": error.message},
        )
        self._audit.record(
            AuditEvent(
                action="reject",
                actor=SYSTEM_ACTOR,
                reason="poison_record",
                details={
                    "sqsMessageId": record.record_id,
                    "problem": error.message,
                    "bodyBytes": len(record.body.encode("utf-8", "replace")),
                    "receiveCount": record.receive_count,
                    "source": "async",
                },
            ),
            deadline=deadline,
        )
        return MessageFate(Fate.POISON, None, error.code)

    def _poison_message(
        self, item: PoisonMessage, record: QueuedRecord, key: str, deadline: Deadline
    ) -> MessageFate:
        logger.error(
            "unreadable Ably message acknowledged",
            extra={"recordId": record.record_id, "channel": item.channel, "problem": item.problem},
        )

        def audit() -> dict[str, Any]:
            self._audit.record(
                AuditEvent(
                    action="reject",
                    actor=SYSTEM_ACTOR,
                    client_id=item.client_id,
                    reason="unreadable_message",
                    channel=item.channel,
                    serial=item.serial,
                    message_id=item.message_id,
                    details={
                        "sqsMessageId": record.record_id,
                        "problem": item.problem,
                        "source": "async",
                    },
                ),
                deadline=deadline,
            )
            return {"action": "reject"}

        self._once(f"poison/{item.channel}/{item.serial or item.message_id or key}", audit)
        return MessageFate(Fate.POISON, item.serial or item.message_id, "unreadable_message")

    def _once(self, key: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return action() if self._guard is None else self._guard.run(key, action)


def derived_key(operation: str, channel: str, key: str) -> str:
    """An Ably idempotency key for ``operation`` on one message: the same on every redelivery."""
    digest = hashlib.sha256(f"chatmod\x1f{operation}\x1f{channel}\x1f{key}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def count_fates(results: Mapping[str, RecordResult]) -> Counter[Fate]:
    """How many messages ended in each fate."""
    return Counter(fate.fate for result in results.values() for fate in result.fates)


def _operation_metadata(
    verdict: str, reason: str, categories: Sequence[str], provider: str | None
) -> dict[str, str]:
    # Chat's OperationMetadata is Record<string, string>.
    metadata = {"moderator": MODERATOR_NAME, "verdict": verdict, "reason": reason}
    if categories:
        metadata["categories"] = ",".join(categories)
    if provider:
        metadata["provider"] = provider
    return metadata


def _reason(decision: Decision | None) -> str:
    return (decision.reason if decision is not None else None) or "rejected"


def _failure(key: str | None, error: BaseException | None) -> MessageFate:
    if isinstance(error, ChatmodError):
        log = (
            logger.warning
            if isinstance(error, (ServiceUnavailableError, UpstreamError))
            else logger.error
        )
        log("message not moderated; the record is retried", extra={"key": key, "error": error.code})
        return MessageFate(Fate.FAILED, key, error.code)
    # A bug: the record is retried and, if it persists, kept in the DLQ.
    logger.error("message failed unexpectedly", extra={"key": key}, exc_info=error)
    return MessageFate(Fate.FAILED, key, type(error).__name__ if error else "unknown")


def _bind(function: Callable[..., MessageFate], *args: Any) -> Callable[[], MessageFate]:
    return lambda: function(*args)
