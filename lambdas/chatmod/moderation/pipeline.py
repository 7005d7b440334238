"""The one moderation pipeline every path runs: ban check → length → engine → strike → ban → audit.

Before-publish, the async consumer and ``POST /messages`` only translate their
transport into a ``Submission`` and the ``PipelineResult`` back into their
answer. The stores are ports (``SenderStore``), the clock is injected, and
metrics and logs go to an observer, so the sequence is tested without AWS.

Cost per message with a sender (DynamoDB round trips before the answer):

- accepted or banned: 1 (``load_sender``: ban and strikes in one batch);
- masked: 2 (``load_sender``, then the ``mask`` audit event: what was masked, by
  which provider and term) — an accepted message's path is unchanged;
- rejected: 2 (``load_sender``, then ``commit_strike``: strikes, ban and audit
  in one transaction); a concurrent strike on the same sender adds a re-read
  and a retry;
- rejected without a sender: 1 (the audit event);
- held for review: 2 (``load_sender``, then ``ReviewPort.hold``: the review item and
  its audit event in one transaction); before-publish 3 (a look for the same
  message held in the previous retry window); one more with ``review.strikeOnHold``.
- in a room a ``crossMessage`` entry covers: the same read (the sender's state in the
  room and the room's slow mode join the batch), and one more write after a published
  message (``record_sent``); a slow-mode, flood or repeat refusal is decided before
  any provider is asked. Rooms no entry covers: unchanged.
- with the links provider's ``trustAfterMessages``: the sender's count joins the same
  read, and each of a sender's first N published messages adds one write; none after.

A hold (``onMatch: hold``, or a provider's review band) stores the message in
the review queue (``ReviewPort``) and is not a strike unless the policy's
``review.strikeOnHold`` says so; a moderator's deny may strike later
(``record_strike``). Without a review queue (none deployed) a hold is a reject.

Token revocation is not the pipeline's job: a ban written here reaches the
bans table's stream, whose consumer revokes (``handlers.ban_stream``).

Failures: a store that cannot be read is treated like a provider that cannot
be reached — the message is still moderated, and if the engine accepts it the
policy's ``failedAction`` decides (the sender may be banned). A strike that
cannot be written does not change the answer: the message stays rejected and
the loss is logged and counted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Protocol

from chatmod.core.deadline import Deadline
from chatmod.core.errors import BadRequestError, ChatmodError
from chatmod.core.policy_runtime import CrossMessagePolicy, RuntimePolicy
from chatmod.enforcement.audit import AuditAction, AuditEvent
from chatmod.enforcement.bans import (
    AUTO_SOURCE,
    Ban,
    PendingWarning,
    Sanction,
    SenderRecord,
    StaleRecordError,
    StrikeOutcome,
    StrikePlan,
    StrikeRef,
    plan_strike,
    warning_id_for,
)
from chatmod.enforcement.pace import (
    PacePlan,
    PaceRecord,
    PaceStop,
    RoomSettings,
    digest,
    entry_for,
    judge,
    plan_sent,
    split_prefix,
)
from chatmod.enforcement.reviews import ReviewItem, ReviewState, review_id_for
from chatmod.moderation.base import MessageContext
from chatmod.moderation.engine import (
    LOCAL_PROVIDER_TIMEOUT_S,
    Decision,
    ModerationEngine,
    Outcome,
)

#: How often a strike is re-planned when concurrent strikes on the same sender
#: keep changing the record (each retry is one more read and one more write).
STRIKE_ATTEMPTS: Final = 3
#: The most the sender lookup may take, so that a slow table leaves the providers
#: their budget (a healthy lookup takes a few milliseconds).
LOAD_BUDGET_S: Final = 1.0


class SenderStore(Protocol):
    """Where bans, strikes and audit events live (``adapters.ban_store.BanStore``)."""

    def load_sender(
        self,
        client_id: str,
        *,
        deadline: Deadline,
        after_conflict: bool = False,
        pace_room: str | None = None,
        count_published: bool = False,
    ) -> SenderRecord: ...

    def record_sent(
        self, client_id: str, room: str, plan: PacePlan, *, deadline: Deadline
    ) -> None: ...

    def record_published(self, client_id: str, seen: int, *, deadline: Deadline) -> None: ...

    def commit_strike(
        self,
        plan: StrikePlan,
        events: Sequence[AuditEvent],
        *,
        seen_ban: Ban | None,
        deadline: Deadline,
    ) -> None: ...

    def record_event(self, event: AuditEvent, *, deadline: Deadline) -> None: ...

    def acknowledge_warning(
        self, client_id: str, warning_id: str, event: AuditEvent, *, deadline: Deadline
    ) -> None: ...


class ReviewPort(Protocol):
    """Where held messages wait (``adapters.review_store.ReviewStore``)."""

    def hold(
        self,
        item: ReviewItem,
        events: Sequence[AuditEvent],
        *,
        retention_days: int,
        deadline: Deadline,
    ) -> ReviewItem: ...

    def get(self, review_id: str, *, deadline: Deadline | None = None) -> ReviewItem | None: ...


class Verdict(StrEnum):
    """What happens to the message."""

    ACCEPT = "accept"
    MASK = "mask"  # accept with the text rewritten
    REJECT = "reject"
    HOLD = "hold"  # not published: waits in the review queue for a moderator
    BANNED = "banned"  # rejected because the sender is banned
    WARNED = "warned"  # rejected: the sender has a warning to acknowledge first
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
        name / data: a pub/sub message's name and data, kept with a held message so
            that approval publishes it as it was.
        role: the sender's role (``user`` or ``moderator``) when the path knows it
            (``POST /messages``); rules' ``roles`` count an unknown sender as a user.
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
    name: str | None = None
    data: Any = None
    role: str | None = None


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
        review: the review item when ``HOLD``.
        warning: the pending warning when ``WARNED``; the new one when a ``warn`` rule
            rejected the message (and it was recorded).
    """

    verdict: Verdict
    decision: Decision | None = None
    ban: Ban | None = None
    strike: StrikeOutcome | None = None
    failed_action: str | None = None
    failure: str | None = None
    store_failed: bool = False
    review: ReviewItem | None = None
    warning: PendingWarning | None = None

    @property
    def text(self) -> str | None:
        """The rewritten text when ``MASK``."""
        return self.decision.text if self.decision is not None else None


