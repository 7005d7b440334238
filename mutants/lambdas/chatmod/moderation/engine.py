"""The moderation engine: runs the provider chain under the policy and reaches one decision.

The policy mirrors an Ably before-publish rule:

- ``retryTimeoutMs`` is the whole budget, retries included: no provider call
  outlives it;
- ``maxRetries`` retries a provider after a timeout or a 5xx, with backoff;
- ``tooManyRequestsAction`` says whether a 429 is retried (``retry``) or ends the
  attempt (``fail``);
- ``failedAction`` applies when no decision could be reached;
- ``roomFilter`` (a regex searched in the room name): rooms that do not match are
  not moderated;
- ``onMatch``: ``reject``, or ``mask`` — rewrite the text with the blocklist's
  matches masked (other providers give no spans, so their matches still reject).

Providers run in order and the first reject wins; after a mask, later providers
see the masked text.
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


class Outcome(StrEnum):
    """What happens to the message."""

    ACCEPT = "accept"
    REJECT = "reject"
    MASK = "mask"  # accept with rewritten text
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
    """

    provider: Provider
    thresholds: Mapping[str, float]
    default_threshold: float | None = None
    local: bool = False
    wants_context: bool = False

    def flagged(self, result: ProviderResult) -> tuple[str, ...]:
        """The categories whose score reaches its threshold, most severe first."""
        hits = []
        for category, score in result.scores.items():
            threshold = self.thresholds.get(category, self.default_threshold)
            if threshold is not None and score >= threshold:
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
                continue
            spans = _spans_for(result.matches, categories)
            if self.policy.on_match == "mask" and spans and _covers(spans, result, categories):
                current = mask(current, spans)
                masked_by = masked_by or name
                masked_categories += tuple(c for c in categories if c not in masked_categories)
                continue
            return Decision(
                Outcome.REJECT,
                reason=_reason(result, name),
                categories=categories,
                provider=name,
                elapsed_ms=self._ms_since(started),
                details=_details(result),
            )
        if masked_by is not None:
            return Decision(
                Outcome.MASK,
                reason="masked",
                categories=masked_categories,
                provider=masked_by,
                elapsed_ms=self._ms_since(started),
                text=current,
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
            return provider.moderate(text, timeout=remaining)
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
