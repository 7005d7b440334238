"""The engine applies the policy: chain order, thresholds, masking, budget, retries, failed action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from chatmod.core.policy import ModerationPolicy
from chatmod.moderation.base import (
    ProviderRateLimitedError,
    ProviderResponseError,
    ProviderResult,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine, Outcome
from chatmod.moderation.providers._http import RateLimitedError


class FakeClock:
    """Monotonic time that only moves when told: sleeps and provider work advance it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


Step = Callable[[str, float], ProviderResult]


@dataclass
class ScriptedProvider:
    """Answers from a script: each call pops the next step (a result or an exception)."""

    name: str
    clock: FakeClock
    steps: list[object]
    cost_s: float = 0.01
    calls: list[tuple[str, float]] = field(default_factory=list)

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        self.calls.append((text, timeout))
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            self.clock.now += min(self.cost_s, timeout)
            raise step
        self.clock.now += self.cost_s
        assert isinstance(step, dict)
        return ProviderResult(provider=self.name, scores=step)


def engine_with(
    *providers: ConfiguredProvider, clock: FakeClock, **policy: object
) -> ModerationEngine:
    return ModerationEngine(
        ModerationPolicy(**policy), list(providers), clock=clock, sleep=clock.sleep
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def hive(
    clock: FakeClock, *steps: object, thresholds: dict[str, float] | None = None
) -> tuple[ScriptedProvider, ConfiguredProvider]:
    provider = ScriptedProvider("hive", clock, list(steps))
    return provider, ConfiguredProvider(provider, thresholds or {"hate": 2, "sexual": 3})


# --- decisions and thresholds ----------------------------------------------------------


def test_given_scores_below_thresholds_when_moderated_then_accepted(clock):
    _, configured = hive(clock, {"hate": 1, "sexual": 2, "spam": 3})

    decision = engine_with(configured, clock=clock).moderate("hello")

    assert decision.outcome is Outcome.ACCEPT
    assert decision.categories == ()


def test_given_a_score_at_its_threshold_when_moderated_then_rejected_with_category(clock):
    _, configured = hive(clock, {"hate": 2, "sexual": 3, "spam": 3})

    decision = engine_with(configured, clock=clock).moderate("text")

    assert decision.outcome is Outcome.REJECT
    assert decision.categories == ("sexual", "hate")  # most severe first
    assert decision.provider == "hive"
    assert decision.reason == "flagged by hive"
    assert decision.elapsed_ms == pytest.approx(10.0)


def test_given_a_chain_when_the_first_rejects_then_later_providers_are_not_asked(clock):
    first, one = hive(clock, {"hate": 3})
    second = ScriptedProvider("openai", clock, [{"harassment": 0.99}])

    decision = engine_with(
        one, ConfiguredProvider(second, {"harassment": 0.5}), clock=clock
    ).moderate("x")

    assert decision.provider == "hive"
    assert len(first.calls) == 1
    assert second.calls == []


def test_given_a_chain_when_the_first_accepts_then_the_second_decides(clock):
    _, one = hive(clock, {})
    second = ScriptedProvider("openai", clock, [{"harassment": 0.9}])

    decision = engine_with(
        one, ConfiguredProvider(second, {"harassment": 0.5}), clock=clock
    ).moderate("x")

    assert decision.outcome is Outcome.REJECT
    assert decision.provider == "openai"


def test_given_the_users_model_rejects_then_its_reason_and_detail_pass_through(clock):
    class Model:
        name = "http"

        def moderate(self, text: str, *, timeout: float) -> ProviderResult:
            return ProviderResult(
                "http",
                {"rejected": 1.0, "spam": 1.0},
                raw={
                    "rejectionDetail": {"reason": "spam link", "category": "spam", "ticket": "T-1"}
                },
            )

    decision = engine_with(ConfiguredProvider(Model(), {"rejected": 1}), clock=clock).moderate("x")

    assert decision.reason == "spam link"
    assert decision.details == {"reason": "spam link", "category": "spam", "ticket": "T-1"}


# --- masking ---------------------------------------------------------------------------


def test_given_on_match_mask_when_blocklist_matches_then_only_the_words_are_masked(clock):
    blocklist = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)

    decision = engine_with(blocklist, clock=clock, on_match="mask").moderate("well sh1t happens")

    assert decision.outcome is Outcome.MASK
    assert decision.text == "well **** happens"
    assert decision.categories == ("profanity",)


def test_given_mask_then_later_providers_see_the_masked_text(clock):
    blocklist = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)
    later, configured = hive(clock, {})

    decision = engine_with(blocklist, configured, clock=clock, on_match="mask").moderate(
        "fuck this"
    )

    assert decision.outcome is Outcome.MASK
    assert later.calls[0][0] == "**** this"


def test_given_on_match_mask_when_a_provider_without_spans_flags_then_rejected(clock):
    _, configured = hive(clock, {"hate": 3})

    decision = engine_with(configured, clock=clock, on_match="mask").moderate("x")

    assert decision.outcome is Outcome.REJECT


def test_given_blocklist_threshold_raised_for_a_category_then_milder_matches_pass(clock):
    blocklist = ConfiguredProvider(
        BlocklistProvider.default(), {"profanity": 3}, default_threshold=1, local=True
    )

    assert engine_with(blocklist, clock=clock).moderate("damn it").outcome is Outcome.ACCEPT


# --- room filter -----------------------------------------------------------------------


def test_given_a_room_filter_when_the_room_does_not_match_then_not_moderated(clock):
    provider, configured = hive(clock, {"hate": 3})

    decision = engine_with(configured, clock=clock, room_filter="^public-").moderate(
        "x", room="staff"
    )

    assert decision.outcome is Outcome.ACCEPT
    assert decision.moderated is False
    assert provider.calls == []