@dataclass(frozen=True, slots=True)
class _Paced:
    """A message in a room a ``crossMessage`` entry covers: the entry and the state read."""

    entry: CrossMessagePolicy
    where: str
    record: PaceRecord
    room: RoomSettings | None


#: The ``provider`` of a decision the cross-message limits made.
PACE_PROVIDER: Final = "pace"


def _masked_whole(text: str) -> str:
    """Every character but spaces masked (a repeat whose action is ``mask``)."""
    return "".join(c if c.isspace() else "*" for c in text)


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
        reviews: ReviewPort | None = None,
    ) -> None:
        """Args:
        policy: the runtime policy (length limit, ladder, review).
        engine: the provider chain.
        store: bans, strikes and audit.
        reviews: the review queue; ``None``: a hold is a reject.
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
        self._reviews = reviews
        # The links provider's trust bar: a sender's published messages are counted up to it.
        self._trust_after = next(
            (
                getattr(p, "trust_after_messages", None)
                for p in policy.moderation.providers
                if getattr(p, "trust_after_messages", None) is not None
            ),
            None,
        )

    def run(self, submission: Submission, deadline: Deadline) -> PipelineResult:
        """Judge ``submission`` within ``deadline``.

        Raises:
            TextTooLongError: the text is over the policy's limit.
        """
        paced: list[_Paced] = []
        counted: list[int] = []
        result = self._run(submission, deadline, paced, counted)
        if result.verdict in (Verdict.ACCEPT, Verdict.MASK):
            if paced:
                self._record_sent(submission, paced[0], deadline)
            if counted:
                self._record_published(submission, counted[0], deadline)
        self._observe(submission, result)
        return result

    def _run(
        self,
        submission: Submission,
        deadline: Deadline,
        paced: list[_Paced],
        counted: list[int],
    ) -> PipelineResult:
        record: SenderRecord | None = None
        store_failed = False
        where = submission.room or submission.channel
        entry = entry_for(self.policy.moderation, where) if submission.client_id else None
        if submission.client_id:
            try:
                budget = deadline.within(LOAD_BUDGET_S)
                # What the room's cross-message limits and the links provider's trust bar
                # need joins the same batch, only when they are configured.
                extra: dict[str, Any] = {}
                if entry is not None and where is not None:
                    extra["pace_room"] = where
                if self._trust_after is not None:
                    extra["count_published"] = True
                record = self._store.load_sender(submission.client_id, deadline=budget, **extra)
            except ChatmodError as error:
                self._on_store_error("load_sender", error)
                store_failed = True
            else:
                ban = record.active_ban(self._clock())
                if ban is not None:
                    return PipelineResult(Verdict.BANNED, ban=ban)
                if record.warning is not None:
                    # Read with the ban, so it costs nothing: no message until it is
                    # acknowledged (``POST /warnings/{id}/ack``).
                    return PipelineResult(Verdict.WARNED, warning=record.warning)

        if submission.judged:
            # Judged moments ago, ban check included; a ban store that cannot be read
            # now does not undo that judgement.
            return PipelineResult(Verdict.ACCEPT)

        limit = self.policy.moderation.max_text_length
        if len(submission.text) > limit:
            raise TextTooLongError(
                f"the text has {len(submission.text)} characters; the limit is {limit}"
            )

        pace = None
        if entry is not None and where is not None and record is not None:
            pace = _Paced(entry, where, record.pace or PaceRecord(), record.room)
            paced.append(pace)
            now_ms = int(self._clock() * 1000)
            stop = judge(entry, pace.room, pace.record, digest(submission.text), now_ms)
            if stop is not None:
                return self._stopped(submission, stop, record, deadline, store_failed)

        published = record.published if record is not None else None
        if (
            published is not None
            and self._trust_after is not None
            and published < self._trust_after
        ):
            counted.append(published)
        decision = self.engine.moderate(
            submission.text,
            room=submission.room or submission.channel,
            context=MessageContext(
                room=submission.room or submission.channel or "",
                client_id=submission.client_id or "",
                metadata=dict(submission.metadata),
                headers=dict(submission.headers),
                user_claim=submission.user_claim,
                published_messages=published,
            ),
            deadline=deadline,
            role=submission.role or "user",
        )
        if decision.observed:
            self._record_observed(submission, decision, deadline)
        if pace is not None and decision.outcome in (Outcome.ACCEPT, Outcome.MASK):
            split = self._split_word(pace, submission.text)
            if split is not None:
                decision = split
        if decision.outcome is Outcome.HOLD:
            if self._reviews is None or not submission.client_id:
                # Nowhere to wait, or no sender to publish it as on approval: not
                # published, as the strictest reading of a hold.
                decision = dataclasses.replace(
                    decision, outcome=Outcome.REJECT, reason=f"flagged by {decision.provider}"
                )
            else:
                return self._hold(submission, decision, record, deadline, store_failed)
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
        if decision.outcome is Outcome.MASK:
            return self._mask(submission, decision, record, deadline)
        return PipelineResult(Verdict.ACCEPT, decision=decision)

    def _stopped(
        self,
        submission: Submission,
        stop: PaceStop,
        record: SenderRecord,
        deadline: Deadline,
        store_failed: bool,
    ) -> PipelineResult:
        """A message refused for its pace (slow mode, a flood, a repeat) before any provider."""
        details = (
            {"retryAfterSeconds": str(stop.retry_after_seconds)}
            if stop.retry_after_seconds is not None
            else {}
        )
        decision = Decision(
            Outcome.MASK if stop.action == "mask" else Outcome.REJECT,
            reason=stop.reason,
            categories=(stop.reason,),
            provider=PACE_PROVIDER,
            details=details,
            rule=f"crossMessage.{stop.reason}",
            action=stop.action,
            duration_seconds=stop.duration_seconds,
            strike=stop.strike,
            text=_masked_whole(submission.text) if stop.action == "mask" else None,
        )
        if decision.outcome is Outcome.MASK:
            return self._mask(submission, decision, record, deadline)
        return self._reject(submission, decision, record, deadline, store_failed)

    def _split_word(self, pace: _Paced, text: str) -> Decision | None:
        """A listed word that ``text`` completes with the sender's recent messages, if any.

        Only a word spanning the boundary counts: one inside ``text`` alone was judged by
        the chain already, one inside the earlier messages when they were published.
        """
        prefix = split_prefix(pace.entry, pace.record, int(self._clock() * 1000))
        blocklist = next((c for c in self.engine.providers if c.provider.name == "blocklist"), None)
        if not prefix or blocklist is None:
            return None
        result = blocklist.provider.moderate(prefix + text, timeout=LOCAL_PROVIDER_TIMEOUT_S)
        flagged = set(blocklist.flagged(result))
        boundary = len(prefix)
        spanning = [
            m for m in result.matches if m.category in flagged and m.start < boundary < m.end
        ]
        if not spanning:
            return None
        categories = tuple(dict.fromkeys(m.category for m in spanning))
        return Decision(
            Outcome.REJECT,
            reason="split_word",
            categories=categories,
            provider="blocklist",
            terms=tuple(dict.fromkeys(m.term for m in spanning)),
            rule="crossMessage.splitWords",
            action="reject",
        )

    def _record_sent(self, submission: Submission, pace: _Paced, deadline: Deadline) -> None:
        """Remember a published message for the room's cross-message limits (one write)."""
        assert submission.client_id is not None
        plan = plan_sent(
            pace.entry, pace.record, submission.text, int(self._clock() * 1000), room=pace.room
        )
        try:
            self._store.record_sent(submission.client_id, pace.where, plan, deadline=deadline)
        except StaleRecordError:
            # Another message of the sender in this room was recorded meanwhile: this one
            # is not remembered (a limit counts one message fewer, once).
            self._on_store_error(
                "record_sent", ChatmodError("a concurrent message won", code="pace_conflict")
            )
        except ChatmodError as error:
            self._on_store_error("record_sent", error)

    def _record_published(self, submission: Submission, seen: int, deadline: Deadline) -> None:
        """Count a published message towards the links provider's trust bar (one write)."""
        assert submission.client_id is not None
        try:
            self._store.record_published(submission.client_id, seen, deadline=deadline)
        except StaleRecordError:
            return  # counted by a concurrent message: the count moved on
        except ChatmodError as error:
            self._on_store_error("record_published", error)

    def _record_observed(
        self, submission: Submission, decision: Decision, deadline: Deadline
    ) -> None:
        """One audit event saying what observed rules and providers would have done."""
        event = decision_event(
            "observe",
            submission,
            "observed",
            None,
            details={
                "observed": [
                    {
                        "rule": o.rule,
                        "action": o.action,
                        "provider": o.provider,
                        "categories": list(o.categories),
                    }
                    for o in decision.observed
                ],
                "enforced": decision.outcome.value,
                **self._kept_text(submission.text),
            },
        )
        try:
            self._store.record_event(event, deadline=deadline)
        except ChatmodError as error:
            # Observing never changes the answer; the lost event is logged and counted.
            self._on_store_error("record_event", error)

    def _mask(
        self,
        submission: Submission,
        decision: Decision,
        record: SenderRecord | None,
        deadline: Deadline,
    ) -> PipelineResult:
        """A masked message is published; its audit event says what was masked and why."""
        event = decision_event(
            "mask",
            submission,
            decision.reason or "masked",
            decision,
            details=self._kept_text(submission.text),
        )
        if decision.strike and record is not None and submission.ref is not None:
            # A rule that masks and strikes: the mask's event goes with the strike.
            strike = record_strike(
                self._store,
                self.policy,
                record,
                submission,
                decision.reason or "masked",
                [event],
                deadline,
                clock=self._clock,
                on_store_error=self._on_store_error,
            )
            if strike is None:
                return PipelineResult(Verdict.MASK, decision=decision, store_failed=True)
            return PipelineResult(Verdict.MASK, decision=decision, ban=strike.ban, strike=strike)
        try:
            self._store.record_event(event, deadline=deadline)
        except ChatmodError as error:
            # The masked text goes out either way; the lost event is logged and counted.
            self._on_store_error("record_event", error)
        return PipelineResult(Verdict.MASK, decision=decision)

    def _reject(
        self,
        submission: Submission,
        decision: Decision,
        record: SenderRecord | None,
        deadline: Deadline,
        store_failed: bool,
    ) -> PipelineResult:
        reason = decision.reason or "rejected"
        reject_event = decision_event(
            "reject", submission, reason, decision, details=self._kept_text(submission.text)
        )
        # A plain reject strikes unless its rule says not to; a timeout, ban or warning
        # always does (the strikes item is where a warning waits).
        strikes = decision.strike is not False or decision.action in ALWAYS_STRIKE
        if record is None or submission.ref is None or not strikes:
            # No sender to strike (or no way to recognise a redelivery): audit only.
            if not store_failed:
                try:
                    self._store.record_event(reject_event, deadline=deadline)
                except ChatmodError as error:
                    self._on_store_error("record_event", error)
                    store_failed = True
            return PipelineResult(Verdict.REJECT, decision=decision, store_failed=store_failed)

        warning = None
        if decision.action == "warn":
            warning = PendingWarning(
                warning_id=warning_id_for(submission.ref.value),
                reason=reason,
                rule=decision.rule or "",
                at_ms=int(self._clock() * 1000),
                room=submission.room or submission.channel,
            )
        strike = record_strike(
            self._store,
            self.policy,
            record,
            submission,
            reason,
            [reject_event],
            deadline,
            clock=self._clock,
            on_store_error=self._on_store_error,
            sanction=_sanction(decision),
            warning=warning,
        )
        if strike is None:
            return PipelineResult(Verdict.REJECT, decision=decision, store_failed=True)
        return PipelineResult(
            Verdict.REJECT,
            decision=decision,
            ban=strike.ban,
            strike=strike,
            # A duplicate (a retry) wrote nothing: the warning given the first time stands.
            warning=warning,
        )

    def _hold(
        self,
        submission: Submission,
        decision: Decision,
        record: SenderRecord | None,
        deadline: Deadline,
        store_failed: bool,
    ) -> PipelineResult:
        assert self._reviews is not None
        review_policy = self.policy.review
        now_ms = int(self._clock() * 1000)
        item = ReviewItem(
            review_id=_review_id(submission.ref, now_ms),
            state=ReviewState.PENDING,
            client_id=submission.client_id,
            text=submission.text,
            created_ms=now_ms,
            pending_until_ms=now_ms + review_policy.pending_seconds * 1000,
            room=submission.room,
            channel=submission.channel,
            metadata=dict(submission.metadata),
            headers=dict(submission.headers),
            name=submission.name,
            data=submission.data,
            provider=decision.provider,
            categories=decision.categories,
            scores=decision.scores,
            terms=decision.terms,
            source=submission.source,
            serial=submission.serial,
            message_id=submission.message_id,
            message_ref=submission.ref.value if submission.ref else None,
        )
        event = decision_event(
            "hold",
            submission,
            decision.reason or "held_for_review",
            decision,
            details={"reviewId": item.review_id, **self._kept_text(submission.text)},
            at_ms=now_ms,
        )
        try:
            earlier = self._retried(submission.ref, now_ms, deadline)
            if earlier is not None:
                item = earlier
            else:
                item = self._reviews.hold(
                    item, [event], retention_days=review_policy.retention_days, deadline=deadline
                )
        except ChatmodError as error:
            # Not published either way: without a queue entry the message is rejected
            # (no strike: nobody judged it), and the sender may try again.
            self._on_store_error("hold", error)
            return PipelineResult(Verdict.REJECT, decision=decision, store_failed=True)
        strikes = review_policy.strike_on_hold if decision.strike is None else decision.strike
        if strikes and record is not None and submission.ref is not None:
            strike = record_strike(
                self._store,
                self.policy,
                record,
                submission,
                decision.reason or "held_for_review",
                [],
                deadline,
                clock=self._clock,
                on_store_error=self._on_store_error,
            )
            if strike is None:
                return PipelineResult(
                    Verdict.HOLD, decision=decision, review=item, store_failed=True
                )
            return PipelineResult(
                Verdict.HOLD, decision=decision, review=item, ban=strike.ban, strike=strike
            )
        return PipelineResult(
            Verdict.HOLD, decision=decision, review=item, store_failed=store_failed
        )

    def _retried(self, ref: StrikeRef | None, now_ms: int, deadline: Deadline) -> ReviewItem | None:
        """The item of the same message held in the previous window, for a retry across it.

        A digest reference (before-publish) names the same words from the same sender,
        so its review id carries the window it was held in (``_review_id``): a retry in
        the same window finds the item by its id, one just past the window's end finds
        it here, and the same words sent again later are a new message, held anew.
        """
        if ref is None or ref.dedupe_seconds is None or self._reviews is None:
            return None
        window_ms = ref.dedupe_seconds * 1000
        previous = review_id_for(f"{ref.value}@{now_ms // window_ms - 1}")
        item = self._reviews.get(previous, deadline=deadline)
        if item is not None and now_ms - item.created_ms <= window_ms:
            return item
        return None

    def _kept_text(self, text: str) -> dict[str, str]:
        """What a decision's audit event keeps of ``text`` (``moderation.auditText``)."""
        return kept_text(self.policy, text)


