"""Rules: what each flagged category does, observe mode, timeouts and bans, and what is refused.

The engine is driven with scripted providers (fixed scores, spans like the blocklist's);
the pipeline with the in-memory sender store, so strikes, bans and audit events are read
back as the stores hold them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest
from pydantic import ValidationError

from chatmod.core.deadline import Deadline
from chatmod.core.policy import BanPolicy, ModerationPolicy, RuntimePolicy
from chatmod.enforcement.bans import StrikeRef
from chatmod.moderation.base import Match, ProviderResult
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine, Outcome
from chatmod.moderation.pipeline import ModerationPipeline, Submission, Verdict
from tests.support.sender_store import InMemorySenderStore

NOW = 1_795_320_000.0
HIVE = {"name": "hive", "thresholds": {"hate": 2, "violence": 2, "sexual": 2}}


@dataclass
class Scripted:
    """A provider answering fixed scores (and spans); it records every text it is asked."""

    name: str
    scores: dict[str, float]
    matches: tuple[Match, ...] = ()
    asked: list[str] = field(default_factory=list)

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        self.asked.append(text)
        return ProviderResult(self.name, self.scores, self.matches)


def blocklist() -> ConfiguredProvider:
    return ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)


def hive(scores: dict[str, float]) -> tuple[ConfiguredProvider, Scripted]:
    fake = Scripted("hive", scores)
    return ConfiguredProvider(fake, {"hate": 2, "violence": 2, "sexual": 2}), fake


def policy(*rules: dict, hive_too: bool = True, **extra: object) -> ModerationPolicy:
    providers: list[dict] = [{"name": "blocklist"}]
    if hive_too:
        providers.append(HIVE)
    return ModerationPolicy.model_validate({"providers": providers, "rules": rules, **extra})


def engine(moderation: ModerationPolicy, hive_scores: dict[str, float] | None = None):
    chain = [blocklist()]
    fake = None
    if hive_scores is not None:
        configured, fake = hive(hive_scores)
        chain.append(configured)
    return ModerationEngine(moderation, chain), fake


# --- what each category does -------------------------------------------------------


def test_mild_profanity_is_masked_while_harassment_is_held_and_threats_rejected():
    # "mask mild profanity, hold harassment, reject threats"
    moderation = policy(
        {
            "name": "threats",
            "match": {"provider": "hive", "categories": ["violence"]},
            "action": "reject",
        },
        {
            "name": "harassment",
            "match": {"provider": "hive", "categories": ["hate"]},
            "action": "hold",
        },
        {
            "name": "mild",
            "match": {"provider": "blocklist", "categories": ["profanity"]},
            "action": "mask",
        },
    )

    swearing, _ = engine(moderation, {})
    harassing, _ = engine(moderation, {"hate": 3})
    threatening, _ = engine(moderation, {"hate": 3, "violence": 3})

    masked = swearing.moderate("well shit happens")
    assert (masked.outcome, masked.rule, masked.text) == (Outcome.MASK, "mild", "well **** happens")
    held = harassing.moderate("you people")
    assert (held.outcome, held.rule, held.categories) == (Outcome.HOLD, "harassment", ("hate",))
    rejected = threatening.moderate("you people")
    assert (rejected.outcome, rejected.rule) == (Outcome.REJECT, "threats")
    assert rejected.categories == ("violence",)


def test_the_first_rule_that_matches_a_category_decides_it():
    moderation = policy(
        {
            "name": "lenient",
            "match": {"provider": "hive", "categories": ["hate"]},
            "action": "accept",
        },
        {"name": "strict", "match": {"provider": "hive"}, "action": "reject"},
    )
    chain, _ = engine(moderation, {"hate": 3})

    decision = chain.moderate("text")

    assert decision.outcome is Outcome.ACCEPT
    assert decision.rules == ("lenient",)


def test_a_category_no_rule_matches_falls_to_on_match():
    moderation = policy(
        {"match": {"provider": "hive", "categories": ["hate"]}, "action": "hold"},
        on_match="mask",
    )

    decision = engine(moderation)[0].moderate("well shit")

    assert (decision.outcome, decision.rule) == (Outcome.MASK, "default")


def test_a_mask_rule_on_a_provider_without_spans_rejects():
    moderation = policy({"match": {"provider": "hive"}, "action": "mask"})

    decision = engine(moderation, {"sexual": 3})[0].moderate("text")

    assert decision.outcome is Outcome.REJECT
    assert decision.rule == "rules[0]"


@pytest.mark.parametrize(
    ("score", "outcome"), [(1, Outcome.ACCEPT), (2, Outcome.HOLD), (3, Outcome.REJECT)]
)
def test_a_numeric_min_score_matches_from_that_score_on_the_providers_scale(score, outcome):
    moderation = policy(
        {"match": {"provider": "hive", "minScore": 3}, "action": "reject"},
        {"match": {"provider": "hive", "minScore": 2}, "action": "hold"},
        {"match": {"provider": "hive", "minScore": 1}, "action": "accept"},
    )

    assert engine(moderation, {"violence": score})[0].moderate("text").outcome is outcome


def test_rooms_are_globs_on_the_room_name():
    moderation = policy(
        {"match": {"rooms": ["kids-*"]}, "action": "reject"},
        on_match="mask",
    )
    chain, _ = engine(moderation)

    assert chain.moderate("shit", room="kids-lobby").outcome is Outcome.REJECT
    assert chain.moderate("shit", room="adults").outcome is Outcome.MASK
    assert chain.moderate("shit").outcome is Outcome.MASK  # no room: the glob cannot match


def test_roles_match_the_senders_role_and_an_unknown_sender_is_a_user():
    moderation = policy({"match": {"roles": ["moderator"]}, "action": "accept"})
    chain, _ = engine(moderation)

    assert chain.moderate("shit", role="moderator").outcome is Outcome.ACCEPT
    assert chain.moderate("shit", role="user").outcome is Outcome.REJECT
    assert chain.moderate("shit").outcome is Outcome.REJECT


def test_the_strongest_action_wins_across_categories_and_the_longer_ban_across_bans():
    moderation = policy(
        {
            "name": "t",
            "match": {"provider": "hive", "categories": ["hate"]},
            "action": "timeout",
            "durationSeconds": 600,
        },
        {
            "name": "b",
            "match": {"provider": "hive", "categories": ["violence"]},
            "action": "ban",
            "durationSeconds": 3600,
        },
        {"name": "p", "match": {"provider": "hive", "categories": ["sexual"]}, "action": "ban"},
    )

    timeout_and_ban = engine(moderation, {"hate": 3, "violence": 3})[0].moderate("text")
    bans = engine(moderation, {"violence": 3, "sexual": 3})[0].moderate("shit")

    assert (timeout_and_ban.action, timeout_and_ban.rule) == ("ban", "b")
    assert timeout_and_ban.duration_seconds == 3600
    assert (bans.action, bans.rule, bans.duration_seconds) == ("ban", "p", None)


# --- providers are asked once, and only while they could matter ---------------------


def test_a_reject_stops_the_chain_unless_a_later_provider_could_lead_to_more():
    reject_only = policy()
    with_ban = policy({"match": {"provider": "hive", "categories": ["violence"]}, "action": "ban"})

    stopped, stopped_hive = engine(reject_only, {"violence": 3})
    asked, asked_hive = engine(with_ban, {"violence": 3})
    stopped.moderate("shit")
    decision = asked.moderate("shit")

    assert stopped_hive is not None
    assert stopped_hive.asked == []
    assert asked_hive is not None
    assert asked_hive.asked == ["shit"]
    assert decision.action == "ban"


# --- observe mode ---------------------------------------------------------------------


def test_an_observed_rule_is_reported_and_the_next_rule_decides():
    moderation = policy(
        {
            "name": "try-strict",
            "match": {"provider": "blocklist"},
            "action": "reject",
            "observe": True,
        },
        on_match="mask",
    )

    decision = engine(moderation)[0].moderate("well shit")

    assert decision.outcome is Outcome.MASK
    assert [(o.rule, o.action, o.provider) for o in decision.observed] == [
        ("try-strict", "reject", "blocklist")
    ]
    assert decision.observed[0].categories == ("profanity",)


def test_an_observed_provider_decides_nothing_but_says_what_it_would_have_done():
    moderation = policy(observe_providers=["hive"])

    decision = engine(moderation, {"hate": 3})[0].moderate("hello")

    assert decision.outcome is Outcome.ACCEPT
    assert [(o.rule, o.action, o.provider, o.categories) for o in decision.observed] == [
        ("default", "reject", "hive", ("hate",))
    ]


# --- the pipeline applies the actions -----------------------------------------------


def run(moderation: ModerationPolicy, text: str, *, hive_scores=None, store=None, ref="m1"):
    store = store or InMemorySenderStore()
    runtime = RuntimePolicy(moderation=moderation, bans=BanPolicy(ladder=("warn", "120s")))
    pipeline = ModerationPipeline(
        runtime, engine(moderation, hive_scores)[0], store, clock=lambda: NOW
    )
    result = pipeline.run(
        Submission(text=text, client_id="alice", room="lobby", ref=StrikeRef(ref), source="test"),
        Deadline(5),
    )
    return result, store


def test_a_timeout_bans_for_its_duration_with_a_strike_and_names_the_rule():
    moderation = policy(
        {
            "name": "cool-off",
            "match": {"provider": "blocklist"},
            "action": "timeout",
            "durationSeconds": 600,
        }
    )

    result, store = run(moderation, "shit")

    assert result.verdict is Verdict.REJECT
    assert result.strike is not None
    assert result.strike.count == 1
    assert store.bans["alice"].expires_at == int(NOW) + 600
    assert store.bans["alice"].reason.startswith("rule cool-off: ")
    assert store.actions() == ["reject", "strike", "ban"]
    ban_event = store.events[-1]
    assert ban_event.details["durationSeconds"] == 600
    assert store.events[0].details["rule"] == "cool-off"


def test_a_rule_ban_shorter_than_the_ladders_rung_leaves_the_rungs_ban():
    moderation = policy(
        {
            "name": "short",
            "match": {"provider": "blocklist"},
            "action": "timeout",
            "durationSeconds": 60,
        }
    )
    store = InMemorySenderStore()
    run(moderation, "shit", store=store, ref="m1")
    store.bans.clear()  # the first timeout has ended; the ladder's second rung is 120 s

    run(moderation, "shit", store=store, ref="m2")

    assert store.bans["alice"].expires_at == int(NOW) + 120


def test_a_permanent_ban_rule():
    moderation = policy({"match": {"provider": "blocklist"}, "action": "ban"})

    _, store = run(moderation, "shit")

    assert store.bans["alice"].expires_at is None


def test_a_reject_without_a_strike_is_audited_only():
    moderation = policy({"match": {"provider": "blocklist"}, "action": "reject", "strike": False})

    result, store = run(moderation, "shit")

    assert result.verdict is Verdict.REJECT
    assert result.strike is None
    assert store.actions() == ["reject"]


def test_a_mask_that_strikes_writes_the_mask_with_the_strike():
    moderation = policy({"match": {"provider": "blocklist"}, "action": "mask", "strike": True})

    result, store = run(moderation, "well shit")

    assert result.verdict is Verdict.MASK
    assert result.strike is not None
    assert store.actions() == ["mask", "strike"]
    assert store.events[0].details["rule"] == "rules[0]"


def test_an_observed_rule_is_audited_as_observed_and_enforces_nothing():
    moderation = policy(
        {"name": "trial", "match": {"provider": "blocklist"}, "action": "ban", "observe": True},
        on_match="mask",
    )

    result, store = run(moderation, "well shit")

    assert result.verdict is Verdict.MASK
    assert "alice" not in store.bans
    assert store.actions() == ["observe", "mask"]
    observed = store.events[0].details
    assert observed["observed"] == [
        {"rule": "trial", "action": "ban", "provider": "blocklist", "categories": ["profanity"]}
    ]
    assert observed["enforced"] == "mask"


def test_an_accepted_message_no_rule_observed_costs_one_round_trip_as_before():
    moderation = policy(
        {"name": "trial", "match": {"provider": "blocklist"}, "action": "ban", "observe": True}
    )

    result, store = run(moderation, "hello there")

    assert result.verdict is Verdict.ACCEPT
    assert store.round_trips == 1


# --- refused policies name the rule ---------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "extra", "message"),
    [
        (
            [{"match": {"provider": "openai"}, "action": "reject"}],
            {},
            "rules[0]: provider 'openai' is not in providers (blocklist, hive)",
        ),
        (
            [
                {
                    "name": "x",
                    "match": {"provider": "blocklist", "categories": ["spam"]},
                    "action": "reject",
                }
            ],
            {},
            "rules[0] (x): blocklist has no category 'spam'",
        ),
        (
            [
                {"action": "mask"},
                {"name": "never", "match": {"categories": ["hate"]}, "action": "reject"},
            ],
            {},
            "rules[1] (never) can never apply: rules[0] matches everything it matches",
        ),
        (
            [{"match": {"minScore": 2}, "action": "reject"}],
            {},
            "rules[0]: a numeric minScore needs a provider",
        ),
        ([{"action": "timeout"}], {}, "a timeout needs durationSeconds"),
        ([{"action": "reject", "durationSeconds": 5}], {}, "durationSeconds applies to timeout"),
        ([{"action": "ban", "strike": False}], {}, "a ban is always a strike"),
        ([{"action": "accept", "strike": True}], {}, "an accept cannot strike"),
        (
            [
                {"name": "a", "action": "reject"},
                {"name": "a", "match": {"rooms": ["x"]}, "action": "hold"},
            ],
            {},
            "the name 'a' is already taken",
        ),
        ([{"name": "default", "action": "reject"}], {}, "the name 'default' is already taken"),
        ([], {"observeProviders": ["azure"]}, "observeProviders names 'azure'"),
    ],
)
def test_a_policy_whose_rules_cannot_be_satisfied_is_refused_naming_the_rule(rules, extra, message):
    with pytest.raises(ValidationError) as refused:
        ModerationPolicy.model_validate(
            {"providers": [{"name": "blocklist"}, HIVE], "rules": rules, **extra}
        )

    assert message in str(refused.value)


def test_an_observed_rule_does_not_shadow_the_rules_after_it():
    ModerationPolicy.model_validate(
        {"rules": [{"action": "ban", "observe": True}, {"action": "reject"}]}
    )


def test_a_narrower_rule_before_a_broader_one_is_fine():
    ModerationPolicy.model_validate(
        {
            "rules": [
                {"match": {"categories": ["hate"], "rooms": ["kids-*"]}, "action": "ban"},
                {"match": {"categories": ["hate"]}, "action": "reject"},
            ]
        }
    )


# --- warnings -------------------------------------------------------------------------


def test_a_warning_rejects_strikes_and_waits_with_the_strikes_until_acknowledged():
    moderation = policy({"name": "be-nice", "match": {"provider": "blocklist"}, "action": "warn"})

    warned, store = run(moderation, "shit")
    again, _ = run(moderation, "hello there", store=store, ref="m2")

    assert warned.verdict is Verdict.REJECT
    assert warned.warning is not None
    assert warned.warning.rule == "be-nice"
    assert warned.warning.room == "lobby"
    assert warned.strike is not None
    assert store.records["alice"].warning == warned.warning
    assert again.verdict is Verdict.WARNED
    assert again.warning == warned.warning
    assert again.decision is None  # refused before any provider was asked


def test_a_retried_warned_message_keeps_the_first_warning():
    moderation = policy({"match": {"provider": "blocklist"}, "action": "warn"})
    store = InMemorySenderStore()
    first, _ = run(moderation, "shit", store=store, ref="m1")
    store.records["alice"] = replace(store.records["alice"], warning=None)  # acknowledged

    retried, _ = run(moderation, "shit", store=store, ref="m1")  # the same message again

    assert first.warning is not None
    assert retried.strike is not None
    assert retried.strike.duplicate
    assert store.records["alice"].warning is None  # a retry is not a second warning