def test_given_a_room_filter_when_the_room_matches_then_moderated(clock):
    _, configured = hive(clock, {"hate": 3})

    decision = engine_with(configured, clock=clock, room_filter="^public-").moderate(
        "x", room="public-1"
    )

    assert decision.outcome is Outcome.REJECT


# --- budget, retries and failure -------------------------------------------------------


def test_given_a_timeout_then_success_when_retries_allow_then_decided(clock):
    provider, configured = hive(clock, ProviderTimeoutError("hive", "slow"), {"hate": 3})

    decision = engine_with(configured, clock=clock, max_retries=1).moderate("x")

    assert decision.outcome is Outcome.REJECT
    assert len(provider.calls) == 2
    assert clock.sleeps == [0.025]


def test_given_5xx_beyond_max_retries_then_failed_with_the_policys_action(clock):
    provider, configured = hive(clock, ProviderUnavailableError("hive", "HTTP 503"))

    decision = engine_with(
        configured, clock=clock, max_retries=2, failed_action="publish"
    ).moderate("x")

    assert decision.outcome is Outcome.FAILED
    assert decision.failed_action == "publish"
    assert decision.reason == "moderation_unavailable"
    assert "503" in (decision.failure or "")
    assert len(provider.calls) == 3


def test_given_429_and_too_many_requests_fail_then_no_retry(clock):
    provider, configured = hive(clock, RateLimitedError("hive", "HTTP 429", retry_after=0.01))

    decision = engine_with(
        configured, clock=clock, max_retries=3, too_many_requests_action="fail"
    ).moderate("x")

    assert decision.outcome is Outcome.FAILED
    assert len(provider.calls) == 1


def test_given_429_and_too_many_requests_retry_then_retried_after_retry_after(clock):
    _, configured = hive(clock, RateLimitedError("hive", "HTTP 429", retry_after=0.2), {})

    decision = engine_with(
        configured, clock=clock, max_retries=1, too_many_requests_action="retry"
    ).moderate("x")

    assert decision.outcome is Outcome.ACCEPT
    assert clock.sleeps == [0.2]


def test_given_retry_after_beyond_the_budget_then_fail_at_once(clock):
    provider, configured = hive(clock, RateLimitedError("hive", "HTTP 429", retry_after=5))

    decision = engine_with(
        configured,
        clock=clock,
        retry_timeout_ms=1000,
        max_retries=3,
        too_many_requests_action="retry",
    ).moderate("x")

    assert decision.outcome is Outcome.FAILED
    assert clock.sleeps == []
    assert len(provider.calls) == 1


def test_given_a_bad_answer_then_not_retried(clock):
    provider, configured = hive(clock, ProviderResponseError("hive", "HTTP 401"))

    decision = engine_with(configured, clock=clock, max_retries=3).moderate("x")

    assert decision.outcome is Outcome.FAILED
    assert len(provider.calls) == 1


def test_no_provider_call_outlives_the_whole_budget(clock):
    provider, configured = hive(clock, ProviderTimeoutError("hive", "slow"))
    provider.cost_s = 0.4  # each attempt uses its time, then times out

    decision = engine_with(configured, clock=clock, retry_timeout_ms=1000, max_retries=10).moderate(
        "x"
    )

    started = 1000.0
    assert decision.outcome is Outcome.FAILED
    for _, timeout in provider.calls:
        assert timeout > 0
    # Each call's timeout ends at or before the budget's end.
    elapsed = 0.0
    for (_, timeout), sleep in zip(provider.calls, [0.0, *clock.sleeps], strict=False):
        elapsed += sleep
        assert started + elapsed + timeout <= started + 1.0 + 1e-9
        elapsed += min(0.4, timeout)
    assert clock.now - started <= 1.0 + 1e-9


def test_given_a_zero_budget_then_the_local_blocklist_still_screens(clock):
    blocklist = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)
    network, configured = hive(clock, {})

    decision = engine_with(blocklist, configured, clock=clock, retry_timeout_ms=0).moderate("hello")

    assert decision.outcome is Outcome.FAILED  # the network provider had no time
    assert network.calls == []
    assert (
        engine_with(blocklist, clock=clock, retry_timeout_ms=0).moderate("fuck").outcome
        is Outcome.REJECT
    )


def test_an_engine_needs_a_provider():
    with pytest.raises(ValueError, match="at least one provider"):
        ModerationEngine(ModerationPolicy(), [])


# --- edges (issue 18: mutation survivors) -------------------------------------------------


def test_given_no_provider_when_built_then_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"^the engine needs at least one provider$"):
        ModerationEngine(ModerationPolicy(), [])


def test_given_retries_when_they_back_off_then_each_wait_doubles_from_25_ms_up_to_half_a_second(
    clock,
):
    failure = ProviderTimeoutError("hive", "slow")
    provider, configured = hive(clock, *([failure] * 6), {"hate": 3})
    provider.cost_s = 0.0

    decision = engine_with(configured, clock=clock, max_retries=6, retry_timeout_ms=5000).moderate(
        "x"
    )

    assert decision.outcome is Outcome.REJECT
    assert clock.sleeps == [0.025, 0.05, 0.1, 0.2, 0.4, 0.5]


def test_given_a_429_that_says_no_retry_after_when_retrying_then_the_usual_backoff(clock):
    # A provider's own rate-limit error need not carry a Retry-After.
    provider, configured = hive(clock, ProviderRateLimitedError("hive", "429"), {"hate": 3})

    decision = engine_with(
        configured, clock=clock, max_retries=1, too_many_requests_action="retry"
    ).moderate("x")

    assert decision.outcome is Outcome.REJECT
    assert len(provider.calls) == 2
    assert clock.sleeps == [0.025]
