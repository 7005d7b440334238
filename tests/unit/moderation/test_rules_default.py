"""With no rules of one's own, the rules engine decides exactly as the engine before rules did.

``onMatch`` and the providers' review thresholds became two default rules. Hypothesis draws
provider chains (scoring providers with thresholds and review bands, span-giving providers
like the blocklist), their answers and the policy's ``onMatch``, and runs each through the
engine and through the pre-rules engine kept in ``tests.support.pre_rules_engine``: the
outcome, its reason, provider, categories, scores, terms, masked text, and which providers
were asked with which text must all be the same (with one saving, for a held message).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatmod.core.policy import ModerationPolicy
from chatmod.moderation import engine as rules_engine
from chatmod.moderation.base import Match, ProviderResult
from tests.support import pre_rules_engine

TEXT = "alpha bravo charlie delta echo"
# Spans of TEXT a span-giving provider may report (word boundaries, as the blocklist does).
SPANS = [(0, 5), (6, 11), (12, 19), (20, 25), (26, 30)]
CATEGORIES = ["hate", "violence", "profanity"]


@dataclass
class Scripted:
    """A provider that answers a fixed result and records the text it was asked about."""

    name: str
    result: ProviderResult
    asked: list[str] = field(default_factory=list)

    def moderate(self, text: str, *, timeout: float) -> ProviderResult:
        self.asked.append(text)
        return self.result


@st.composite
def providers(draw: st.DrawFn, position: int) -> dict:
    name = f"p{position}"
    categories = draw(st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=3))
    scores = {c: draw(st.sampled_from([0.0, 0.3, 0.5, 0.7, 0.9, 1.0])) for c in categories}
    spans = draw(st.booleans())
    matches: tuple[Match, ...] = ()
    if spans and categories:
        chosen = draw(st.lists(st.sampled_from(SPANS), unique=True, max_size=3))
        matches = tuple(
            Match(start, end, TEXT[start:end], draw(st.sampled_from(categories)), 2)
            for start, end in sorted(chosen)
        )
    thresholds = {
        c: draw(st.sampled_from([0.5, 0.7, 0.9]))
        for c in draw(st.lists(st.sampled_from(CATEGORIES), unique=True))
    }
    default = draw(st.sampled_from([None, 0.5]))
    review = {}
    for category in draw(st.lists(st.sampled_from(CATEGORIES), unique=True, max_size=2)):
        reject = thresholds.get(category, default)
        options = [v for v in (0.3, 0.5, 0.7) if reject is None or v < reject]
        if options:
            review[category] = draw(st.sampled_from(options))
    return {
        "name": name,
        "result": ProviderResult(name, scores, matches),
        "thresholds": thresholds,
        "default": default,
        "review": review,
        "local": draw(st.booleans()),
    }


def chain(module, specs: list[dict]) -> tuple[list, list[Scripted]]:
    fakes = [Scripted(spec["name"], spec["result"]) for spec in specs]
    configured = [
        module.ConfiguredProvider(
            fake,
            spec["thresholds"],
            default_threshold=spec["default"],
            local=spec["local"],
            review_thresholds=spec["review"],
        )
        for fake, spec in zip(fakes, specs, strict=True)
    ]
    return configured, fakes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    specs=st.integers(1, 3).flatmap(lambda n: st.tuples(*(providers(i) for i in range(n)))),
    on_match=st.sampled_from(["reject", "mask", "hold"]),
)
def test_the_default_rules_decide_as_the_engine_before_rules(specs, on_match):
    policy = ModerationPolicy(on_match=on_match)
    old_chain, old_fakes = chain(pre_rules_engine, list(specs))
    new_chain, new_fakes = chain(rules_engine, list(specs))

    def clock() -> float:
        return 0.0

    before = pre_rules_engine.ModerationEngine(policy, old_chain, clock=clock).moderate(TEXT)
    after = rules_engine.ModerationEngine(policy, new_chain, clock=clock).moderate(TEXT)

    assert after.outcome.value == before.outcome.value
    assert after.reason == before.reason
    assert after.provider == before.provider
    assert after.categories == before.categories
    assert after.scores == before.scores
    assert after.terms == before.terms
    assert after.text == before.text
    assert dict(after.details) == dict(before.details)
    asked_after = [f.asked for f in new_fakes]
    asked_before = [f.asked for f in old_fakes]
    if before.outcome.value != "hold":
        assert asked_after == asked_before
    else:
        # One saving: once a message is held and every later provider could only hold
        # it too, the chain stops (the first hold was always the one reported).
        asked = sum(1 for texts in asked_after if texts)
        assert asked_after[:asked] == asked_before[:asked]
        assert not any(asked_after[asked:])
