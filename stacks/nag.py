"""cdk-nag: the AwsSolutions checks run on every synth, and precise acknowledgements."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def add_nag_checks(app: App) -> None:
    """Run AwsSolutions on every synth; an unacknowledged error stops synth."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one finding (``Rule[Finding]`` where the rule reports several) on ``scope``.

    Args:
        scope: the construct the finding is on (it applies to its children too).
        rule_id: e.g. ``AwsSolutions-IAM5[Resource::*]`` — as narrow as the report allows.
        reason: why the finding is acceptable here, specifically.
    """
    if len(reason) < 40:
        raise ValueError(f"acknowledging {rule_id} needs a specific reason, not {reason!r}")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))
