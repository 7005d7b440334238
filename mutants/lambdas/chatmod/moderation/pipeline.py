"""The one moderation pipeline every path runs: ban check → length → engine → strike → ban → audit.

Before-publish, the async consumer and ``POST /messages`` only translate their
transport into a ``Submission`` and the ``PipelineResult`` back into their
answer. The stores are ports (``SenderStore``), the clock is injected, and
metrics and logs go to an observer, so the sequence is tested without AWS.

Cost per message with a sender (DynamoDB round trips before the answer):

- accepted, masked or banned: 1 (``load_sender``: ban and strikes in one batch);
- rejected: 2 (``load_sender``, then ``commit_strike``: strikes, ban and audit
  in one transaction); a concurrent strike on the same sender adds a re-read
  and a retry;
- rejected without a sender: 1 (the audit event).

Token revocation is not the pipeline's job: a ban written here reaches the
bans table's stream, whose consumer revokes (``handlers.ban_stream``).

Failures: a store that cannot be read is treated like a provider that cannot
be reached — the message is still moderated, and if the engine accepts it the
policy's ``failedAction`` decides (the sender may be banned). A strike that
cannot be written does not change the answer: the message stays rejected and
the loss is logged and counted.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Protocol

from chatmod.core.deadline import Deadline
from chatmod.core.errors import BadRequestError, ChatmodError
from chatmod.core.policy import RuntimePolicy
from chatmod.enforcement.audit import AuditEvent
from chatmod.enforcement.bans import (
    AUTO_SOURCE,
    Ban,
    SenderRecord,
    StaleRecordError,
    StrikeOutcome,
    StrikePlan,
    StrikeRef,
    plan_strike,
)
from chatmod.moderation.base import MessageContext
from chatmod.moderation.engine import Decision, ModerationEngine, Outcome

#: How often a strike is re-planned when concurrent strikes on the same sender
#: keep changing the record (each retry is one more read and one more write).
STRIKE_ATTEMPTS: Final = 3
#: The most the sender lookup may take, so that a slow table leaves the providers
#: their budget (a healthy lookup takes a few milliseconds).
LOAD_BUDGET_S: Final = 1.0


class SenderStore(Protocol):
    """Where bans, strikes and audit events live (``adapters.ban_store.BanStore``)."""

    def load_sender(
        self, client_id: str, *, deadline: Deadline, after_conflict: bool = False
    ) -> SenderRecord: ...

    def commit_strike(
        self,
        plan: StrikePlan,
        events: Sequence[AuditEvent],
        *,
        seen_ban: Ban | None,
        deadline: Deadline,
    ) -> None: ...

    def record_event(self, event: AuditEvent, *, deadline: Deadline) -> None: ...


class Verdict(StrEnum):
    """What happens to the message."""

    ACCEPT = "accept"
    MASK = "mask"  # accept with the text rewritten
    REJECT = "reject"
    BANNED = "banned"  # rejected because the sender is banned
    FAILED = "failed"  # no decision: the transport applies ``failed_action``


@dataclass(frozen=True, slots=True)
class Submission:
    """One message to judge, whatever path it came by.

    Attributes:
        text: what the sender wrote.
        client_id: the sender, when known.
        room / channel: where it goes (chat room name, or pub/sub channel).
        ref: what identifies the message across redeliveries (strike dedupe).
        serial / message_id: Ably's own identifiers, when the message has them.
        metadata / headers / user_claim: passed to providers that want context.
        source: the path (``before-publish``, ``async``, ``publish``) for logs.
        judged: chatmod already judged it (``POST /messages``, proven by a verified
            ``x-chatmod-judged`` header): the engine is skipped, the ban check is not.
    """

    text: str
    client_id: str | None = None
    room: str | None = None
    channel: str | None = None
    ref: StrikeRef | None = None
    serial: str | None = None
    message_id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, Any] = field(default_factory=dict)
    user_claim: str | None = None
    source: str = "unknown"
    judged: bool = False


@dataclass(frozen=True, slots=True)
class PipelineResult:
    """The pipeline's answer.

    Attributes:
        verdict: what happens to the message.
        decision: the engine's decision (``None`` when the sender was banned).
        ban: the sender's ban when ``BANNED``; after a strike, the ban in effect.
        strike: what the strike did, when the message was rejected with a sender
            and the strike was recorded.
        failed_action: the policy's ``failedAction`` when ``FAILED``.
        failure: what went wrong, for logs (never shown to senders).
        store_failed: a store read or write failed along the way.
    """

    verdict: Verdict
    decision: Decision | None = None
    ban: Ban | None = None
    strike: StrikeOutcome | None = None
    failed_action: str | None = None
    failure: str | None = None
    store_failed: bool = False

    @property
    def text(self) -> str | None:
        """The rewritten text when ``MASK``."""
        return self.decision.text if self.decision is not None else None


class TextTooLongError(BadRequestError):
    """The text is longer than ``moderation.maxTextLength``."""

    default_code = "text_too_long"


Observer = Callable[[Submission, PipelineResult], None]


def _ignore(_: Submission, __: PipelineResult) -> None:
    return None


class ModerationPipeline:
    """Runs the sequence for one policy; safe to keep for the life of a container."""

    def __init__(
        self,
        policy: RuntimePolicy,
        engine: ModerationEngine,
        store: SenderStore,
        *,
        observe: Observer = _ignore,
        on_store_error: Callable[[str, ChatmodError], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Args:
        policy: the runtime policy (length limit, ladder).
        engine: the provider chain.
        store: bans, strikes and audit.
        observe: called once per result (metrics, the decision log line).
        on_store_error: called when a store call fails (logging); the pipeline
            carries on as its docstring says.
        clock: epoch seconds.
        """
        self.policy = policy
        self.engine = engine
        self._store = store
        self._observe = observe
        self._on_store_error = on_store_error or (lambda _what, _error: None)
        self._clock = clock

    def run(self, submission: Submission, deadline: Deadline) -> PipelineResult:
        """Judge ``submission`` within ``deadline``.

        Raises:
            TextTooLongError: the text is over the policy's limit.
        """
        result = self._run(submission, deadline)
        self._observe(submission, result)
        return result

    def _run(self, submission: Submission, deadline: Deadline) -> PipelineResult:
        record: SenderRecord | None = None
        store_failed = False
        if submission.client_id:
            try:
                record = self._store.load_sender(
                    submission.client_id, deadline=deadline.within(LOAD_BUDGET_S)
                )
            except ChatmodError as error:
                self._on_store_error("load_sender", error)
                store_failed = True
            else:
                ban = record.active_ban(self._clock())
                if ban is not None:
                    return PipelineResult(Verdict.BANNED, ban=ban)

        if submission.judged:
            # Judged moments ago, ban check included; a ban store that cannot be read
            # now does not undo that judgement.
            return PipelineResult(Verdict.ACCEPT)

        limit = self.policy.moderation.max_text_length
        if len(submission.text) > limit:
            raise TextTooLongError(
                f"the text has {len(submission.text)} characters; the limit is {limit}"
            )

        decision = self.engine.moderate(
            submission.text,
            room=submission.room or submission.channel,
            context=MessageContext(
                room=submission.room or submission.channel or "",
                client_id=submission.client_id or "",
                metadata=dict(submission.metadata),
                headers=dict(submission.headers),
                user_claim=submission.user_claim,
            ),
            deadline=deadline,
        )
        if decision.outcome is Outcome.REJECT:
            return self._reject(submission, decision, record, deadline, store_failed)
        if decision.outcome is Outcome.FAILED or store_failed:
            # No decision, or a pass we cannot trust: the sender's ban is unknown.
            failure = decision.failure or "the ban store could not be read"
            return PipelineResult(
                Verdict.FAILED,
                decision=decision,
                failed_action=self.policy.moderation.failed_action,
                failure=failure,
                store_failed=store_failed,
            )
        verdict = Verdict.MASK if decision.outcome is Outcome.MASK else Verdict.ACCEPT
        return PipelineResult(verdict, decision=decision)

    def _reject(
        self,
        submission: Submission,
        decision: Decision,
        record: SenderRecord | None,
        deadline: Deadline,
        store_failed: bool,
    ) -> PipelineResult:
        reason = decision.reason or "rejected"
        reject_event = self._event(
            "reject", submission, reason, decision, details=self._kept_text(submission.text)
        )
        if record is None or submission.ref is None:
            # No sender to strike (or no way to recognise a redelivery): audit only.
            if not store_failed:
                try:
                    self._store.record_event(reject_event, deadline=deadline)
                except ChatmodError as error:
                    self._on_store_error("record_event", error)
                    store_failed = True
            return PipelineResult(Verdict.REJECT, decision=decision, store_failed=store_failed)

        for attempt in range(STRIKE_ATTEMPTS):
            now_ms = int(self._clock() * 1000)
            plan = plan_strike(
                record,
                submission.ref,
                policy=self.policy.bans,
                now_ms=now_ms,
                reason=reason,
            )
            if plan.outcome.duplicate:
                # Ably retried, or the queue redelivered: judged and counted already.
                return PipelineResult(
                    Verdict.REJECT, decision=decision, ban=plan.outcome.ban, strike=plan.outcome
                )
            events = [reject_event, *self._strike_events(submission, plan, reason, now_ms)]
            try:
                self._store.commit_strike(plan, events, seen_ban=record.ban, deadline=deadline)
            except StaleRecordError as error:
                if attempt + 1 == STRIKE_ATTEMPTS:
                    self._on_store_error("commit_strike", _as_chatmod_error(error))
                    break
                try:
                    record = self._store.load_sender(
                        record.client_id,
                        deadline=deadline.within(LOAD_BUDGET_S),
                        after_conflict=True,
                    )
                except ChatmodError as read_error:
                    self._on_store_error("load_sender", read_error)
                    break
                continue
            except ChatmodError as error:
                self._on_store_error("commit_strike", error)
                break
            return PipelineResult(
                Verdict.REJECT, decision=decision, ban=plan.outcome.ban, strike=plan.outcome
            )
        return PipelineResult(Verdict.REJECT, decision=decision, store_failed=True)

    def _strike_events(
        self, submission: Submission, plan: StrikePlan, reason: str, now_ms: int
    ) -> list[AuditEvent]:
        outcome = plan.outcome
        events = [
            self._event(
                "strike",
                submission,
                reason,
                None,
                details={"count": outcome.count, "step": outcome.step.label},
                at_ms=now_ms,
            )
        ]
        if plan.new_ban is not None:
            ban = plan.new_ban
            events.append(
                self._event(
                    "ban",
                    submission,
                    ban.reason,
                    None,
                    details={
                        "durationSeconds": outcome.step.duration_seconds,
                        "expiresAt": ban.expires_at,
                        "bannedUntil": ban.banned_until_iso,
                    },
                    at_ms=now_ms,
                )
            )
        return events

    def _kept_text(self, text: str) -> dict[str, str]:
        """What the rejection's audit event keeps of ``text`` (``moderation.auditText``).

        ``text`` as is, or its SHA-256 (enough to match a reported message without
        keeping its words), or nothing.
        """
        kept = self.policy.moderation.audit_text
        if kept == "text":
            return {"text": text}
        if kept == "hash":
            return {"textSha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
        return {}

    @staticmethod
    def _event(
        action: Any,
        submission: Submission,
        reason: str,
        decision: Decision | None,
        *,
        details: Mapping[str, Any] | None = None,
        at_ms: int | None = None,
    ) -> AuditEvent:
        extra: dict[str, Any] = dict(details or {})
        if decision is not None:
            extra.update(
                categories=list(decision.categories),
                provider=decision.provider,
                source=submission.source,
            )
        return AuditEvent(
            action=action,
            actor=AUTO_SOURCE,
            client_id=submission.client_id,
            reason=reason,
            room=submission.room,
            channel=submission.channel,
            serial=submission.serial,
            message_id=submission.message_id,
            message_ref=submission.ref.value if submission.ref is not None else None,
            details=extra,
            at_ms=at_ms,
        )


def _as_chatmod_error(error: Exception) -> ChatmodError:
    return ChatmodError(str(error) or type(error).__name__, code="strike_conflict")
