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
- ``onMatch``: ``reject``; ``mask`` — rewrite the text with the blocklist's
  matches masked (other providers give no spans, so their matches still reject);
  or ``hold`` — the message waits for a moderator (the review queue);
- a scoring provider's ``reviewThresholds``: a category scoring from its review
  threshold up to (not reaching) its reject threshold holds the message.

Rules (``moderation.rules``, then the defaults ``onMatch`` and the review band
stand for) decide what each flagged category does: the first rule that matches a
category decides for it, and when a message has several, the strongest action
wins (``ban`` > ``timeout`` > ``reject`` > ``warn`` > ``hold`` > ``mask`` >
``accept``). Providers run in order, each once; the chain stops as soon as no
provider left could lead to a stronger action — with the defaults, at the first
reject, as before rules existed; a hold does not stop it, so a later provider's
reject still rejects; after a mask, later providers see the masked text.

An observed rule (``observe``) or provider (``observeProviders``) is computed and
reported (``Decision.observed``) but enforces nothing: the next rule that matches
the category decides instead, and an observed provider's categories decide nothing.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

from chatmod.core.deadline import Deadline
from chatmod.core.policy_checks import REVIEW_BAND_RULE, RULE_ACTIONS
from chatmod.core.policy_runtime import ModerationPolicy, Rule
from chatmod.moderation.base import (
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
_REJECT_RANK = RULE_ACTIONS.index("reject")
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
        rule: the rule whose action decided (``None`` when nothing matched).
        action: that rule's action (``warn``, ``timeout`` and ``ban`` reject the
            message, and the pipeline applies the rest).
        duration_seconds: a ``timeout``'s or ``ban``'s length (``None``: permanent).
        strike: the message also earns a strike (``None``: the action's default).
        rules: every enforced rule that matched a category (accepting ones too).
        observed: what observed rules and providers would have done.
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
    rule: str | None = None
    action: str | None = None
    duration_seconds: int | None = None
    strike: bool | None = None
    rules: tuple[str, ...] = ()
    observed: tuple[Observation, ...] = ()


@dataclass(frozen=True, slots=True)
class Observation:
    """What an observed rule (or a rule, for an observed provider) would have done."""

    rule: str
    action: str
    provider: str
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    """A rule with its position and name, ready to test a flagged category."""

    index: int
    name: str
    rule: Rule
    rank: int
    # The default review-band rule: as before rules, a provider's review band only
    # counts when that provider flagged nothing.
    band_when_clean: bool = False

    def matches(self, hit: _Hit, room: str | None, role: str) -> bool:
        match = self.rule.match
        if self.band_when_clean and hit.provider_flagged:
            return False
        if match.provider is not None and match.provider != hit.provider:
            return False
        if match.categories and hit.category not in match.categories:
            return False
        if match.min_score == "threshold":
            if not hit.flagged:
                return False
        elif match.min_score == "reviewThreshold":
            if not (hit.flagged or hit.in_band):
                return False
        elif hit.score < match.min_score:
            return False
        if match.rooms and (room is None or not any(fnmatchcase(room, g) for g in match.rooms)):
            return False
        return not match.roles or role in match.roles


@dataclass(frozen=True, slots=True)
class _Hit:
    """One scored category of one provider's result."""

    provider: str
    position: int
    category: str
    score: float
    flagged: bool  # reached the provider's threshold
    in_band: bool  # reached the provider's review threshold
    provider_flagged: bool  # the provider flagged some category of the message
    result: ProviderResult


@dataclass(frozen=True, slots=True)
class _Ruling:
    """The enforced rule for one hit."""

    hit: _Hit
    rule: _CompiledRule
    action: str  # the rule's, or ``reject`` for a mask with nothing to mask

    @property
    def key(self) -> tuple[int, float, int, int]:
        """Strongest action first, then the longer sanction, the earlier rule, provider."""
        rank = RULE_ACTIONS.index(self.action)
        duration = self.rule.rule.duration_seconds
        length = 0.0 if self.action not in ("timeout", "ban") else duration or math.inf
        return (rank, length, -self.rule.index, -self.hit.position)


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

    def hits(self, result: ProviderResult, position: int) -> list[_Hit]:
        """Every scored category, most severe first, with where it stands."""
        hits = []
        flagged = bool(self.flagged(result))
        for category, score in result.scores.items():
            threshold = self.thresholds.get(category, self.default_threshold)
            review = self.review_thresholds.get(category)
            hits.append(
                _Hit(
                    provider=self.provider.name,
                    position=position,
                    category=category,
                    score=float(score),
                    flagged=threshold is not None and score >= threshold,
                    in_band=review is not None and score >= review,
                    provider_flagged=flagged,
                    result=result,
                )
            )
        return sorted(hits, key=lambda h: (-h.score, h.category))


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
        self._rules = tuple(
            _CompiledRule(
                index=index,
                name=rule.name or f"rules[{index}]",
                rule=rule,
                rank=RULE_ACTIONS.index(rule.action),
                band_when_clean=index >= len(policy.rules) and rule.name == REVIEW_BAND_RULE,
            )
            for index, rule in enumerate(policy.all_rules)
        )
        self._observed_providers = frozenset(policy.observe_providers)
        # The strongest action each provider's categories could still lead to: the
        # chain stops once nothing after the current provider could beat the ruling.
        self._reach = tuple(self._strongest_after(i) for i in range(len(self.providers)))
        # Whether an observed provider comes later: it is asked unless the message is
        # rejected already (observing is for what would change).
        self._watching_after = tuple(
            any(c.provider.name in self._observed_providers for c in self.providers[position + 1 :])
            for position in range(len(self.providers))
        )

    def _strongest_after(self, position: int) -> int:
        later = {
            configured.provider.name
            for configured in self.providers[position + 1 :]
            if configured.provider.name not in self._observed_providers
        }
        # A mask with nothing to mask rejects: a masking rule may lead to a reject.
        reject = RULE_ACTIONS.index("reject")
        ranks = [
            max(rule.rank, reject) if rule.rule.action == "mask" else rule.rank
            for rule in self._rules
            if not rule.rule.observe
            and (rule.rule.match.provider in later or (rule.rule.match.provider is None and later))
        ]
        return max(ranks, default=-1)

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
        role: str = "user",
    ) -> Decision:
        """Decide on one message.

        Args:
            text: the message text.
            room: the room (or channel) name, for the room filter and rules' ``rooms``.
            context: the message context for providers that want it (``MessageContext``).
            deadline: the request's own deadline; the engine's budget
                (``retryTimeoutMs``) never runs past it.
            role: the sender's role (``user`` or ``moderator``), for rules' ``roles``.

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
        rulings: list[_Ruling] = []
        observed: list[tuple[_CompiledRule, _Hit]] = []
        for position, configured in enumerate(self.providers):
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
            watched_only = name in self._observed_providers
            mine: list[_Ruling] = []
            for hit in configured.hits(result, position):
                for rule in self._rules:
                    if not rule.matches(hit, room, role):
                        continue
                    if rule.rule.observe or watched_only:
                        observed.append((rule, hit))
                        if watched_only:
                            break
                        continue
                    mine.append(_Ruling(hit, rule, rule.rule.action))
                    break
            mine = _unmaskable_rejects(mine, result)
            spans = tuple(
                m
                for m in result.matches
                if any(r.action == "mask" and r.hit.category == m.category for r in mine)
            )
            if spans:
                current = mask(current, spans)
            rulings += mine
            strongest = max((r.key for r in rulings), default=None)
            if strongest is not None and self._settled(strongest, position):
                break
        return self._decide(text, current, rulings, observed, started)

    def _settled(self, strongest: tuple[int, float, int, int], position: int) -> bool:
        """No provider after ``position`` could lead to a stronger action than ``strongest``."""
        rank, reach = strongest[0], self._reach[position]
        if rank < _REJECT_RANK and self._watching_after[position]:
            return False
        if rank > reach:
            return True
        # Equal strength: masks still add up, and a later sanction may be longer.
        return rank == reach and RULE_ACTIONS[rank] not in ("accept", "mask", "timeout", "ban")

    def _decide(
        self,
        text: str,
        current: str,
        rulings: list[_Ruling],
        observed: list[tuple[_CompiledRule, _Hit]],
        started: float,
    ) -> Decision:
        matched = tuple(dict.fromkeys(r.rule.name for r in rulings))
        watched = _observations(observed)
        enforcing = [r for r in rulings if r.action != "accept"]
        if not enforcing:
            return Decision(
                Outcome.ACCEPT,
                elapsed_ms=self._ms_since(started),
                rules=matched,
                observed=watched,
            )
        winner = max(enforcing, key=lambda r: r.key)
        action = winner.action
        rule = winner.rule
        if action == "mask":
            masking = [r for r in enforcing if r.action == "mask"]
            categories = tuple(dict.fromkeys(r.hit.category for r in masking))
            # The masked words in the order each provider reported them.
            results = {r.hit.position: r.hit.result for r in masking}
            masked = {(r.hit.position, r.hit.category) for r in masking}
            terms = tuple(
                dict.fromkeys(
                    m.term
                    for position in sorted(results)
                    for m in results[position].matches
                    if (position, m.category) in masked
                )
            )
            return Decision(
                Outcome.MASK,
                reason="masked",
                categories=categories,
                provider=masking[0].hit.provider,
                elapsed_ms=self._ms_since(started),
                text=current,
                terms=terms,
                rule=masking[0].rule.name,
                action="mask",
                strike=rule.rule.strike,
                rules=matched,
                observed=watched,
            )
        # The deciding provider's categories that the same rule ruled, most severe first.
        same = [
            r
            for r in enforcing
            if r.hit.position == winner.hit.position and r.rule is rule and r.action == action
        ]
        categories = tuple(r.hit.category for r in same)
        result = winner.hit.result
        held = action == "hold"
        return Decision(
            Outcome.HOLD if held else Outcome.REJECT,
            reason=HELD_REASON if held else _reason(result, winner.hit.provider),
            categories=categories,
            provider=winner.hit.provider,
            elapsed_ms=self._ms_since(started),
            details=_details(result),
            scores=_scores(result, categories),
            terms=_terms(result, categories),
            rule=rule.name,
            action=action,
            duration_seconds=rule.rule.duration_seconds,
            strike=rule.rule.strike,
            rules=matched,
            observed=watched,
        )

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


def _unmaskable_rejects(rulings: list[_Ruling], result: ProviderResult) -> list[_Ruling]:
    """Masking is only honest if every masked category has a span: else all reject.

    A provider without spans (every one but the blocklist) cannot mask, so its
    categories that a rule would mask reject the message instead.
    """
    masking = [r for r in rulings if r.action == "mask"]
    if not masking:
        return rulings
    spanned = {m.category for m in result.matches}
    if all(r.hit.category in spanned for r in masking):
        return rulings
    return [_Ruling(r.hit, r.rule, "reject") if r.action == "mask" else r for r in rulings]


def _observations(observed: list[tuple[_CompiledRule, _Hit]]) -> tuple[Observation, ...]:
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for rule, hit in observed:
        grouped.setdefault((rule.name, rule.rule.action, hit.provider), []).append(hit.category)
    return tuple(
        Observation(rule=name, action=action, provider=provider, categories=tuple(categories))
        for (name, action, provider), categories in grouped.items()
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
