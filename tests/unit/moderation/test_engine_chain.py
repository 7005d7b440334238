"""Which providers the engine asks, and when it may stop: the chain's early exit.

Each test names the provider that must (or must not) be asked and the decision that shows
it; the providers are scripted fakes that record what they were asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chatmod.core.policy import ModerationPolicy
from chatmod.moderation.base import ProviderResult
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine, Outcome


@dataclass
class Scripted:
    """A network provider answering fixed scores; it records each call's text and timeout."""

    name: str
    scores: dict[str, float]
    asked: list[str] = field(default_factory=list)
    timeouts: list[float] = field(default_factory=list)

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        self.asked.append(text)
        self.timeouts.append(timeout)
        return ProviderResult(self.name, self.scores)


def blocklist() -> ConfiguredProvider:
    return ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)


def scripted(name: str, scores: dict[str, float]) -> tuple[ConfiguredProvider, Scripted]:
    fake = Scripted(name, scores)
    return ConfiguredProvider(fake, {category: 2 for category in scores}), fake


def policy(providers: list[str], **fields: object) -> ModerationPolicy:
    thresholds = {"hive": {"hate": 2, "violence": 2}, "openai": {"harassment": 0.5}}
    entries = [
        {"name": name, "thresholds": thresholds[name]} if name in thresholds else {"name": name}
        for name in providers
    ]
    return ModerationPolicy.model_validate({"providers": entries, **fields})


def test_an_equal_timeout_later_in_the_chain_is_still_asked_for_the_longer_one():
    # Given a 60 s timeout for the blocklist's profanity and a 600 s one for hive's violence
    rules = [
        {"match": {"provider": "blocklist"}, "action": "timeout", "durationSeconds": 60},
        {"match": {"provider": "hive"}, "action": "timeout", "durationSeconds": 600},
    ]
    hive, fake = scripted("hive", {"violence": 3})
    engine = ModerationEngine(policy(["blocklist", "hive"], rules=rules), [blocklist(), hive])

    # When both flag the message
    decision = engine.moderate("shit")

    # Then hive was asked (the same action may be longer there) and its timeout applies
    assert fake.asked == ["shit"]
    assert (decision.action, decision.duration_seconds) == ("timeout", 600)


def test_an_observed_provider_after_a_rejection_is_not_asked():
    hive, fake = scripted("hive", {"hate": 3})
    engine = ModerationEngine(
        policy(["blocklist", "hive"], observe_providers=["hive"]), [blocklist(), hive]
    )

    decision = engine.moderate("shit")

    assert decision.outcome is Outcome.REJECT
    assert fake.asked == []  # observing is for what would change; nothing could


def test_an_observed_provider_before_the_ruling_does_not_keep_the_chain_going():
    # Given an observed provider first, then the blocklist holding, then a provider that
    # could lead to no more than a hold
    watcher, watched = scripted("hive", {"hate": 3})
    last, asked_last = scripted("openai", {"harassment": 3})
    engine = ModerationEngine(
        policy(["hive", "blocklist", "openai"], observe_providers=["hive"], on_match="hold"),
        [watcher, blocklist(), last],
    )

    decision = engine.moderate("shit")

    # Then the chain stops at the hold: the observer came before, nothing after watches
    assert decision.outcome is Outcome.HOLD
    assert watched.asked == ["shit"]
    assert asked_last.asked == []


def test_a_later_masking_rule_without_spans_can_still_reject_so_it_is_asked():
    # Given hive's hate held (onMatch hold) and a masking rule for openai, which has no spans
    hive, _ = scripted("hive", {"hate": 3})
    last, asked_last = scripted("openai", {"harassment": 3})
    rules = [{"match": {"provider": "openai"}, "action": "mask"}]
    engine = ModerationEngine(
        policy(["hive", "openai"], rules=rules, on_match="hold"), [hive, last]
    )

    decision = engine.moderate("you people")

    # Then openai is asked (a mask with nothing to mask rejects, stronger than the hold)
    assert asked_last.asked == ["you people"]
    assert decision.outcome is Outcome.REJECT


def test_a_network_provider_gets_the_whole_budget_in_seconds():
    hive, fake = scripted("hive", {"hate": 0})
    moderation = policy(["hive"], retry_timeout_ms=2000)
    engine = ModerationEngine(moderation, [hive], clock=lambda: 100.0)

    engine.moderate("hello")

    assert fake.timeouts == [2.0]


def test_observed_rules_are_reported_with_a_rejection_and_with_a_hold():
    observing = {
        "name": "try-ban",
        "match": {"provider": "blocklist"},
        "action": "ban",
        "observe": True,
    }
    for on_match, outcome in (("reject", Outcome.REJECT), ("hold", Outcome.HOLD)):
        engine = ModerationEngine(
            policy(["blocklist"], rules=[observing], on_match=on_match), [blocklist()]
        )

        decision = engine.moderate("shit")

        assert decision.outcome is outcome
        assert [(o.rule, o.action) for o in decision.observed] == [("try-ban", "ban")]
