#!/usr/bin/env python3
"""The CDK app: ``cdk synth|deploy -c stage=<name>`` builds the chatmod stack for one stage."""

from __future__ import annotations

import sys

import aws_cdk as cdk

from stacks.chatmod_stack import ChatmodStack
from stacks.config import (
    DEPLOY_CONTEXT_KEY,
    ConfigError,
    check_deployable,
    is_deploy,
    load_stage_config,
)
from stacks.nag import add_nag_checks


def build_app(app: cdk.App | None = None) -> cdk.App:
    """Validate the stage configuration, then compose the stack and the nag checks.

    Raises:
        ConfigError: the stage is unknown or its settings are invalid, or (with
            ``-c chatmod:deploy=true``, as ``make deploy`` sets) still placeholders.
    """
    app = app or cdk.App()
    context = {
        key: app.node.try_get_context(key)
        for key in ("stage", "chatmod:stages", DEPLOY_CONTEXT_KEY)
        if app.node.try_get_context(key) is not None
    }
    stage, config = load_stage_config(context)
    if is_deploy(context):
        check_deployable(stage, config)
    ChatmodStack(
        app,
        f"chatmod-{stage}",
        stage=stage,
        config=config,
        description=f"chatmod ({stage}): Ably chat moderation",
        # Only what the stage says: the CLI's CDK_DEFAULT_* are where synth ran (us-east-1 on a
        # CI runner without credentials), not where the assembly deploys. Unset, the template
        # is environment-agnostic (AWS::Region / AWS::AccountId) and deploys where the
        # deploying credentials point.
        env=cdk.Environment(account=config.account, region=config.region),
    )
    add_nag_checks(app)
    return app


def main() -> None:
    try:
        app = build_app()
    except ConfigError as exc:
        print(f"chatmod: {exc}", file=sys.stderr)
        sys.exit(1)
    app.synth()


if __name__ == "__main__":
    main()