def record_strike(
    store: SenderStore,
    policy: RuntimePolicy,
    record: SenderRecord,
    submission: Submission,
    reason: str,
    first_events: Sequence[AuditEvent],
    deadline: Deadline,
    *,
    clock: Callable[[], float] = time.time,
    on_store_error: Callable[[str, ChatmodError], None] = lambda _what, _error: None,
    sanction: Sanction | None = None,
    warning: PendingWarning | None = None,
) -> StrikeOutcome | None:
    """One strike on the sender of ``submission`` along the ladder, with ``first_events``.

    The strike, any ban it brings and the audit events are one transaction, re-planned
    when a concurrent strike changed the record. A redelivery of the same message
    (``submission.ref``) is not a second strike.

    Returns:
        What the strike did, or ``None`` when it could not be recorded (logged
        through ``on_store_error``).
    """
    assert submission.ref is not None
    for attempt in range(STRIKE_ATTEMPTS):
        now_ms = int(clock() * 1000)
        plan = plan_strike(
            record,
            submission.ref,
            policy=policy.bans,
            now_ms=now_ms,
            reason=reason,
            sanction=sanction,
            warning=warning,
        )
        if plan.outcome.duplicate:
            # Ably retried, or the queue redelivered: judged and counted already.
            return plan.outcome
        events = [*first_events, *_strike_events(submission, plan, reason, now_ms)]
        try:
            store.commit_strike(plan, events, seen_ban=record.ban, deadline=deadline)
        except StaleRecordError as error:
            if attempt + 1 == STRIKE_ATTEMPTS:
                on_store_error("commit_strike", _as_chatmod_error(error))
                return None
            try:
                record = store.load_sender(
                    record.client_id,
                    deadline=deadline.within(LOAD_BUDGET_S),
                    after_conflict=True,
                )
            except ChatmodError as read_error:
                on_store_error("load_sender", read_error)
                return None
            continue
        except ChatmodError as error:
            on_store_error("commit_strike", error)
            return None
        return plan.outcome
    return None


