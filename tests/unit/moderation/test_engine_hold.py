"""The engine's hold outcome: ``onMatch: hold`` and a scoring provider's review band."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import ValidationError

from chatmod.core.policy import HiveProviderConfig, ModerationPolicy, OpenAIProviderConfig
from chatmod.moderation.base import ProviderResult
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine, Outcome


@dataclass
class Scored:
    """A provider answering fixed scores (a network provider's answer, without the network)."""

    name: str
    scores: dict[str, float]

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        return ProviderResult(self.name, self.scores)


def scoring(name: str, scores: dict[str, float]) -> ConfiguredProvider:
    # Hive-like: reject from 0.9, held for review from 0.5.
    return ConfiguredProvider(
        Scored(name, scores), {"hate": 0.9, "violence": 0.9}, review_thresholds={"hate": 0.5}
    )


@pytest.mark.parametrize(
    ("score", "outcome"),
    [(0.2, Outcome.ACCEPT), (0.5, Outcome.HOLD), (0.89, Outcome.HOLD), (0.9, Outcome.REJECT)],
)
def test_a_score_in_the_review_band_holds_and_above_it_rejects(score: float, outcome: Outcome):
    engine = ModerationEngine(ModerationPolicy(), [scoring("hive", {"hate": score})])

    decision = engine.moderate("text")

    assert decision.outcome is outcome
    if outcome is Outcome.HOLD:
        assert decision.reason == "held_for_review"
        assert decision.categories == ("hate",)
        assert decision.scores == {"hate": score}
        assert decision.provider == "hive"


def test_a_later_reject_wins_over_an_earlier_hold():
    engine = ModerationEngine(
        ModerationPolicy(),
        [scoring("first", {"hate": 0.6}), scoring("second", {"violence": 0.95})],
    )

    decision = engine.moderate("text")

    assert decision.outcome is Outcome.REJECT
    assert decision.provider == "second"


def test_on_match_hold_holds_a_blocklist_match_with_its_term():
    blocklist = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)
    engine = ModerationEngine(ModerationPolicy(on_match="hold"), [blocklist])

    decision = engine.moderate("you are a bitch")

    assert decision.outcome is Outcome.HOLD
    assert decision.terms == ("bitch",)
    assert decision.text is None


def test_a_review_threshold_at_or_above_the_reject_threshold_is_refused_naming_both():
    with pytest.raises(ValidationError, match=r"reviewThresholds\.hate \(3\).*thresholds\.hate"):
        HiveProviderConfig(name="hive", thresholds={"hate": 3}, review_thresholds={"hate": 3})
    with pytest.raises(ValidationError, match=r"reviewThresholds\.sexual"):
        OpenAIProviderConfig.model_validate(
            {"name": "openai", "thresholds": {"sexual": 0.5}, "reviewThresholds": {"sexual": 0.7}}
        )


def test_review_thresholds_reach_the_configured_provider():
    import msgspec

    from chatmod.core.policy_runtime import ModerationPolicy as Runtime
    from chatmod.moderation.factory import build_engine

    policy = msgspec.convert(
        {
            "providers": [
                {
                    "name": "openai",
                    "thresholds": {"hate": 0.9},
                    "reviewThresholds": {"hate": 0.4},
                }
            ]
        },
        Runtime,
    )
    engine = build_engine(policy, keys={"openai": "k"})

    assert engine.providers[0].review_thresholds == {"hate": 0.4}
