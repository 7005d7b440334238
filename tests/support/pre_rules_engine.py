"""The engine as it was before rules (commit 0440bb7), kept as the oracle of a differential test.

``tests/unit/moderation/test_rules_default.py`` runs random provider answers through this
and through ``chatmod.moderation.engine`` with no rules of one's own: the default rules
(``onMatch`` and the review band) must decide exactly as this did. Not imported by
chatmod; do not change it — it is the behaviour the rules promised to keep.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chatmod.core.deadline import Deadline
from chatmod.core.policy import ModerationPolicy
from chatmod.moderation.base import (
    Match,
    Provider,
    ProviderError,
    ProviderRateLimitedError,
    ProviderResponseError,
    ProviderResult,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from chatmod.moderation.blocklist import mask

# The blocklist runs in process: it gets this much time even when the network
# budget is spent, so a zero retryTimeoutMs still screens with the local list.
LOCAL_PROVIDER_TIMEOUT_S = 0.05
BACKOFF_BASE_S = 0.025
BACKOFF_MAX_S = 0.5
#: The reason of a held message (the before-publish rejection's ``reason``).
HELD_REASON = "held_for_review"


class Outcome(StrEnum):
    """What happens to the message."""

    ACCEPT = "accept"
    REJECT = "reject"
    MASK = "mask"  # accept with rewritten text
    HOLD = "hold"  # neither published nor rejected: a moderator decides
    FAILED = "failed"  # no decision: the caller applies ``failedAction``


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer for one message.

    Attributes:
        outcome: accept, reject, mask, or failed (no decision reached).
        reason: why (``blocklist``/provider rejection reason, ``moderation_unavailable``…).
        categories: the categories that crossed their thresholds.
        provider: the provider that decided (or failed), if any.
        elapsed_ms: time the engine took.
        text: the rewritten text when ``outcome`` is ``mask``.
        failure: what went wrong when ``outcome`` is ``failed`` (for logs, not users).
        moderated: False when the room filter let the message through unmoderated.
        failed_action: the policy's ``failedAction`` when ``outcome`` is ``failed``.
        details: string detail the provider (the user's own model) asked to pass on.
        scores: the deciding provider's scores for the flagged categories (reject, hold).
        terms: the listed blocklist terms that matched (reject, mask, hold).
    """

    outcome: Outcome
    reason: str | None = None
    categories: tuple[str, ...] = ()
    provider: str | None = None
    elapsed_ms: float = 0.0
    text: str | None = None
    failure: str | None = None
    moderated: bool = True
    failed_action: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    scores: Mapping[str, float] = field(default_factory=dict)
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfiguredProvider:
    """A provider with the thresholds that turn its scores into flagged categories.

    Attributes:
        provider: the provider.
        thresholds: ``{category: minimum score}`` on the provider's scale.
        default_threshold: applies to categories missing from ``thresholds``
            (blocklist: every category flags from severity 1; network providers:
            ``None``, only the configured categories count).
        local: runs in process (no network), so it is not bound by the budget.
        wants_context: pass the message context (room, sender, metadata) along, as
            the user's own model speaks the whole before-publish contract.
        review_thresholds: ``{category: minimum score}`` from which a category that
            does not reach its reject threshold holds the message for review.
    """

    provider: Provider
    thresholds: Mapping[str, float]
    default_threshold: float | None = None
    local: bool = False
    wants_context: bool = False
    review_thresholds: Mapping[str, float] = field(default_factory=dict)

    def flagged(self, result: ProviderResult) -> tuple[str, ...]:
        """The categories whose score reaches its threshold, most severe first."""
        hits = []
        for category, score in result.scores.items():
            threshold = self.thresholds.get(category, self.default_threshold)
            if threshold is not None and score >= threshold:
                hits.append((score, category))
        return tuple(category for _, category in sorted(hits, key=lambda h: (-h[0], h[1])))

    def for_review(self, result: ProviderResult) -> tuple[str, ...]:
        """The categories in the review band: at least the review threshold, below reject."""
        hits = []
        for category, score in result.scores.items():
            review = self.review_thresholds.get(category)
            if review is None or score < review:
                continue
            reject = self.thresholds.get(category, self.default_threshold)
            if reject is None or score < reject:
                hits.append((score, category))
        return tuple(category for _, category in sorted(hits, key=lambda h: (-h[0], h[1])))