def _strike_events(
    submission: Submission, plan: StrikePlan, reason: str, now_ms: int
) -> list[AuditEvent]:
    outcome = plan.outcome
    events = [
        decision_event(
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
            decision_event(
                "ban",
                submission,
                ban.reason,
                None,
                details={
                    "durationSeconds": None
                    if ban.expires_at is None
                    else ban.expires_at - ban.created_at,
                    "expiresAt": ban.expires_at,
                    "bannedUntil": ban.banned_until_iso,
                },
                at_ms=now_ms,
            )
        )
    return events


#: Rule actions that ban the sender for a while (``timeout``) or longer (``ban``).
SANCTIONS: Final = frozenset({"timeout", "ban"})
#: Rule actions that are always a strike (``strike: false`` is refused for them).
ALWAYS_STRIKE: Final = SANCTIONS | {"warn"}


def _sanction(decision: Decision) -> Sanction | None:
    """The ban a ``timeout`` or ``ban`` rule asks for along with its strike."""
    if decision.action not in SANCTIONS or decision.rule is None:
        return None
    return Sanction(rule=decision.rule, duration_seconds=decision.duration_seconds)


def kept_text(policy: RuntimePolicy, text: str) -> dict[str, str]:
    """What a decision's audit event keeps of ``text`` (``moderation.auditText``).

    ``text`` as is, or its SHA-256 (enough to match a reported message without
    keeping its words), or nothing.
    """
    kept = policy.moderation.audit_text
    if kept == "text":
        return {"text": text}
    if kept == "hash":
        return {"textSha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    return {}


def decision_event(
    action: AuditAction,
    submission: Submission,
    reason: str,
    decision: Decision | None,
    *,
    details: Mapping[str, Any] | None = None,
    at_ms: int | None = None,
) -> AuditEvent:
    """The audit event of an automated decision on ``submission``.

    A decision's event says what matched: the provider, the categories, their
    scores and, for the blocklist, the listed terms.
    """
    extra: dict[str, Any] = dict(details or {})
    if decision is not None:
        extra.update(
            categories=list(decision.categories),
            provider=decision.provider,
            source=submission.source,
        )
        if decision.scores:
            extra["scores"] = dict(decision.scores)
        if decision.terms:
            extra["terms"] = list(decision.terms)
        if decision.rule is not None:
            extra["rule"] = decision.rule
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


def _review_id(ref: StrikeRef | None, now_ms: int) -> str:
    """The review id of a held message: one per Ably message (its serial or id), per
    request (``POST /messages``), or per retry window of a before-publish digest."""
    if ref is None:
        return review_id_for(None)
    if ref.dedupe_seconds is None:
        return review_id_for(ref.value)
    return review_id_for(f"{ref.value}@{now_ms // (ref.dedupe_seconds * 1000)}")


def _as_chatmod_error(error: Exception) -> ChatmodError:
    return ChatmodError(str(error) or type(error).__name__, code="strike_conflict")
