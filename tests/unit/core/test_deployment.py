"""What a stage deployed, and how a policy edit that disagrees with it is found and corrected.

The policies are the runtime's (``chatmod.core.policy_runtime``), as the functions parse
them; the stack builds its deployment from the schema's model (``Deployment.of`` takes
either).
"""

from __future__ import annotations

import msgspec
import pytest

from chatmod.core import policy as schema
from chatmod.core.deployment import RULE_FIELDS, Deployment
from chatmod.core.policy_runtime import (
    BlocklistProviderConfig,
    BlocklistTerm,
    HiveProviderConfig,
    ModerationPolicy,
    RuntimePolicy,
)

DEPLOYED = Deployment.of(schema.ModerationPolicy(), frozenset({"blocklist", "http"}))
HIVE = HiveProviderConfig(thresholds={"violence": 2})


def policy(**moderation: object) -> RuntimePolicy:
    return RuntimePolicy(moderation=msgspec.convert(moderation, ModerationPolicy))


def test_the_stack_and_the_runtime_name_the_same_deployment() -> None:
    assert Deployment.of(ModerationPolicy(), DEPLOYED.providers) == DEPLOYED


def test_the_environment_values_read_back_as_the_same_deployment() -> None:
    assert Deployment.parse(*DEPLOYED.environment_values()) == DEPLOYED


@pytest.mark.parametrize(
    "rule", ["[]", '{"retryTimeoutMs": 1000}', '{"retryTimeoutMs": 1, "surprise": 2}']
)
def test_malformed_rule_settings_are_refused(rule: str) -> None:
    with pytest.raises(ValueError, match="must name"):
        Deployment.parse(rule, "blocklist")


def test_the_policy_the_stage_deployed_is_accepted() -> None:
    assert DEPLOYED.refusals(RuntimePolicy()) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("retryTimeoutMs", 3000),
        ("maxRetries", 3),
        ("failedAction", "publish"),
        ("tooManyRequestsAction", "retry"),
        ("roomFilter", "^vip-"),
    ],
)
def test_each_rule_setting_changed_in_ssm_is_refused_and_named(field: str, value: object) -> None:
    (problem,) = DEPLOYED.refusals(policy(**{field: value}))

    assert problem.startswith(f"moderation.{field} is {value!r}")
    assert "make ably-rules" in problem


def test_settings_the_rule_does_not_hold_may_change() -> None:
    edited = policy(onMatch="mask", maxTextLength=500)
    assert DEPLOYED.refusals(edited) == []


def test_a_provider_the_stage_did_not_deploy_is_refused_and_named() -> None:
    (problem,) = DEPLOYED.refusals(policy(providers=[BlocklistProviderConfig(), HIVE]))

    assert "'hive'" in problem
    assert DEPLOYED.refusals(policy(providers=[HIVE])) == [problem]


def test_corrected_keeps_the_edit_but_the_rule_settings_and_undeployed_providers() -> None:
    edited = policy(
        providers=[HIVE, BlocklistProviderConfig(terms=(BlocklistTerm(term="grief"),))],
        retryTimeoutMs=4000,
        failedAction="publish",
        onMatch="mask",
    )

    corrected = DEPLOYED.corrected(edited)

    assert DEPLOYED.refusals(corrected) == []
    assert corrected.moderation.on_match == "mask"
    assert [p.name for p in corrected.moderation.providers] == ["blocklist"]
    assert corrected.moderation.providers[0].terms == (BlocklistTerm(term="grief"),)
    for attribute in RULE_FIELDS:
        assert getattr(corrected.moderation, attribute) == getattr(ModerationPolicy(), attribute)


def test_corrected_without_any_deployed_provider_screens_with_the_blocklist() -> None:
    corrected = DEPLOYED.corrected(policy(providers=[HIVE]))

    assert corrected.moderation.providers == (BlocklistProviderConfig(),)