class ModerationEngine:
    """Applies a ``ModerationPolicy`` with a chain of providers.

    Stateless between calls and safe to keep for the life of a Lambda container.
    """

    def __init__(
        self,
        policy: ModerationPolicy,
        providers: Sequence[ConfiguredProvider],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Args:
        policy: the moderation policy.
        providers: the chain, in order.
        clock: monotonic seconds (injectable for tests).
        sleep: waits between retries (injectable for tests).
        """
        if not providers:
            raise ValueError("the engine needs at least one provider")
        self.policy = policy
        self.providers = tuple(providers)
        self._room_filter = re.compile(policy.room_filter) if policy.room_filter else None
        self._clock = clock
        self._sleep = sleep

    def applies_to(self, room: str | None) -> bool:
        """Whether messages in ``room`` are moderated (the room filter)."""
        if self._room_filter is None or room is None:
            return True
        return self._room_filter.search(room) is not None

    def moderate(
        self,
        text: str,
        *,
        room: str | None = None,
        context: Any = None,
        deadline: Deadline | None = None,
    ) -> Decision:
        """Decide on one message.

        Args:
            text: the message text.
            room: the room (or channel) name, for the room filter.
            context: the message context for providers that want it (``MessageContext``).
            deadline: the request's own deadline; the engine's budget
                (``retryTimeoutMs``) never runs past it.

        Returns:
            The decision. Never raises for provider failures: they become
            ``Outcome.FAILED`` with ``failed_action`` set.
        """
        started = self._clock()
        if not self.applies_to(room):
            return Decision(Outcome.ACCEPT, reason="room_not_moderated", moderated=False)
        budget = self.policy.retry_timeout_ms / 1000
        if deadline is not None:
            budget = min(budget, deadline.remaining())
        until = started + budget
        current = text
        masked_by: str | None = None
        masked_categories: tuple[str, ...] = ()
        masked_terms: tuple[str, ...] = ()
        held: Decision | None = None
        for configured in self.providers:
            name = configured.provider.name
            try:
                result = self._attempt(configured, current, until, context)
            except ProviderError as exc:
                return Decision(
                    Outcome.FAILED,
                    reason="moderation_unavailable",
                    provider=name,
                    elapsed_ms=self._ms_since(started),
                    failure=str(exc),
                    failed_action=self.policy.failed_action,
                )
            categories = configured.flagged(result)
            if not categories:
                review = configured.for_review(result)
                if review and held is None:
                    held = _hold(result, name, review)
                continue
            spans = _spans_for(result.matches, categories)
            if self.policy.on_match == "mask" and spans and _covers(spans, result, categories):
                current = mask(current, spans)
                masked_by = masked_by or name
                masked_categories += tuple(c for c in categories if c not in masked_categories)
                masked_terms += tuple(m.term for m in spans if m.term not in masked_terms)
                continue
            if self.policy.on_match == "hold":
                # A later provider may still reject: the first reject wins over a hold.
                if held is None:
                    held = _hold(result, name, categories)
                continue
            return Decision(
                Outcome.REJECT,
                reason=_reason(result, name),
                categories=categories,
                provider=name,
                elapsed_ms=self._ms_since(started),
                details=_details(result),
                scores=_scores(result, categories),
                terms=_terms(result, categories),
            )
        if held is not None:
            # Held on the original text: a moderator judges what the sender wrote.
            return Decision(
                Outcome.HOLD,
                reason=held.reason,
                categories=held.categories,
                provider=held.provider,
                elapsed_ms=self._ms_since(started),
                details=held.details,
                scores=held.scores,
                terms=held.terms,
            )
        if masked_by is not None:
            return Decision(
                Outcome.MASK,
                reason="masked",
                categories=masked_categories,
                provider=masked_by,
                elapsed_ms=self._ms_since(started),
                text=current,
                terms=masked_terms,
            )
        return Decision(Outcome.ACCEPT, elapsed_ms=self._ms_since(started))

    def _attempt(
        self, configured: ConfiguredProvider, text: str, deadline: float, context: Any
    ) -> ProviderResult:
        """One provider, retried per policy, never past ``deadline``."""
        provider = configured.provider
        extra = {"context": context} if configured.wants_context and context is not None else {}
        if configured.local:
            remaining = max(deadline - self._clock(), LOCAL_PROVIDER_TIMEOUT_S)
            return provider.moderate(text, timeout=remaining, **extra)
        retries = 0
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise ProviderTimeoutError(provider.name, "the moderation budget is spent")
            try:
                return provider.moderate(text, timeout=remaining, **extra)
            except ProviderResponseError:
                raise  # the provider answered in a way retrying will not change
            except ProviderRateLimitedError as exc:
                if self.policy.too_many_requests_action == "fail":
                    raise
                wait = _retry_after(exc)
                error: ProviderError = exc
            except (ProviderTimeoutError, ProviderUnavailableError) as exc:
                wait = None
                error = exc
            if retries >= self.policy.max_retries:
                raise error
            backoff = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2**retries)
            delay = max(backoff, wait) if wait is not None else backoff
            if self._clock() + delay >= deadline:
                raise error  # a retry could not finish inside the budget
            self._sleep(delay)
            retries += 1

    def _ms_since(self, started: float) -> float:
        return round((self._clock() - started) * 1000, 3)


def _hold(result: ProviderResult, provider: str, categories: tuple[str, ...]) -> Decision:
    return Decision(
        Outcome.HOLD,
        reason=HELD_REASON,
        categories=categories,
        provider=provider,
        details=_details(result),
        scores=_scores(result, categories),
        terms=_terms(result, categories),
    )


def _scores(result: ProviderResult, categories: tuple[str, ...]) -> dict[str, float]:
    return {c: float(result.scores[c]) for c in categories if c in result.scores}


def _terms(result: ProviderResult, categories: tuple[str, ...]) -> tuple[str, ...]:
    terms: list[str] = []
    for match in result.matches:
        if match.category in categories and match.term not in terms:
            terms.append(match.term)
    return tuple(terms)


def _retry_after(error: ProviderRateLimitedError) -> float | None:
    value = getattr(error, "retry_after", None)
    return float(value) if isinstance(value, int | float) else None


def _spans_for(matches: Sequence[Match], categories: tuple[str, ...]) -> tuple[Match, ...]:
    return tuple(m for m in matches if m.category in categories)


def _covers(spans: tuple[Match, ...], result: ProviderResult, categories: tuple[str, ...]) -> bool:
    """Masking is only honest if every flagged category has a span to mask."""
    spanned = {m.category for m in spans}
    return all(category in spanned for category in categories) and bool(result.matches)


def _reason(result: ProviderResult, provider: str) -> str:
    detail = result.raw.get("rejectionDetail") if result.raw else None
    if isinstance(detail, Mapping):
        reason = detail.get("reason")
        if isinstance(reason, str) and reason:
            return reason
    return f"flagged by {provider}"


def _details(result: ProviderResult) -> dict[str, str]:
    """String-valued extra detail a provider (the user's own model) asked to pass on."""
    detail: Any = result.raw.get("rejectionDetail") if result.raw else None
    if not isinstance(detail, Mapping):
        return {}
    return {str(k): str(v) for k, v in detail.items() if isinstance(v, str | int | float)}
