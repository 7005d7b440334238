"""What a stage deployed, which an edit of the SSM policy cannot change.

Two kinds of setting live outside the policy parameter's reach:

- **The Ably rule's settings** — ``retryTimeoutMs``, ``maxRetries``, ``failedAction``,
  ``tooManyRequestsAction``, ``roomFilter``: Ably holds its own copy in the
  before-publish rule, written from ``cdk.json`` by ``make ably-rules``. A policy
  that says otherwise would have chatmod decide by one budget while Ably times out
  by another (answers Ably never waits for, strikes for messages it already let
  through or refused).
- **The providers**: a provider needs its key parameter in the function's
  environment and the IAM grant to read it (or, for Comprehend, to call it); both
  come from a deploy.

The stack passes the stage's values to every function (``CHATMOD_ABLY_RULE``,
``CHATMOD_DEPLOYED_PROVIDERS``). A policy read from SSM that disagrees is refused
(``chatmod.adapters.parameters``): the last good policy is kept, or — in a container
that never had one — the edited policy corrected to the deployment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

import msgspec

from chatmod.core.policy_runtime import BlocklistProviderConfig, ModerationPolicy, RuntimePolicy

#: The moderation settings the Ably rule holds too: policy attribute → policy (camelCase) key.
RULE_FIELDS: Final = {
    "retry_timeout_ms": "retryTimeoutMs",
    "max_retries": "maxRetries",
    "failed_action": "failedAction",
    "too_many_requests_action": "tooManyRequestsAction",
    "room_filter": "roomFilter",
}


class RuleSettings(Protocol):
    """The moderation settings the Ably rule holds too (either policy model has them)."""

    @property
    def retry_timeout_ms(self) -> int: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def failed_action(self) -> str: ...
    @property
    def too_many_requests_action(self) -> str: ...
    @property
    def room_filter(self) -> str | None: ...


def _rule_values(moderation: RuleSettings) -> dict[str, Any]:
    """camelCase key → value of the rule's settings in ``moderation``."""
    return {key: getattr(moderation, attribute) for attribute, key in RULE_FIELDS.items()}


@dataclass(frozen=True, slots=True)
class Deployment:
    """The stage's rule settings (camelCase key → value) and its deployed providers."""

    rule: tuple[tuple[str, Any], ...]
    providers: frozenset[str]

    @classmethod
    def of(cls, moderation: RuleSettings, providers: frozenset[str]) -> Deployment:
        """The deployment whose rule mirrors ``moderation`` (what the stack passes)."""
        values = _rule_values(moderation)
        return cls(tuple((key, values[key]) for key in RULE_FIELDS.values()), providers)

    @classmethod
    def parse(cls, rule: str, providers: str) -> Deployment:
        """From the two environment values (``rule``: a JSON object; ``providers``: a list).

        Raises:
            ValueError: ``rule`` is not a JSON object holding exactly the rule's keys.
        """
        values = json.loads(rule)
        if not isinstance(values, dict) or set(values) != set(RULE_FIELDS.values()):
            raise ValueError(f"the Ably rule settings must name {sorted(RULE_FIELDS.values())}")
        names = frozenset(name.strip() for name in providers.split(",") if name.strip())
        return cls(tuple((key, values[key]) for key in RULE_FIELDS.values()), names)

    def environment_values(self) -> tuple[str, str]:
        """The two environment values ``parse`` reads back."""
        return (
            json.dumps(dict(self.rule), separators=(",", ":")),
            ",".join(sorted(self.providers)),
        )

    def refusals(self, policy: RuntimePolicy) -> list[str]:
        """Why ``policy`` cannot apply to this deployment, one sentence each ([] when it can)."""
        problems: list[str] = []
        values = _rule_values(policy.moderation)
        for key, deployed in self.rule:
            if values[key] != deployed:
                problems.append(
                    f"moderation.{key} is {values[key]!r} but the deployed Ably rule has "
                    f"{deployed!r}: change it in cdk.json, then make deploy and make ably-rules"
                )
        for provider in policy.moderation.providers:
            if provider.name not in self.providers:
                problems.append(
                    f"moderation.providers names {provider.name!r}, which this stage has not "
                    "deployed (its key parameter or grant): add it in cdk.json and make deploy"
                )
        return problems

    def corrected(self, policy: RuntimePolicy) -> RuntimePolicy:
        """``policy`` with the rule's settings and only the deployed providers (and rules).

        A policy left without providers screens with the built-in blocklist.
        """
        attributes: Mapping[str, Any] = {
            attribute: dict(self.rule)[key] for attribute, key in RULE_FIELDS.items()
        }
        providers = tuple(p for p in policy.moderation.providers if p.name in self.providers)
        providers = providers or (BlocklistProviderConfig(),)
        kept = {p.name for p in providers}
        # Rules about a provider that is not there could never match: left out with it.
        rules = tuple(
            r
            for r in policy.moderation.rules
            if r.match.provider is None or r.match.provider in kept
        )
        observed = tuple(name for name in policy.moderation.observe_providers if name in kept)
        moderation = msgspec.structs.replace(
            policy.moderation,
            **attributes,
            providers=providers,
            rules=rules,
            observe_providers=observed,
        )
        return replace_moderation(policy, moderation)


def replace_moderation(policy: RuntimePolicy, moderation: ModerationPolicy) -> RuntimePolicy:
    """``policy`` with ``moderation`` in place of its own."""
    return msgspec.structs.replace(policy, moderation=moderation)


__all__ = ["RULE_FIELDS", "Deployment", "replace_moderation"]
